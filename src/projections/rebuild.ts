import type Database from "better-sqlite3";
import type { EventStore } from "../domain/shared/event-store.js";
import type { Projection } from "./projection.js";
import { applyEvents } from "./projector.js";

export interface RebuildProgress {
  events: number;
  position: bigint;
  head: bigint;
}

/** Empties the read models and replays the whole log, in batches of one transaction each. */
export async function rebuildReadModels(
  store: EventStore,
  db: Database.Database,
  projections: readonly Projection[],
  options: { batchSize?: number; onProgress?: (progress: RebuildProgress) => void } = {},
): Promise<{ events: number }> {
  const batchSize = options.batchSize ?? 2000;
  db.transaction(() => {
    for (const projection of projections) for (const table of projection.tables) db.exec(`DELETE FROM ${table}`);
    db.exec("DELETE FROM checkpoints");
  })();
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
