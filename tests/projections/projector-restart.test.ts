/**
 * A projector given a restart policy survives its failures: it is "restarting" (not available)
 * after one, waiters that fail fast are answered false at once while the others outlive the
 * restart, and it continues from what was committed once restarted, with back-off between tries.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MemoryEventStore } from "../../src/adapters/event-store/memory-event-store.js";
import type { Projection } from "../../src/projections/projection.js";
import { Projector, readCheckpoint } from "../../src/projections/projector.js";
import { openReadModels } from "../../src/projections/read-model-db.js";
import { appendNotes, withSubscriptions } from "../support/store-doubles.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function readModels() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "projector-restart-"));
  dirs.push(dir);
  return openReadModels(path.join(dir, "read-models.sqlite"));
}


function flaky(failures: { left: number }, seen: bigint[]): Projection {
  return {
    name: "flaky",
    version: 1,
    tables: [],
    schema: "",
    handles: new Set(["NoteWritten"]),
    apply: (_db, event) => {
      if (event.position === 12n && failures.left > 0) {
        failures.left -= 1;
        throw new Error("a projection bug");
      }
      seen.push(event.position);
    },
  };
}

describe("Projector with restarts", () => {
  it("fails, reports it, answers fail-fast waiters false, restarts with back-off and catches up", async () => {
    const store = new MemoryEventStore();
    await appendNotes(store, 10);
    const db = readModels();
    const failures = { left: 3 };
    const seen: bigint[] = [];
    const log: string[] = [];
    const logger = { error: (_: object, message: string) => void log.push(message), info: (_: object, message: string) => void log.push(message) };
    const projector = new Projector(store, db, [flaky(failures, seen)], { restart: { initialDelayMs: 20, maxDelayMs: 80 }, logger });
    projector.start();
    expect(await projector.waitFor(10n, 5_000)).toBe(true);
    expect(projector.available).toBe(true);

    await appendNotes(store, 3);
    const patient = projector.waitFor(13n, 5_000);
    const impatient = projector.waitFor(13n, 5_000, { failFast: true });
    expect(await impatient).toBe(false);
    expect(projector.available).toBe(false);
    expect(await projector.waitFor(13n, 5_000, { failFast: true })).toBe(false);

    expect(await patient).toBe(true);
    expect(projector.available).toBe(true);
    expect(projector.status).toBe("running");
    expect(projector.failures).toEqual({ restarts: 3, lastError: "a projection bug" });
    expect(log.filter((line) => line === "projector failed; restarting it")).toHaveLength(3);
    expect(log.filter((line) => line === "projector restarted")).toHaveLength(3);
    expect(readCheckpoint(db, [flaky(failures, seen)])).toBe(13n);
    expect([...new Set(seen)]).toEqual(Array.from({ length: 13 }, (_, i) => BigInt(i + 1)));
    await projector.stop();
    expect(projector.status).toBe("stopped");
  });

  it("after a restart with nothing new to apply, it is available again", async () => {
    const inner = new MemoryEventStore();
    await appendNotes(inner, 11);
    let subscriptions = 0;
    // The first subscription breaks once everything it delivered was applied.
    const store = withSubscriptions(inner, (options) => {
      subscriptions += 1;
      const subscription = inner.subscribe(options);
      if (subscriptions > 1) return subscription;
      return {
        close: () => subscription.close(),
        async *[Symbol.asyncIterator]() {
          for await (const event of subscription) {
            yield event;
            if (event.position === 11n) {
              await new Promise((resolve) => setTimeout(resolve, 50));
              throw new Error("the subscription broke");
            }
          }
        },
      };
    });
    const db = readModels();
    const projector = new Projector(store, db, [flaky({ left: 0 }, [])], { restart: { initialDelayMs: 10, maxDelayMs: 10 } });
    projector.start();
    await expect.poll(() => projector.failures).toEqual({ restarts: 1, lastError: "the subscription broke" });
    await expect.poll(() => projector.available).toBe(true);
    expect(projector.checkpoint).toBe(11n);
    expect(subscriptions).toBe(2);
    await projector.stop();
  });

  it("stop() during the back-off cancels the restart", async () => {
    const store = new MemoryEventStore();
    await appendNotes(store, 12);
    const db = readModels();
    const projector = new Projector(store, db, [flaky({ left: 100 }, [])], { restart: { initialDelayMs: 50, maxDelayMs: 50 } });
    projector.start();
    await expect.poll(() => projector.status).toBe("restarting");
    await projector.stop();
    const restarts = projector.failures.restarts;
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(projector.failures.restarts).toBe(restarts);
    expect(projector.status).toBe("stopped");
  });
});
