import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  DuplicateEventIdError,
  EventStoreUnavailableError,
  WrongExpectedRevisionError,
  type EventStore,
  type EventSubscription,
  type EventToAppend,
  type JsonObject,
  type RecordedEvent,
} from "../../src/domain/shared/event-store.js";

export interface ContractSubject {
  store: EventStore;
  /** Opens the same storage again (after `store` was closed). Only for durable adapters. */
  reopen?: () => Promise<EventStore>;
  /** Closes whatever is still open and removes the storage. */
  cleanup: () => Promise<void>;
}

export function newEvent(type = "Happened", data: JsonObject = {}, metadata: JsonObject = {}): EventToAppend {
  return { id: randomUUID(), type, data, metadata };
}

export function newEvents(count: number, type = "Happened"): EventToAppend[] {
  return Array.from({ length: count }, (_, i) => newEvent(type, { i }));
}

export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail("expected the promise to reject"),
    (error: unknown) => error,
  );
}

export async function expectConflict(promise: Promise<unknown>): Promise<void> {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(WrongExpectedRevisionError);
  expect((error as WrongExpectedRevisionError).code).toBe("CONCURRENCY_CONFLICT");
}

/**
 * Takes `count` events from the subscription then leaves the loop (which closes it).
 * `onEvent` runs before the next event is pulled. Gives up after `timeoutMs` and returns what
 * it got, so a missing event fails an assertion instead of hanging the test.
 */
export async function take(
  subscription: EventSubscription,
  count: number,
  onEvent?: (event: RecordedEvent, index: number) => unknown,
  timeoutMs = 5000,
): Promise<RecordedEvent[]> {
  const received: RecordedEvent[] = [];
  const timer = setTimeout(() => void subscription.close(), timeoutMs);
  try {
    for await (const event of subscription) {
      received.push(event);
      await onEvent?.(event, received.length - 1);
      if (received.length >= count) break;
    }
  } finally {
    clearTimeout(timer);
  }
  return received;
}

const ids = (events: { id: string }[]) => events.map((e) => e.id);

