import { MemoryEventStore } from "../../src/adapters/event-store/memory-event-store.js";
import { eventStoreContract } from "./contract.js";

eventStoreContract("MemoryEventStore", async () => {
  const store = new MemoryEventStore();
  return { store, cleanup: () => store.close() };
}, { durable: false, eventIdIndex: true });
