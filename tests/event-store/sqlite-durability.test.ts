import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SqliteEventStore } from "../../src/adapters/event-store/sqlite-event-store.js";
import { WrongExpectedRevisionError, type RecordedEvent } from "../../src/domain/shared/event-store.js";
import { newEvent, newEvents, take } from "./contract.js";
import { checksum, type Ack } from "./fixtures/append-forever.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const fixture = fileURLToPath(new URL("./fixtures/append-forever.ts", import.meta.url));

let dir: string;
let file: string;
const toClose: SqliteEventStore[] = [];

function open(options?: { pollIntervalMs?: number }): SqliteEventStore {
  const store = SqliteEventStore.open(file, options);
  toClose.push(store);
  return store;
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "event-store-durability-"));
  file = path.join(dir, "events.sqlite");
});
afterEach(async () => {
  for (const store of toClose.splice(0)) await store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

interface Writer {
  child: ChildProcess;
  acks: Ack[];
  stderr: string[];
  exited: Promise<void>;
}

function startWriter(name: string): Writer {
  const child = spawn(process.execPath, ["--import", "tsx", fixture, file, name], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const writer: Writer = {
    child,
    acks: [],
    stderr: [],
    exited: new Promise((resolve) => child.once("exit", () => resolve())),
  };
  // readline only emits complete lines: a line cut by the kill is never counted as acknowledged.
  readline.createInterface({ input: child.stdout! }).on("line", (line) => writer.acks.push(JSON.parse(line) as Ack));
  child.stderr!.on("data", (chunk: Buffer) => writer.stderr.push(chunk.toString()));
  return writer;
}

/** Each writer must have been acknowledged more often than this before it is killed. */
const FEWEST_ACKS = 20;

/**
 * Lets the writers run for `runMs` after all have started (or until each has `minAcksEach`), then
 * kills them; a writer the lock has starved so far gets more time (up to 20 s in all), so that
 * every one has more than FEWEST_ACKS acknowledged appends when it is killed.
 */
async function runThenKill(writers: Writer[], minAcksEach: number, runMs: number): Promise<void> {
  const giveUp = Date.now() + 20_000;
  let stopAt = Infinity;
  const everyoneHasEnough = () => writers.every((w) => w.acks.length > FEWEST_ACKS);
  while (Date.now() < giveUp && writers.some((w) => w.acks.length < minAcksEach)) {
    if (Date.now() >= stopAt && everyoneHasEnough()) break;
    if (writers.some((w) => w.child.exitCode !== null)) break;
    if (stopAt === Infinity && writers.every((w) => w.acks.length > 0)) stopAt = Date.now() + runMs;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  for (const w of writers) w.child.kill("SIGKILL");
  await Promise.all(writers.map((w) => w.exited));
  for (const w of writers) {
    expect(w.child.signalCode, `writer died on its own: ${w.stderr.join("")}`).toBe("SIGKILL");
    expect(w.acks.length, w.stderr.join("")).toBeGreaterThan(FEWEST_ACKS);
  }
}

function assertAcknowledgedAppendsAreStored(acks: Ack[], all: RecordedEvent[]): void {
  const byId = new Map(all.map((e) => [e.id, e]));
  for (const ack of acks) {
    const size = ack.ids.length;
    ack.ids.forEach((id, k) => {
      const event = byId.get(id);
      expect(event, `acknowledged event ${id} is missing`).toBeDefined();
      expect(event!.streamName).toBe(ack.streamName);
      expect(event!.revision).toBe(BigInt(ack.revision) - BigInt(size - 1 - k));
      expect(checksum(event!.data)).toBe(ack.checksums[k]);
    });
    expect(byId.get(ack.ids[size - 1])!.position).toBe(BigInt(ack.position));
  }
}

async function assertStreamsAreWhole(store: SqliteEventStore, all: RecordedEvent[]): Promise<void> {
  for (let i = 1; i < all.length; i++) expect(all[i].position > all[i - 1].position).toBe(true);
  for (const streamName of new Set(all.map((e) => e.streamName))) {
    const stream = await store.readStream(streamName);
    expect(stream.map((e) => e.revision)).toEqual(stream.map((_, i) => BigInt(i)));
    const result = await store.appendToStream(streamName, newEvents(1), {
      expectedRevision: stream[stream.length - 1].revision,
    });
    expect(result.nextExpectedRevision).toBe(BigInt(stream.length));
  }
}

describe("SqliteEventStore durability", () => {
  it("keeps every acknowledged append of a process killed with SIGKILL", async () => {
    const writer = startWriter("solo");
    await runThenKill([writer], 300, 2000);

    const store = open();
    const all = await store.readAll();
    expect(all.length).toBeGreaterThanOrEqual(writer.acks.reduce((n, a) => n + a.ids.length, 0));
    assertAcknowledgedAppendsAreStored(writer.acks, all);
    await assertStreamsAreWhole(store, all);
  });

  it("two processes appending to the same streams never share a revision", async () => {
    const writers = [startWriter("left"), startWriter("right")];
    await runThenKill(writers, 150, 2000);

    const store = open();
    const all = await store.readAll();
    const acks = writers.flatMap((w) => w.acks);
    assertAcknowledgedAppendsAreStored(acks, all);
    const claimed = acks.map((a) => `${a.streamName}@${a.revision}`);
    expect(new Set(claimed).size).toBe(claimed.length);
    await assertStreamsAreWhole(store, all);
  });
});

describe("SqliteEventStore with two instances on one file", () => {
  it("lets exactly one instance win each revision", async () => {
    const [a, b] = [open(), open()];
    let expected: bigint | "no_stream" = "no_stream";
    for (let round = 0; round < 10; round++) {
      const results = await Promise.allSettled(
        [a, b, a, b].map((store) => store.appendToStream("race-1", [newEvent()], { expectedRevision: expected })),
      );
      const won = results.filter((r) => r.status === "fulfilled");
      expect(won).toHaveLength(1);
      for (const r of results) {
        if (r.status === "rejected") expect(r.reason).toBeInstanceOf(WrongExpectedRevisionError);
      }
      expected = (won[0] as PromiseFulfilledResult<{ nextExpectedRevision: bigint }>).value.nextExpectedRevision;
      expect(expected).toBe(BigInt(round));
    }
    expect((await b.readStream("race-1")).map((e) => e.revision)).toEqual(
      Array.from({ length: 10 }, (_, i) => BigInt(i)),
    );
  });

  it("a subscription on one instance sees appends made through the other", async () => {
    const a = open({ pollIntervalMs: 20 });
    const b = open();
    const history = newEvents(3);
    await b.appendToStream("order-1", history, { expectedRevision: "no_stream" });
    const live = newEvents(2);
    const received = await take(a.subscribe(), 5, async (_, i) => {
      if (i === 2) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        await b.appendToStream("order-1", live, { expectedRevision: 2n });
      }
    }, 3000);
    expect(received.map((e) => e.id)).toEqual([...history, ...live].map((e) => e.id));
  });
});
