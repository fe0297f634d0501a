/**
 * Proves the TEST-ONLY EventStoreDB emulator answers the real `@eventstore/db-client` 6.2.1 the
 * way a real server does for the calls our `esdb` adapter makes: the client takes the
 * BatchAppend path (and Append when batchappend is not advertised), revisions and positions are
 * bigint with strictly increasing, non-consecutive positions, a wrong expected version surfaces
 * as WrongExpectedVersionError with the actual revision, retries are idempotent, stream/$all
 * reads honour direction/start/count, a missing stream gives StreamNotFoundError, filtered
 * $all subscriptions catch up then go live with checkpoints, `esdb+discover://` connects
 * through Gossip, and injected faults are NOT wrong-expected-version errors.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { status } from "@grpc/grpc-js";
import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError,
  binaryEvent,
  eventTypeFilter,
  excludeSystemEvents,
  jsonEvent,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type AppendResult,
  type Position,
  type ResolvedEvent,
} from "@eventstore/db-client";
import { startEsdbEmulator, type EsdbEmulator } from "./index.js";

function events(count: number, type = "Happened") {
  return Array.from({ length: count }, (_, i) => jsonEvent({ type, data: { i }, metadata: { n: i } }));
}

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail("expected a rejection"),
    (error: unknown) => error,
  );
}

/** Reads `count` events from a subscription (or gives up after 3 s and returns what it got). */
async function take(
  subscription: AsyncIterable<AllStreamResolvedEvent | ResolvedEvent> & { unsubscribe(): Promise<void> },
  count: number,
) {
  const got: (AllStreamResolvedEvent | ResolvedEvent)[] = [];
  const timer = setTimeout(() => void subscription.unsubscribe(), 3000);
  try {
    for await (const item of subscription) {
      got.push(item);
      if (got.length >= count) break;
    }
  } finally {
    clearTimeout(timer);
  }
  return got;
}

