import type Database from "better-sqlite3";
import type { RecordedEvent } from "../domain/shared/event-store.js";

/** Turns events into rows. apply() runs inside the projector's transaction. */
export interface Projection {
  name: string;
  /**
   * Bump when its tables change shape or apply() would write them differently: at start, this
   * projection alone has its tables dropped and is replayed from the beginning of the log.
   */
  version: number;
  /** Tables it owns: no other projection writes them. */
  tables: readonly string[];
  /** DDL of its tables and their indexes (CREATE ... IF NOT EXISTS). */
  schema: string;
  /** Event types it applies; "ALL" for every event (the audit log). */
  handles: ReadonlySet<string> | "ALL";
  apply(db: Database.Database, event: RecordedEvent): void;
  /** apply() never reads its tables: a rebuild may build their indexes once, after the replay. */
  writeOnly?: boolean;
}
