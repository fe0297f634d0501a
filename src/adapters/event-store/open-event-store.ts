import path from "node:path";
import type { Clock } from "../../domain/shared/clock.js";
import type { EventStore } from "../../domain/shared/event-store.js";
import { EsdbEventStore } from "./esdb-event-store.js";
import { SqliteEventStore } from "./sqlite-event-store.js";

/**
 * EventStoreDB / KurrentDB when a connection string is configured; otherwise the embedded
 * default, a durable SQLite file under the data directory.
 */
export function openEventStore(config: { dataDir: string; eventStoreConnectionString?: string }, clock?: Clock): EventStore {
  // EventStoreDB stamps its own `created` time; the embedded store takes the application's clock.
  if (config.eventStoreConnectionString) return EsdbEventStore.connect(config.eventStoreConnectionString);
  return SqliteEventStore.open(path.join(config.dataDir, "events.sqlite"), { clock });
}

/** Names the store, so a read-model file built from one store is not reused with another. */
export function eventStoreIdentity(config: { dataDir: string; eventStoreConnectionString?: string }): string {
  if (!config.eventStoreConnectionString) return "sqlite";
  // esdb://user:pass@host1:2113,host2:2113?tls=false → esdb:host1:2113,host2:2113 (several hosts: not a URL)
  const hosts = config.eventStoreConnectionString.replace(/^[^:]+:\/\//, "").replace(/[?/].*$/, "").replace(/^.*@/, "");
  return `esdb:${hosts}`;
}

/** The read models of one server, in its READ_MODELS_DIR (DATA_DIR unless set): replicas each need their own. */
export const readModelsFile = (readModelsDir: string) => path.join(readModelsDir, "read-models.sqlite");