async function eventually(check: () => void, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      check();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

describe("EventStoreDB emulator, through the real client (BatchAppend path)", () => {
  let emulator: EsdbEmulator;
  let client: EventStoreDBClient;

  beforeAll(async () => {
    emulator = await startEsdbEmulator();
    client = EventStoreDBClient.connectionString(emulator.connectionString);
  });
  afterEach(() => emulator.clearFaults());
  afterAll(async () => {
    await client.dispose();
    await emulator.stop();
  });

  it("advertises batchappend, so appends go through BatchAppend and never Append", async () => {
    const before = emulator.callCounts()["appends via BatchAppend"] ?? 0;
    await client.appendToStream(`order-${randomUUID()}`, events(2), { expectedRevision: NO_STREAM });
    await client.appendToStream(`order-${randomUUID()}`, events(1));
    const counts = emulator.callCounts();
    expect(counts["ServerFeatures/GetSupportedMethods"]).toBe(1);
    expect(counts["appends via BatchAppend"]).toBe(before + 2);
    expect(counts["Streams/BatchAppend"]).toBe(1); // one long-lived bidi call carries both appends
    expect(counts["Streams/Append"]).toBeUndefined();
  });

  it("returns bigint revisions and the last event's position; positions grow but not by 1", async () => {
    const stream = `order-${randomUUID()}`;
    const first = await client.appendToStream(stream, events(3), { expectedRevision: NO_STREAM });
    expect(first.success).toBe(true);
    expect(first.nextExpectedRevision).toBe(2n);
    const second = await client.appendToStream(stream, events(2), { expectedRevision: 2n });
    expect(second.nextExpectedRevision).toBe(4n);
    expect(typeof second.position!.commit).toBe("bigint");
    expect(second.position!.prepare).toBe(second.position!.commit);

    const recorded = await collect(client.readStream(stream));
    expect(recorded.map((e) => e.event!.revision)).toEqual([0n, 1n, 2n, 3n, 4n]);
    const positions = recorded.map((e) => e.event!.position!.commit);
    expect(positions[2]).toBe(first.position!.commit);
    expect(positions[4]).toBe(second.position!.commit);
    for (let i = 1; i < positions.length; i++) {
      expect(positions[i]! > positions[i - 1]! + 1n).toBe(true);
      expect(recorded[i]!.commitPosition).toBe(positions[i]);
    }
  });

  it("reports a wrong expected version as WrongExpectedVersionError with the actual revision", async () => {
    const stream = `order-${randomUUID()}`;
    await client.appendToStream(stream, events(3), { expectedRevision: NO_STREAM });

    const stale = await rejectionOf(client.appendToStream(stream, events(1), { expectedRevision: 0n }));
    expect(stale).toBeInstanceOf(WrongExpectedVersionError);
    expect((stale as WrongExpectedVersionError).actualVersion).toBe(2n);
    expect((stale as WrongExpectedVersionError).expectedVersion).toBe(0n);
    expect((stale as WrongExpectedVersionError).streamName).toBe(stream);

    const exists = await rejectionOf(client.appendToStream(stream, events(1), { expectedRevision: NO_STREAM }));
    expect((exists as WrongExpectedVersionError).actualVersion).toBe(2n);
    expect((exists as WrongExpectedVersionError).expectedVersion).toBe("no_stream");

    const missing = `order-${randomUUID()}`;
    const notThere = await rejectionOf(client.appendToStream(missing, events(1), { expectedRevision: STREAM_EXISTS }));
    expect(notThere).toBeInstanceOf(WrongExpectedVersionError);
    expect((notThere as WrongExpectedVersionError).actualVersion).toBe("no_stream");
    const exact = await rejectionOf(client.appendToStream(missing, events(1), { expectedRevision: 0n }));
    expect((exact as WrongExpectedVersionError).actualVersion).toBe("no_stream");

    expect(await collect(client.readStream(stream))).toHaveLength(3);
  });

  it("treats a retried append as idempotent and returns the original result", async () => {
    const stream = `order-${randomUUID()}`;
    const batch = events(2);
    const original = await client.appendToStream(stream, batch, { expectedRevision: NO_STREAM });
    const retry = await client.appendToStream(stream, batch, { expectedRevision: NO_STREAM });
    expect(retry).toEqual(original);

    await client.appendToStream(stream, events(2), { expectedRevision: 1n });
    const lateRetry = await client.appendToStream(stream, batch, { expectedRevision: NO_STREAM });
    expect(lateRetry).toEqual<AppendResult>(original);
    expect((await collect(client.readStream(stream))).map((e) => e.event!.revision)).toEqual([0n, 1n, 2n, 3n]);

    const partly = [batch[0]!, ...events(1)];
    const overlap = await rejectionOf(client.appendToStream(stream, partly, { expectedRevision: NO_STREAM }));
    expect(overlap).toBeInstanceOf(WrongExpectedVersionError);
  });

  it("reads a stream forwards, backwards, from a revision, with a count, and keeps data intact", async () => {
    const stream = `order-${randomUUID()}`;
    const bytes = Uint8Array.from([0, 1, 2, 255]);
    const id = randomUUID();
    await client.appendToStream(stream, [
      ...events(3),
      binaryEvent({ id, type: "Blob", data: bytes, metadata: Uint8Array.from([9]) }),
    ]);

    const forwards = await collect(client.readStream(stream, { fromRevision: 1n, maxCount: 2, direction: FORWARDS }));
    expect(forwards.map((e) => e.event!.revision)).toEqual([1n, 2n]);
    expect(forwards[0]!.event).toMatchObject({ type: "Happened", data: { i: 1 }, metadata: { n: 1 }, isJson: true });

    const backwards = await collect(client.readStream(stream, { fromRevision: END, direction: BACKWARDS, maxCount: 2 }));
    expect(backwards.map((e) => e.event!.revision)).toEqual([3n, 2n]);
    const blob = backwards[0]!.event!;
    expect(blob).toMatchObject({ id, type: "Blob", isJson: false, streamId: stream });
    expect(Array.from(blob.data as Uint8Array)).toEqual([0, 1, 2, 255]);
    expect(Math.abs(blob.created.getTime() - Date.now())).toBeLessThan(60_000);

    expect(await collect(client.readStream(stream, { fromRevision: 1n, direction: BACKWARDS }))).toHaveLength(2);
  });

  it("fails a read of a missing stream with StreamNotFoundError", async () => {
    const missing = `order-${randomUUID()}`;
    const error = await rejectionOf(collect(client.readStream(missing)));
    expect(error).toBeInstanceOf(StreamNotFoundError);
    expect((error as StreamNotFoundError).streamName).toBe(missing);
  });

  it("reads $all with system events, strictly increasing positions, inclusive forwards and exclusive backwards", async () => {
    const all = await collect(client.readAll({ fromPosition: START }));
    expect(all[0]!.event!.streamId.startsWith("$")).toBe(true);
    expect(all.some((e) => e.event!.type.startsWith("$"))).toBe(true);
    const positions = all.map((e) => e.event!.position!.commit);
    for (let i = 1; i < positions.length; i++) expect(positions[i]! > positions[i - 1]!).toBe(true);

    const middle = all[3]!.event!.position!;
    const fromMiddle = await collect(client.readAll({ fromPosition: middle, maxCount: 2 }));
    expect(fromMiddle.map((e) => e.event!.id)).toEqual([all[3]!.event!.id, all[4]!.event!.id]);
    const beforeMiddle = await collect(client.readAll({ fromPosition: middle, direction: BACKWARDS, maxCount: 2 }));
    expect(beforeMiddle.map((e) => e.event!.id)).toEqual([all[2]!.event!.id, all[1]!.event!.id]);
    const last = await collect(client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1 }));
    expect(last[0]!.event!.id).toBe(all.at(-1)!.event!.id);
    expect(emulator.headPosition()).toBe(positions.at(-1));
  });

  it("runs a filtered $all subscription: confirmation, catch-up, caught-up, live, checkpoints, cleanup", async () => {
    const type = `Filtered${randomUUID().slice(0, 8)}`;
    const stream = `order-${randomUUID()}`;
    await client.appendToStream(stream, events(2, type));
    await client.appendToStream(stream, events(3)); // filtered out
    const openBefore = emulator.openSubscriptions();
    const checkpoints: Position[] = [];
    let caughtUp = false;
    const subscription = client.subscribeToAll({
      fromPosition: START,
      filter: eventTypeFilter({
        prefixes: [type],
        maxSearchWindow: 2,
        checkpointInterval: 1,
        checkpointReached: (_s, position) => void checkpoints.push(position),
      }),
    });
    let confirmed = false;
    subscription.on("confirmation", () => (confirmed = true));
    subscription.on("caughtUp", () => (caughtUp = true));
    const received = take(subscription, 4);
    await eventually(() => expect(caughtUp).toBe(true));
    emulator.writeStatsEvent(); // a live system event the filter must drop
    await client.appendToStream(stream, events(2, type));
    const got = await received;

    expect(confirmed).toBe(true);
    expect(got.map((e) => e.event!.type)).toEqual([type, type, type, type]);
    expect(got.map((e) => e.event!.revision)).toEqual([0n, 1n, 5n, 6n]);
    expect(checkpoints.length).toBeGreaterThan(0);
    for (let i = 1; i < checkpoints.length; i++) expect(checkpoints[i]!.commit > checkpoints[i - 1]!.commit).toBe(true);

    // Leaving the for-await loop does NOT cancel the gRPC call (the client pipes it into the
    // subscription stream); unsubscribe() does, and the server side cleans up.
    await new Promise((r) => setTimeout(r, 50));
    expect(emulator.openSubscriptions()).toBe(openBefore + 1);
    await subscription.unsubscribe();
    await eventually(() => expect(emulator.openSubscriptions()).toBe(openBefore));
  });

  it("filters $all by stream name and excludes system events; starts after a position", async () => {
    const category = `cat${randomUUID().slice(0, 8)}`;
    const first = await client.appendToStream(`${category}-1`, events(1));
    await client.appendToStream(`${category}-2`, events(1));
    await client.appendToStream(`other-${randomUUID()}`, events(1));

    const byName = client.subscribeToAll({
      fromPosition: first.position!,
      filter: streamNameFilter({ prefixes: [`${category}-`] }),
    });
    const afterFirst = await take(byName, 1);
    expect(afterFirst.map((e) => e.event!.streamId)).toEqual([`${category}-2`]);
    await byName.unsubscribe();

    const noSystem = client.subscribeToAll({ fromPosition: START, filter: excludeSystemEvents() });
    const some = await take(noSystem, 3);
    expect(some).toHaveLength(3);
    expect(some.every((e) => !e.event!.type.startsWith("$"))).toBe(true);
    await noSystem.unsubscribe();
  });

  it("subscribes to a stream from a revision (exclusive) and then live", async () => {
    const stream = `order-${randomUUID()}`;
    await client.appendToStream(stream, events(3));
    const subscription = client.subscribeToStream(stream, { fromRevision: 1n });
    const received = take(subscription, 2);
    await client.appendToStream(stream, events(1));
    expect((await received).map((e) => e.event!.revision)).toEqual([2n, 3n]);
    await subscription.unsubscribe();
  });

  it("fails injected UNAVAILABLE / DEADLINE_EXCEEDED calls with errors that are not WrongExpectedVersionError", async () => {
    const stream = `order-${randomUUID()}`;
    emulator.failNext(1, status.UNAVAILABLE);
    const unavailable = await rejectionOf(client.appendToStream(stream, events(1), { expectedRevision: NO_STREAM }));
    expect(unavailable).not.toBeInstanceOf(WrongExpectedVersionError);
    expect(unavailable).toMatchObject({ type: "unavailable" });

    // The client reconnects; the next append works and nothing was written by the failed one.
    const ok = await client.appendToStream(stream, events(1), { expectedRevision: NO_STREAM });
    expect(ok.nextExpectedRevision).toBe(0n);

    emulator.failNext(1, status.DEADLINE_EXCEEDED, { rpcs: ["Streams/Read"] });
    const slowRead = await rejectionOf(collect(client.readStream(stream)));
    expect(slowRead).not.toBeInstanceOf(WrongExpectedVersionError);
    expect(slowRead).toMatchObject({ type: "deadline-exceeded" });
  });

  it("answers a write timeout like the server; a retry after a timed-out-but-written append is idempotent", async () => {
    const stream = `order-${randomUUID()}`;
    const batch = events(2);
    emulator.timeoutNextAppends(1, { writeAnyway: true });
    const timeout = await rejectionOf(client.appendToStream(stream, batch, { expectedRevision: NO_STREAM }));
    expect(timeout).not.toBeInstanceOf(WrongExpectedVersionError);
    expect(timeout).toMatchObject({ type: "deadline-exceeded" });
    const retry = await client.appendToStream(stream, batch, { expectedRevision: NO_STREAM });
    expect(retry.nextExpectedRevision).toBe(1n);
    expect(await collect(client.readStream(stream))).toHaveLength(2);
  });
});

