import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { SqliteEventStore } from "../../src/adapters/event-store/sqlite-event-store.js";
import { eventStoreContract } from "./contract.js";

eventStoreContract("SqliteEventStore", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "event-store-"));
  const file = path.join(dir, "events.sqlite");
  const opened = [SqliteEventStore.open(file)];
  return {
    store: opened[0],
    reopen: async () => {
      opened.push(SqliteEventStore.open(file));
      return opened[opened.length - 1];
    },
    cleanup: async () => {
      for (const store of opened) await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}, { durable: true, eventIdIndex: true });
