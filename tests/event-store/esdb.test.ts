/**
 * The esdb adapter (EventStoreDB / KurrentDB through @eventstore/db-client) passes the same
 * contract suite as the other adapters:
 * - against a real server when EVENTSTORE_CONNECTION_STRING is set (each test in its own stream
 *   prefix, so a shared server's other streams stay out of the way), otherwise
 * - against the TEST-ONLY gRPC emulator in tests/support/esdb-emulator, which checks our mapping
 *   code (bigint revisions, positions, error classes, subscriptions) and is not a database.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll } from "vitest";
import { EsdbEventStore } from "../../src/adapters/event-store/esdb-event-store.js";
import { startEsdbEmulator, type EsdbEmulator } from "../support/esdb-emulator/index.js";
import { eventStoreContract } from "./contract.js";

const realServer = process.env.EVENTSTORE_CONNECTION_STRING;
let emulator: EsdbEmulator | undefined;

if (realServer) {
  console.log(`esdb contract: running against the real server at ${realServer.replace(/\/\/[^@]*@/, "//***@")}`);
} else {
  console.log("esdb contract: EVENTSTORE_CONNECTION_STRING is not set; running against the test-only gRPC emulator");
  beforeAll(async () => {
    emulator = await startEsdbEmulator();
  });
  afterAll(async () => {
    await emulator?.stop();
  });
}

eventStoreContract(
  realServer ? "EsdbEventStore (real server)" : "EsdbEventStore (gRPC emulator)",
  async () => {
    // A real server is shared and never empty: each test gets streams of its own.
    const streamPrefix = realServer ? `t${randomUUID().replaceAll("-", "")}_` : "";
    if (!realServer) {
      await emulator?.stop();
      emulator = await startEsdbEmulator();
    }
    const connectionString = realServer ?? emulator!.connectionString;
    const opened = [EsdbEventStore.connect(connectionString, { streamPrefix })];
    return {
      store: opened[0]!,
      reopen: async () => {
        opened.push(EsdbEventStore.connect(connectionString, { streamPrefix }));
        return opened[opened.length - 1]!;
      },
      cleanup: async () => {
        for (const store of opened) await store.close();
      },
    };
  },
  { durable: true, eventIdIndex: false },
);
