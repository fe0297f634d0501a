/**
 * EventStoreDB / KurrentDB — the esdb adapter's error mapping beyond the contract suite, through the real
 * client against the TEST-ONLY gRPC emulator: only WrongExpectedVersion becomes our conflict;
 * outages and timeouts are EventStoreUnavailableError; a retry after a timeout that did write is
 * recognised; system events never leak out; a stream prefix separates environments.
 */
import { status } from "@grpc/grpc-js";
import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EsdbEventStore } from "../../src/adapters/event-store/esdb-event-store.js";
import {
  EventStoreUnavailableError,
  WrongExpectedRevisionError,
  type EventToAppend,
} from "../../src/domain/shared/event-store.js";
import { startEsdbEmulator, type EsdbEmulator } from "../support/esdb-emulator/index.js";

const event = (type = "Happened"): EventToAppend => ({ id: randomUUID(), type, data: { n: 1 }, metadata: { tenantId: "t" } });

let emulator: EsdbEmulator;
let store: EsdbEventStore;

beforeEach(async () => {
  emulator = await startEsdbEmulator();
  store = EsdbEventStore.connect(emulator.connectionString);
});
afterEach(async () => {
  await store.close();
  await emulator.stop();
});

describe("EsdbEventStore error mapping", () => {
  for (const code of [status.UNAVAILABLE, status.DEADLINE_EXCEEDED, status.INTERNAL, status.PERMISSION_DENIED]) {
    it(`an append failing with ${status[code]} is EventStoreUnavailableError, never a conflict`, async () => {
      emulator.failNext(1, code, { rpcs: ["Streams/BatchAppend"] });
      const error = await store.appendToStream("order-1", [event()], { expectedRevision: "no_stream" }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EventStoreUnavailableError);
      expect(error).not.toBeInstanceOf(WrongExpectedRevisionError);
      expect(await store.readStream("order-1")).toEqual([]);
    });
  }

  it("a read failing with UNAVAILABLE is EventStoreUnavailableError", async () => {
    emulator.failNext(1, status.UNAVAILABLE, { rpcs: ["Streams/Read"] });
    await expect(store.readStream("order-1")).rejects.toBeInstanceOf(EventStoreUnavailableError);
  });

  it("a write timeout is not a conflict; retrying the same append after it did write returns the recorded result", async () => {
    const batch = [event(), event()];
    emulator.timeoutNextAppends(1, { writeAnyway: true });
    const error = await store.appendToStream("order-1", batch, { expectedRevision: "no_stream" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EventStoreUnavailableError);
    const retried = await store.appendToStream("order-1", batch, { expectedRevision: "no_stream" });
    const recorded = await store.readStream("order-1");
    expect(recorded.map((e) => e.id)).toEqual(batch.map((e) => e.id));
    expect(retried).toEqual({ nextExpectedRevision: 1n, position: recorded[1]!.position });
  });

  it("a real conflict carries the stream's actual revision", async () => {
    await store.appendToStream("order-1", [event(), event()], { expectedRevision: "no_stream" });
    const error = await store.appendToStream("order-1", [event()], { expectedRevision: 0n }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WrongExpectedRevisionError);
    expect((error as WrongExpectedRevisionError).actual).toBe(1n);
  });

  it("system events written by the server never appear in reads, subscriptions or the head position", async () => {
    expect(await store.headPosition()).toBeNull();
    const written = await store.appendToStream("order-1", [event()], { expectedRevision: "no_stream" });
    emulator.writeStatsEvent();
    expect(await store.headPosition()).toBe(written.position);
    expect((await store.readAll()).map((e) => e.streamName)).toEqual(["order-1"]);
    const subscription = store.subscribe();
    const received: string[] = [];
    for await (const recorded of subscription) {
      received.push(recorded.streamName);
      if (received.length === 1) {
        emulator.writeStatsEvent();
        await store.appendToStream("order-2", [event()], { expectedRevision: "no_stream" });
      }
      if (received.length === 2) break;
    }
    expect(received).toEqual(["order-1", "order-2"]);
  });

  it("a stream prefix keeps one environment's streams apart from another's on the same server", async () => {
    const staging = EsdbEventStore.connect(emulator.connectionString, { streamPrefix: "staging_" });
    try {
      await store.appendToStream("order-1", [event()], { expectedRevision: "no_stream" });
      await staging.appendToStream("order-1", [event("Staged")], { expectedRevision: "no_stream" });
      expect((await staging.readAll()).map((e) => [e.streamName, e.type])).toEqual([["order-1", "Staged"]]);
      expect((await staging.readStream("order-1")).map((e) => e.type)).toEqual(["Staged"]);
      expect(await staging.readAll({ filter: { streamCategories: ["order"] } })).toHaveLength(1);
    } finally {
      await staging.close();
    }
  });
});