async function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not settled within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function until(condition: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * `durable`: the adapter keeps its events across close and reopen (the subject gives `reopen`).
 * `eventIdIndex`: the store indexes event ids, so it refuses ids reused anywhere and recognises a
 * retried append at any later revision. EventStoreDB has no such index: it recognises a retry
 * sent with its original expected revision, and the adapter classifies what it finds there
 * (retry, reused ids, or conflict). Deciders return [] for an applied command, so a retried
 * command does not re-send its events at a later revision.
 */
export function eventStoreContract(
  name: string,
  create: () => Promise<ContractSubject>,
  options: { durable: boolean; eventIdIndex: boolean },
): void {
  describe(`${name} event store contract`, () => {
    let subject: ContractSubject;
    let store: EventStore;

    beforeEach(async () => {
      subject = await create();
      store = subject.store;
    });
    afterEach(async () => {
      await subject.cleanup();
    });

    describe("expected revision", () => {
      it("creates a stream with no_stream and refuses a second no_stream", async () => {
        const result = await store.appendToStream("order-1", newEvents(2), { expectedRevision: "no_stream" });
        expect(result.nextExpectedRevision).toBe(1n);
        expect(typeof result.position).toBe("bigint");

        await expectConflict(store.appendToStream("order-1", newEvents(1), { expectedRevision: "no_stream" }));
        expect(await store.readStream("order-1")).toHaveLength(2);
      });

      it("accepts the exact current revision and refuses any other", async () => {
        await store.appendToStream("order-1", newEvents(2), { expectedRevision: "no_stream" });
        await expectConflict(store.appendToStream("order-1", newEvents(1), { expectedRevision: 0n }));
        await expectConflict(store.appendToStream("order-1", newEvents(1), { expectedRevision: 2n }));

        const result = await store.appendToStream("order-1", newEvents(3), { expectedRevision: 1n });
        expect(result.nextExpectedRevision).toBe(4n);
        const next = await store.appendToStream("order-1", newEvents(1), { expectedRevision: result.nextExpectedRevision });
        expect(next.nextExpectedRevision).toBe(5n);
        expect(next.position > result.position).toBe(true);
      });

      it("refuses an exact revision on a missing stream", async () => {
        const error = await rejectionOf(store.appendToStream("order-1", newEvents(1), { expectedRevision: 0n }));
        expect(error).toBeInstanceOf(WrongExpectedRevisionError);
        expect((error as WrongExpectedRevisionError).actual).toBe("no_stream");
      });

      it("stream_exists fails on a missing stream and succeeds on an existing one", async () => {
        await expectConflict(store.appendToStream("order-1", newEvents(1), { expectedRevision: "stream_exists" }));
        expect(await store.readStream("order-1")).toEqual([]);

        await store.appendToStream("order-1", newEvents(1), { expectedRevision: "no_stream" });
        const result = await store.appendToStream("order-1", newEvents(2), { expectedRevision: "stream_exists" });
        expect(result.nextExpectedRevision).toBe(2n);
      });

      it("reports the actual revision in a conflict", async () => {
        await store.appendToStream("order-1", newEvents(3), { expectedRevision: "no_stream" });
        const error = (await rejectionOf(
          store.appendToStream("order-1", newEvents(1), { expectedRevision: 0n }),
        )) as WrongExpectedRevisionError;
        expect(error.streamName).toBe("order-1");
        expect(error.expected).toBe(0n);
        expect(error.actual).toBe(2n);
      });

      it("returns the position of the last appended event", async () => {
        await store.appendToStream("other-1", newEvents(2), { expectedRevision: "no_stream" });
        const result = await store.appendToStream("order-1", newEvents(3), { expectedRevision: "no_stream" });
        const stream = await store.readStream("order-1");
        expect(result.position).toBe(stream[2].position);
        expect(await store.headPosition()).toBe(result.position);
      });
    });

    describe("empty batch", () => {
      it("checks the expected revision and writes nothing", async () => {
        const empty = await store.appendToStream("order-1", [], { expectedRevision: "no_stream" });
        expect(empty).toEqual({ nextExpectedRevision: -1n, position: 0n });
        expect(await store.headPosition()).toBeNull();
        await expectConflict(store.appendToStream("order-1", [], { expectedRevision: "stream_exists" }));

        const written = await store.appendToStream("order-1", newEvents(2), { expectedRevision: "no_stream" });
        await store.appendToStream("other-1", newEvents(1), { expectedRevision: "no_stream" });
        const head = await store.headPosition();
        expect(await store.appendToStream("order-1", [], { expectedRevision: 1n })).toEqual(written);
        expect(await store.appendToStream("order-1", [], { expectedRevision: "stream_exists" })).toEqual(written);
        await expectConflict(store.appendToStream("order-1", [], { expectedRevision: 0n }));
        await expectConflict(store.appendToStream("order-1", [], { expectedRevision: "no_stream" }));
        expect(await store.appendToStream("order-2", [], { expectedRevision: "no_stream" })).toEqual({
          nextExpectedRevision: -1n,
          position: head,
        });
        expect(await store.headPosition()).toBe(head);
        expect(await store.readAll()).toHaveLength(3);
      });

      it("returns a nextExpectedRevision that can be passed back for a missing stream", async () => {
        const empty = await store.appendToStream("order-1", [], { expectedRevision: "no_stream" });
        const result = await store.appendToStream("order-1", newEvents(1), {
          expectedRevision: empty.nextExpectedRevision,
        });
        expect(result.nextExpectedRevision).toBe(0n);
      });
    });

    describe("reading a stream", () => {
      let appended: EventToAppend[];
      beforeEach(async () => {
        appended = newEvents(5);
        await store.appendToStream("order-1", appended.slice(0, 2), { expectedRevision: "no_stream" });
        await store.appendToStream("other-1", newEvents(2), { expectedRevision: "no_stream" });
        await store.appendToStream("order-1", appended.slice(2), { expectedRevision: 1n });
      });

      it("reads forwards, only this stream, with bigint revisions", async () => {
        const events = await store.readStream("order-1");
        expect(ids(events)).toEqual(ids(appended));
        expect(events.map((e) => e.revision)).toEqual([0n, 1n, 2n, 3n, 4n]);
        expect(events.every((e) => e.streamName === "order-1")).toBe(true);
        expect(events.every((e) => typeof e.position === "bigint")).toBe(true);
      });

      it("reads forwards from a revision, with maxCount", async () => {
        expect((await store.readStream("order-1", { fromRevision: 2n })).map((e) => e.revision)).toEqual([2n, 3n, 4n]);
        expect((await store.readStream("order-1", { maxCount: 2 })).map((e) => e.revision)).toEqual([0n, 1n]);
        expect(
          (await store.readStream("order-1", { fromRevision: 1n, maxCount: 3 })).map((e) => e.revision),
        ).toEqual([1n, 2n, 3n]);
        expect(await store.readStream("order-1", { fromRevision: 5n })).toEqual([]);
      });

      it("reads backwards, from a revision, with maxCount", async () => {
        const backwards = await store.readStream("order-1", { direction: "backwards" });
        expect(ids(backwards)).toEqual(ids(appended).reverse());
        expect(
          (await store.readStream("order-1", { direction: "backwards", fromRevision: 2n })).map((e) => e.revision),
        ).toEqual([2n, 1n, 0n]);
        expect(
          (await store.readStream("order-1", { direction: "backwards", maxCount: 2 })).map((e) => e.revision),
        ).toEqual([4n, 3n]);
      });

      it("returns [] for a missing stream", async () => {
        expect(await store.readStream("order-404")).toEqual([]);
        expect(await store.readStream("order-404", { direction: "backwards" })).toEqual([]);
      });
    });

    it("keeps data and metadata intact", async () => {
      const data = {
        title: "Atelier « prise de parole » — 東京 🎤",
        empty: "",
        count: 42,
        ratio: 0.25,
        negative: -7,
        flag: false,
        nothing: null,
        list: [1, "two", { three: [3] }, []],
        nested: { deeper: { deepest: { value: "ünïcödé", emoji: "👩🏽‍🏫" } }, empty: {} },
      };
      const metadata = { correlationId: randomUUID(), causationId: randomUUID(), user: { id: "u-1", roles: ["coach"] } };
      const before = Date.now();
      const event = newEvent("SessionScheduled", data, metadata);
      await store.appendToStream("session-1", [event], { expectedRevision: "no_stream" });

      for (const read of [await store.readStream("session-1"), await store.readAll()]) {
        expect(read).toHaveLength(1);
        expect(read[0].id).toBe(event.id);
        expect(read[0].type).toBe("SessionScheduled");
        expect(read[0].streamName).toBe("session-1");
        expect(read[0].data).toEqual(data);
        expect(read[0].metadata).toEqual(metadata);
        expect(read[0].recordedAt).toBeInstanceOf(Date);
        expect(read[0].recordedAt.getTime()).toBeGreaterThanOrEqual(before - 1000);
        expect(read[0].recordedAt.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
      }
    });

    it("does not let a caller change recorded events by mutating its objects", async () => {
      const event = newEvent("Happened", { list: [1] });
      await store.appendToStream("order-1", [event], { expectedRevision: "no_stream" });
      (event.data.list as number[]).push(2);
      const [read] = await store.readStream("order-1");
      (read.data.list as number[]).push(3);
      expect((await store.readStream("order-1"))[0].data).toEqual({ list: [1] });
    });

    describe("reading all", () => {
      let all: EventToAppend[];
      beforeEach(async () => {
        all = [
          newEvent("OrderPlaced"),
          newEvent("CustomerRegistered"),
          newEvent("OrderShipped"),
          newEvent("OrderPlaced"),
          newEvent("CustomerRenamed"),
          newEvent("OrderPlaced"),
        ];
        await store.appendToStream("order-1", [all[0]], { expectedRevision: "no_stream" });
        await store.appendToStream("customer-1", [all[1]], { expectedRevision: "no_stream" });
        await store.appendToStream("order-1", [all[2]], { expectedRevision: 0n });
        await store.appendToStream("order-2", [all[3]], { expectedRevision: "no_stream" });
        await store.appendToStream("customer-1", [all[4]], { expectedRevision: 0n });
        await store.appendToStream("order-3", [all[5]], { expectedRevision: "no_stream" });
      });

      it("returns every event in append order with strictly increasing positions", async () => {
        const events = await store.readAll();
        expect(ids(events)).toEqual(ids(all));
        for (let i = 1; i < events.length; i++) expect(events[i].position > events[i - 1].position).toBe(true);
        expect(await store.headPosition()).toBe(events[5].position);
      });

      it("treats after as exclusive and honours maxCount", async () => {
        const events = await store.readAll();
        expect(ids(await store.readAll({ after: events[2].position }))).toEqual(ids(all.slice(3)));
        expect(ids(await store.readAll({ maxCount: 2 }))).toEqual(ids(all.slice(0, 2)));
        expect(ids(await store.readAll({ after: events[1].position, maxCount: 2 }))).toEqual(ids(all.slice(2, 4)));
        expect(await store.readAll({ after: events[5].position })).toEqual([]);
      });

      it("filters by category, by event type, and by both", async () => {
        const orders = await store.readAll({ filter: { streamCategories: ["order"] } });
        expect(ids(orders)).toEqual(ids([all[0], all[2], all[3], all[5]]));

        const placed = await store.readAll({ filter: { eventTypes: ["OrderPlaced", "CustomerRenamed"] } });
        expect(ids(placed)).toEqual(ids([all[0], all[3], all[4], all[5]]));

        const both = await store.readAll({ filter: { streamCategories: ["order"], eventTypes: ["OrderShipped"] } });
        expect(ids(both)).toEqual([all[2].id]);

        expect(await store.readAll({ filter: { streamCategories: ["nothing"] } })).toEqual([]);
      });

      it("combines a filter with after and maxCount", async () => {
        const orders = await store.readAll({ filter: { streamCategories: ["order"] } });
        const page = await store.readAll({ after: orders[0].position, maxCount: 2, filter: { streamCategories: ["order"] } });
        expect(ids(page)).toEqual(ids([all[2], all[3]]));
      });
    });

    describe("idempotent retry", () => {
      it("does not record a retried append twice, and returns the original result", async () => {
        const batch = newEvents(2);
        const first = await store.appendToStream("order-1", batch, { expectedRevision: "no_stream" });
        const retry = await store.appendToStream("order-1", batch, { expectedRevision: "no_stream" });
        expect(retry).toEqual(first);
        expect(ids(await store.readStream("order-1"))).toEqual(ids(batch));
        expect(await store.readAll()).toHaveLength(2);
      });

      if (options.eventIdIndex) {
        it("recognises a retry after later appends, even with its old expected revision", async () => {
          const batch1 = newEvents(2);
          const batch2 = newEvents(3);
          const result1 = await store.appendToStream("order-1", batch1, { expectedRevision: "no_stream" });
          const result2 = await store.appendToStream("order-1", batch2, { expectedRevision: 1n });
          await store.appendToStream("order-1", newEvents(1), { expectedRevision: 4n });
          await store.appendToStream("other-1", newEvents(1), { expectedRevision: "no_stream" });
          const before = await store.readAll();

          expect(await store.appendToStream("order-1", batch1, { expectedRevision: "no_stream" })).toEqual(result1);
          expect(await store.appendToStream("order-1", batch2, { expectedRevision: 1n })).toEqual(result2);
          expect(await store.appendToStream("order-1", batch2, { expectedRevision: 5n })).toEqual(result2);
          expect(result2).toEqual({ nextExpectedRevision: 4n, position: before[4].position });
          expect(await store.readAll()).toEqual(before);
        });

        it("rejects a batch that only partly overlaps recorded events, without a conflict error", async () => {
          const batch = newEvents(2);
          await store.appendToStream("order-1", batch, { expectedRevision: "no_stream" });
          const before = await store.readAll();

          for (const overlapping of [
            [batch[0], newEvent()],
            [newEvent(), batch[1]],
            [batch[1], batch[0]],
          ]) {
            const error = await rejectionOf(store.appendToStream("order-1", overlapping, { expectedRevision: 1n }));
            expect(error).toBeInstanceOf(DuplicateEventIdError);
            expect(error).not.toBeInstanceOf(WrongExpectedRevisionError);
            expect(error).not.toBeInstanceOf(EventStoreUnavailableError);
            expect((error as Error).message).toMatch(/already used/);
          }
          expect(await store.readAll()).toEqual(before);
        });

        it("rejects event ids already recorded in another stream", async () => {
          const batch = newEvents(2);
          await store.appendToStream("order-1", batch, { expectedRevision: "no_stream" });
          const error = await rejectionOf(store.appendToStream("order-2", batch, { expectedRevision: "no_stream" }));
          expect(error).toBeInstanceOf(DuplicateEventIdError);
          expect((error as Error).message).toMatch(/already used/);
          expect(await store.readStream("order-2")).toEqual([]);
        });
      } else {
        it("recognises a retry sent with its original expected revision, after later appends (no event-id index: ids reused at the current revision or in another stream are not detected)", async () => {
          const batch1 = newEvents(2);
          const batch2 = newEvents(3);
          const result1 = await store.appendToStream("order-1", batch1, { expectedRevision: "no_stream" });
          const result2 = await store.appendToStream("order-1", batch2, { expectedRevision: 1n });
          await store.appendToStream("order-1", newEvents(1), { expectedRevision: 4n });
          const before = await store.readAll();

          expect(await store.appendToStream("order-1", batch1, { expectedRevision: "no_stream" })).toEqual(result1);
          expect(await store.appendToStream("order-1", batch2, { expectedRevision: 1n })).toEqual(result2);
          expect(result2).toEqual({ nextExpectedRevision: 4n, position: before[4].position });
          expect(await store.readAll()).toEqual(before);
        });

        it("rejects a batch that partly overlaps the events after its expected revision, without a conflict error", async () => {
          const batch = newEvents(2);
          await store.appendToStream("order-1", batch, { expectedRevision: "no_stream" });
          const before = await store.readAll();

          for (const overlapping of [[batch[0], newEvent()], [newEvent(), batch[1]], [batch[1], batch[0]]]) {
            const error = await rejectionOf(store.appendToStream("order-1", overlapping, { expectedRevision: "no_stream" }));
            expect(error).toBeInstanceOf(DuplicateEventIdError);
            expect(error).not.toBeInstanceOf(WrongExpectedRevisionError);
            expect((error as Error).message).toMatch(/already used/);
          }
          expect(await store.readAll()).toEqual(before);
        });
      }

      it("rejects a batch containing the same id twice", async () => {
        const event = newEvent();
        const error = await rejectionOf(store.appendToStream("order-1", [event, event], { expectedRevision: "no_stream" }));
        expect(error).toBeInstanceOf(DuplicateEventIdError);
        expect(await store.readStream("order-1")).toEqual([]);
      });
    });

    describe("concurrency", () => {
      it("lets exactly one of 20 concurrent appends at the same revision win", async () => {
        await store.appendToStream("order-1", newEvents(1), { expectedRevision: "no_stream" });
        const results = await Promise.allSettled(
          Array.from({ length: 20 }, () => store.appendToStream("order-1", newEvents(1), { expectedRevision: 0n })),
        );
        const won = results.filter((r) => r.status === "fulfilled");
        const lost = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(19);
        for (const r of lost) expect(r.reason).toBeInstanceOf(WrongExpectedRevisionError);
        expect((await store.readStream("order-1")).map((e) => e.revision)).toEqual([0n, 1n]);
      });

      it("lets exactly one of concurrent no_stream appends create the stream", async () => {
        const results = await Promise.allSettled(
          Array.from({ length: 10 }, () => store.appendToStream("order-1", newEvents(2), { expectedRevision: "no_stream" })),
        );
        expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
        expect(await store.readStream("order-1")).toHaveLength(2);
      });

      it("writers retrying on conflict produce a stream without gaps", async () => {
        const writers = 5;
        const perWriter = 8;
        const written: string[] = [];
        const writer = async () => {
          for (let n = 0; n < perWriter; n++) {
            const event = newEvent();
            for (;;) {
              const [last] = await store.readStream("order-1", { direction: "backwards", maxCount: 1 });
              try {
                await store.appendToStream("order-1", [event], { expectedRevision: last ? last.revision : "no_stream" });
                written.push(event.id);
                break;
              } catch (error) {
                if (!(error instanceof WrongExpectedRevisionError)) throw error;
              }
            }
          }
        };
        await Promise.all(Array.from({ length: writers }, writer));
        const stream = await store.readStream("order-1");
        expect(stream.map((e) => e.revision)).toEqual(Array.from({ length: writers * perWriter }, (_, i) => BigInt(i)));
        expect(ids(stream).sort()).toEqual([...written].sort());
      });

      it("concurrent appends to many streams get unique, increasing positions", async () => {
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, s) =>
            (async () => {
              const positions: bigint[] = [];
              let expected: bigint | "no_stream" = "no_stream";
              for (let n = 0; n < 5; n++) {
                const result = await store.appendToStream(`order-${s}`, newEvents(1 + (n % 3)), { expectedRevision: expected });
                expected = result.nextExpectedRevision;
                positions.push(result.position);
              }
              return positions;
            })(),
          ),
        );
        const all = await store.readAll();
        expect(all).toHaveLength(10 * (1 + 2 + 3 + 1 + 2));
        const positions = all.map((e) => e.position);
        for (let i = 1; i < positions.length; i++) expect(positions[i] > positions[i - 1]).toBe(true);
        expect(new Set(ids(all)).size).toBe(all.length);
        const byPosition = new Map(all.map((e) => [e.position, e]));
        results.forEach((streamPositions, s) => {
          for (const p of streamPositions) expect(byPosition.get(p)?.streamName).toBe(`order-${s}`);
        });
      });
    });

    describe("subscriptions", () => {
      it("delivers existing events then live ones, in order", async () => {
        const existing = newEvents(3);
        await store.appendToStream("order-1", existing, { expectedRevision: "no_stream" });
        const live = newEvents(2);
        const received = await take(store.subscribe(), 5, async (_, i) => {
          if (i === 2) {
            // Let the subscription reach its live (waiting) state first.
            await new Promise((resolve) => setTimeout(resolve, 20));
            await store.appendToStream("order-1", [live[0]], { expectedRevision: 2n });
            await store.appendToStream("customer-1", [live[1]], { expectedRevision: "no_stream" });
          }
        });
        expect(ids(received)).toEqual(ids([...existing, ...live]));
      });

      it("wakes up a subscription that is waiting for new events", async () => {
        const live = newEvents(2);
        const received = take(store.subscribe(), 2);
        // Both appends happen while the consumer is blocked in next(), not between two events.
        await new Promise((resolve) => setTimeout(resolve, 30));
        await store.appendToStream("order-1", [live[0]], { expectedRevision: "no_stream" });
        await new Promise((resolve) => setTimeout(resolve, 30));
        await store.appendToStream("order-1", [live[1]], { expectedRevision: 0n });
        expect(ids(await within(received, 2000))).toEqual(ids(live));
      });

      it("delivers events appended during catch-up exactly once, in order", async () => {
        // More than one read batch of history, so appends land mid catch-up and at batch edges.
        const expected: string[] = [];
        let revision: bigint | "no_stream" = "no_stream";
        for (let b = 0; b < 5; b++) {
          const batch = newEvents(50);
          revision = (await store.appendToStream("order-1", batch, { expectedRevision: revision })).nextExpectedRevision;
          expected.push(...ids(batch));
        }
        const appendOne = async (stream: string) => {
          const event = newEvent();
          const [last] = await store.readStream(stream, { direction: "backwards", maxCount: 1 });
          await store.appendToStream(stream, [event], { expectedRevision: last ? last.revision : "no_stream" });
          expected.push(event.id);
        };
        const appendAt = new Set([0, 5, 99, 100, 150, 199, 249, 252]);
        const total = 250 + appendAt.size;
        const sentinel = newEvent("Sentinel");

        const received = await take(store.subscribe(), total + 1, async (_, i) => {
          if (appendAt.has(i)) await appendOne(i % 2 === 0 ? "order-2" : "customer-1");
          // Anything delivered twice would come before the sentinel.
          if (i === total - 1) await store.appendToStream("marker-1", [sentinel], { expectedRevision: "no_stream" });
        });
        expect(ids(received)).toEqual([...expected, sentinel.id]);
        for (let i = 1; i < received.length; i++) expect(received[i].position > received[i - 1].position).toBe(true);
      });

      it("applies the filter to history and live events", async () => {
        const order1 = newEvent("OrderPlaced");
        await store.appendToStream("order-1", [order1], { expectedRevision: "no_stream" });
        await store.appendToStream("customer-1", [newEvent("CustomerRegistered")], { expectedRevision: "no_stream" });
        await store.appendToStream("order-2", [newEvent("OrderCancelled")], { expectedRevision: "no_stream" });
        const order3 = newEvent("OrderPlaced");
        const order4 = newEvent("OrderPlaced");

        const subscription = store.subscribe({ filter: { streamCategories: ["order"], eventTypes: ["OrderPlaced"] } });
        const received = await take(subscription, 3, async (_, i) => {
          if (i === 0) {
            await store.appendToStream("customer-2", [newEvent("OrderPlaced")], { expectedRevision: "no_stream" });
            await store.appendToStream("order-3", [order3], { expectedRevision: "no_stream" });
            await store.appendToStream("order-2", [newEvent("OrderShipped")], { expectedRevision: 0n });
          }
          if (i === 1) await store.appendToStream("order-4", [order4], { expectedRevision: "no_stream" });
        });
        expect(ids(received)).toEqual(ids([order1, order3, order4]));
      });

      it("starts after the given position", async () => {
        const events = newEvents(4);
        await store.appendToStream("order-1", events, { expectedRevision: "no_stream" });
        const [, second] = await store.readStream("order-1");
        const live = newEvent();
        const received = await take(store.subscribe({ after: second.position }), 3, async (_, i) => {
          if (i === 1) await store.appendToStream("order-1", [live], { expectedRevision: 3n });
        });
        expect(ids(received)).toEqual(ids([events[2], events[3], live]));
      });

      it("close() ends a waiting for-await loop promptly", async () => {
        const subscription = store.subscribe();
        const received: RecordedEvent[] = [];
        const loop = (async () => {
          for await (const event of subscription) received.push(event);
        })();
        await store.appendToStream("order-1", newEvents(2), { expectedRevision: "no_stream" });
        await until(() => received.length === 2);
        await subscription.close();
        await within(loop, 1000);
        await store.appendToStream("order-1", newEvents(1), { expectedRevision: 1n });
        await new Promise((resolve) => setTimeout(resolve, 20));
        expect(received).toHaveLength(2);
      });

      it("closing the store ends its subscriptions", async () => {
        const subscription = store.subscribe();
        const loop = (async () => {
          for await (const _ of subscription) void _;
        })();
        await new Promise((resolve) => setTimeout(resolve, 10));
        await store.close();
        await within(loop, 1000);
      });
    });

    it("headPosition is null when empty, then the last position", async () => {
      expect(await store.headPosition()).toBeNull();
      await store.appendToStream("order-1", newEvents(2), { expectedRevision: "no_stream" });
      const result = await store.appendToStream("customer-1", newEvents(1), { expectedRevision: "no_stream" });
      expect(await store.headPosition()).toBe(result.position);
    });

    it("fails with EventStoreUnavailableError once closed", async () => {
      await store.close();
      await store.close();
      for (const call of [
        () => store.appendToStream("order-1", newEvents(1), { expectedRevision: "no_stream" }),
        () => store.readStream("order-1"),
        () => store.readAll(),
        () => store.headPosition(),
      ]) {
        const error = await rejectionOf(call());
        expect(error).toBeInstanceOf(EventStoreUnavailableError);
        expect((error as EventStoreUnavailableError).code).toBe("EVENT_STORE_UNAVAILABLE");
      }
    });

    if (options.durable) it("keeps its events across close and reopen", async () => {
      if (!subject.reopen) throw new Error("a durable adapter's subject must give reopen()");
      const batch = [newEvent("A", { n: 1, text: "é" }, { m: true }), newEvent("B", { n: 2 })];
      const result = await store.appendToStream("order-1", batch, { expectedRevision: "no_stream" });
      const before = await store.readAll();
      await store.close();

      const reopened = await subject.reopen();
      expect(await reopened.readAll()).toEqual(before);
      expect(await reopened.headPosition()).toBe(result.position);
      await expectConflict(reopened.appendToStream("order-1", newEvents(1), { expectedRevision: "no_stream" }));
      expect(await reopened.appendToStream("order-1", batch, { expectedRevision: "no_stream" })).toEqual(result);
      const next = await reopened.appendToStream("order-1", newEvents(1), { expectedRevision: 1n });
      expect(next.position > result.position).toBe(true);
    });
  });
}
