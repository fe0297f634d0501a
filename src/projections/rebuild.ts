import type Database from "better-sqlite3";
import type { EventStore } from "../domain/shared/event-store.js";
import type { Projection } from "./projection.js";
import { resetProjections } from "./projection-install.js";
import { applyEvents } from "./projector.js";

export interface RebuildProgress {
  events: number;
  position: bigint;
  head: bigint;
}

export interface RebuildOptions {
  batchSize?: number;
  onProgress?: (progress: RebuildProgress) => void;
}

/**
 * Empties the given projections' tables and replays the whole log into them, in batches of one
 * transaction each. The file's other projections keep their rows and positions.
 */
export async function rebuildReadModels(
  store: EventStore,
  db: Database.Database,
  projections: readonly Projection[],
  options: RebuildOptions = {},
): Promise<{ events: number }> {
  resetProjections(db, projections);
  return replay(store, db, projections, options);
}

/** Replays the log into projections that were just reset (resetProjections). */
export async function replay(
  store: EventStore,
  db: Database.Database,
  projections: readonly Projection[],
  options: RebuildOptions = {},
): Promise<{ events: number }> {
  const batchSize = options.batchSize ?? 2000;
  const head = (await store.headPosition()) ?? 0n;
  let after: bigint | undefined;
  let events = 0;
  for (;;) {
    const batch = await store.readAll({ after, maxCount: batchSize });
    if (batch.length === 0) break;
    applyEvents(db, projections, batch);
    events += batch.length;
    after = batch[batch.length - 1]!.position;
    options.onProgress?.({ events, position: after, head });
    if (batch.length < batchSize) break;
  }
  return { events };
}
