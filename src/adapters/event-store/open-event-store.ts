import path from "node:path";
import type { EventStore } from "../../domain/shared/event-store.js";
import { SqliteEventStore } from "./sqlite-event-store.js";

/** The embedded default: a durable SQLite file under the data directory. */
export function openEventStore(dataDir: string): EventStore {
  return SqliteEventStore.open(path.join(dataDir, "events.sqlite"));
}

export const readModelsFile = (dataDir: string) => path.join(dataDir, "read-models.sqlite");
