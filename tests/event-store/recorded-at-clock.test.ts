/**
 * The embedded stores stamp `recordedAt` with the application's clock, not the wall clock, so
 * everything the server records agrees with the one clock (and tests can move it).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { MemoryEventStore } from "../../src/adapters/event-store/memory-event-store.js";
import { SqliteEventStore } from "../../src/adapters/event-store/sqlite-event-store.js";
import type { EventStore } from "../../src/domain/shared/event-store.js";
import { DAY, TestClock } from "../support/test-clock.js";
import { newEvent } from "./contract.js";

const adapters: { name: string; open: (clock: TestClock) => EventStore }[] = [
  { name: "memory", open: (clock) => new MemoryEventStore(clock) },
  {
    name: "sqlite",
    open: (clock) => SqliteEventStore.open(path.join(fs.mkdtempSync(path.join(os.tmpdir(), "recorded-at-")), "events.sqlite"), { clock }),
  },
];

describe.each(adapters)("$name store: recordedAt comes from the clock it is given", ({ open }) => {
  it("stamps the clock's now, and follows the clock when it moves", async () => {
    const clock = new TestClock(new Date("2031-03-30T01:30:00.000Z"));
    const store = open(clock);
    try {
      await store.appendToStream("clock-1", [newEvent()], { expectedRevision: "no_stream" });
      clock.advance(3 * DAY);
      await store.appendToStream("clock-1", [newEvent()], { expectedRevision: 0n });
      const [first, second] = await store.readStream("clock-1");
      expect(first!.recordedAt.getTime() - Date.parse("2031-03-30T01:30:00.000Z")).toBeGreaterThanOrEqual(0);
      expect(first!.recordedAt.getTime() - Date.parse("2031-03-30T01:30:00.000Z")).toBeLessThan(60_000);
      expect(second!.recordedAt.getTime() - first!.recordedAt.getTime()).toBeGreaterThanOrEqual(3 * DAY);
      expect(second!.recordedAt.getTime() - first!.recordedAt.getTime()).toBeLessThan(3 * DAY + 60_000);
    } finally {
      await store.close();
    }
  });
});