describe("EventStoreDB emulator without batchappend (Append RPC path)", () => {
  it("appends through Append with the same results and error classes", async () => {
    const emulator = await startEsdbEmulator({ batchAppend: false });
    const client = EventStoreDBClient.connectionString(emulator.connectionString);
    try {
      const stream = `order-${randomUUID()}`;
      const batch = events(2);
      const original = await client.appendToStream(stream, batch, { expectedRevision: NO_STREAM });
      expect(original.nextExpectedRevision).toBe(1n);
      expect(await client.appendToStream(stream, batch, { expectedRevision: NO_STREAM })).toEqual(original);
      const stale = await rejectionOf(client.appendToStream(stream, events(1), { expectedRevision: 0n }));
      expect(stale).toBeInstanceOf(WrongExpectedVersionError);
      expect((stale as WrongExpectedVersionError).actualVersion).toBe(1n);

      emulator.timeoutNextAppends(1);
      const timeout = await rejectionOf(client.appendToStream(stream, events(1), { expectedRevision: 1n }));
      expect(timeout).not.toBeInstanceOf(WrongExpectedVersionError);
      expect(timeout).toMatchObject({ type: "timeout" });

      const counts = emulator.callCounts();
      expect(counts["appends via Append"]).toBe(4);
      expect(counts["Streams/BatchAppend"]).toBeUndefined();
    } finally {
      await client.dispose();
      await emulator.stop();
    }
  });
});

describe("EventStoreDB emulator through esdb+discover://", () => {
  it("discovers the single leader through Gossip and connects to it", async () => {
    const emulator = await startEsdbEmulator();
    const client = EventStoreDBClient.connectionString(emulator.discoverConnectionString);
    try {
      const stream = `order-${randomUUID()}`;
      const result = await client.appendToStream(stream, events(1), { expectedRevision: NO_STREAM });
      expect(result.nextExpectedRevision).toBe(0n);
      expect(await collect(client.readStream(stream))).toHaveLength(1);
      expect(emulator.callCounts()["Gossip/Read"]).toBeGreaterThanOrEqual(1);
    } finally {
      await client.dispose();
      await emulator.stop();
    }
  });
});
