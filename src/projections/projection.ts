import type Database from "better-sqlite3";
import type { RecordedEvent } from "../domain/shared/event-store.js";

/** Turns events into rows. apply() runs inside the projector's transaction. */
export interface Projection {
  name: string;
  /** Tables it owns, emptied by a rebuild. */
  tables: readonly string[];
  /** Event types it applies; "ALL" for every event (the audit log). */
  handles: ReadonlySet<string> | "ALL";
  apply(db: Database.Database, event: RecordedEvent): void;
  /** apply() never reads its tables: a rebuild may build their indexes once, after the replay. */
  writeOnly?: boolean;
}
