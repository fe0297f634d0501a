/**
 * The live projector (a server catching up on a long history): what the subscription
 * already holds is applied in batches of one transaction, not one transaction per event; live
 * events still arrive at once; listeners see every event once, in order; a failing projection
 * makes read-your-writes waiters fail instead of hang, and stop() still returns.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MemoryEventStore } from "../../src/adapters/event-store/memory-event-store.js";
import type { Projection } from "../../src/projections/projection.js";
import { Projector, readCheckpoint } from "../../src/projections/projector.js";
import { openReadModels } from "../../src/projections/read-model-db.js";
import { appendNotes } from "../support/store-doubles.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function readModels(statements: string[]) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "projector-"));
  dirs.push(dir);
  return openReadModels(path.join(dir, "read-models.sqlite"), (sql) => statements.push(sql));
}


/** Records the order of the events it sees. */
function recorder(seen: bigint[]): Projection {
  return {
    name: "recorder",
    version: 1,
    tables: [],
    schema: "",
    handles: new Set(["NoteWritten"]),
    apply: (_db, event) => void seen.push(event.position),
  };
}

const checkpointWrites = (statements: string[]) => statements.filter((sql) => sql.includes("UPDATE projections SET position")).length;

describe("Projector", () => {
  it("catches up on 1,200 waiting events in a few transactions, in order, then takes live events at once", async () => {
    const store = new MemoryEventStore();
    const head = await appendNotes(store, 1_200);
    const statements: string[] = [];
    const db = readModels(statements);
    const seen: bigint[] = [];
    const heard: bigint[] = [];
    const projections = [recorder(seen)];
    const projector = new Projector(store, db, projections);
    projector.onProjected((event) => heard.push(event.position));
    statements.length = 0;
    projector.start();

    expect(await projector.waitFor(head, 5_000)).toBe(true);
    expect(seen).toEqual(Array.from({ length: 1_200 }, (_, i) => BigInt(i + 1)));
    expect(heard).toEqual(seen);
    expect(readCheckpoint(db, projections)).toBe(head);
    // One transaction per event would write the checkpoint 1,200 times.
    expect(checkpointWrites(statements)).toBeGreaterThanOrEqual(3);
    expect(checkpointWrites(statements)).toBeLessThanOrEqual(12);

    const live = await appendNotes(store, 1);
    expect(await projector.waitFor(live, 5_000)).toBe(true);
    expect(seen.at(-1)).toBe(live);
    expect(heard.at(-1)).toBe(live);
    await projector.stop();
  });

  it("a projection that throws fails the waiters (no hang), keeps what committed before, and stop() returns", async () => {
    const store = new MemoryEventStore();
    await appendNotes(store, 10);
    const db = readModels([]);
    const failing: Projection = {
      name: "failing",
      version: 1,
      tables: [],
      schema: "",
      handles: new Set(["NoteWritten"]),
      apply: (_db, event) => {
        if (event.position === 12n) throw new Error("a projection bug");
      },
    };
    const projector = new Projector(store, db, [failing]);
    projector.start();
    expect(await projector.waitFor(10n, 5_000)).toBe(true);

    await appendNotes(store, 3);
    const waiting = projector.waitFor(13n, 5_000);
    await expect(waiting).rejects.toThrow("a projection bug");
    await expect(projector.waitFor(13n, 5_000)).rejects.toThrow("a projection bug");
    expect(readCheckpoint(db, [failing])).toBeLessThan(12n);
    await projector.stop();
  });
});
