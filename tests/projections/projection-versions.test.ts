/**
 * Each projection owns its tables and its version: at start, one that is new or whose version
 * changed has its tables dropped and is replayed from the beginning of the log on its own, while
 * the others keep their rows and positions and continue from them. Read-your-writes waits for
 * every projection; listeners are not told again of events the read models already held.
 */
import Database from "better-sqlite3";
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MemoryEventStore } from "../../src/adapters/event-store/memory-event-store.js";
import type { EventStore } from "../../src/domain/shared/event-store.js";
import { ALL_PROJECTIONS } from "../../src/projections/all-projections.js";
import type { Projection } from "../../src/projections/projection.js";
import { Projector } from "../../src/projections/projector.js";
import { prepared, openReadModels } from "../../src/projections/read-model-db.js";
import { writeSessionHistory } from "../support/session-history.js";
import { bookkeeping, bumped, counting, hasMarkerRegistration, insertMarkerRegistration, rows, tempDir } from "./helpers.js";
import { writeRegistrationHistory } from "./registration-history.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

async function history(): Promise<{ store: MemoryEventStore; head: bigint }> {
  const store = new MemoryEventStore();
  await writeSessionHistory(store, 6);
  await writeRegistrationHistory(store, 3);
  return { store, head: (await store.headPosition())! };
}

/** Runs a projector on the file until it holds `head`, then closes the file. */
async function project(store: EventStore, file: string, projections: readonly Projection[], head: bigint): Promise<void> {
  const db = openReadModels(file);
  const projector = new Projector(store, db, projections);
  projector.start();
  expect(await projector.waitFor(head, 5_000)).toBe(true);
  await projector.stop();
  db.close();
}

const others = (names: string[]) => ALL_PROJECTIONS.map((p) => p.name).filter((name) => !names.includes(name));

describe("per-projection versions", () => {
  it("replays only the projection whose version changed; the others keep their rows and continue from their checkpoint", async () => {
    const { store, head } = await history();
    const file = path.join(tempDir(dirs, "versions-"), "read-models.sqlite");
    await project(store, file, ALL_PROJECTIONS, head);

    const db = openReadModels(file);
    const reference = rows(db, "sessions");
    expect(reference).toHaveLength(9);
    db.prepare("UPDATE sessions SET name = 'stale', registered_count = 99").run();
    insertMarkerRegistration(db);
    const before = bookkeeping(db);
    // Written while the server was down: the others are behind the head, the bumped one at the start.
    await writeSessionHistory(store, 1, "org-2");
    const downtime = await store.readAll({ after: head });
    const next = (await store.headPosition())!;

    const applied = new Map<string, number>();
    const projections = ALL_PROJECTIONS.map((p) => counting(p.name === "sessions" ? bumped(p) : p, applied));
    const heard: bigint[] = [];
    const projector = new Projector(store, db, projections);
    projector.onProjected((event) => heard.push(event.position));
    expect(projector.replaying).toEqual(["sessions"]);
    // The sessions table was dropped and recreated empty, before any event.
    expect(rows(db, "sessions")).toEqual([]);
    // Read-your-writes means every projection: the one starting again holds nothing yet.
    expect(projector.checkpoint).toBe(0n);
    expect(await projector.waitFor(head, 50)).toBe(false);

    projector.start();
    expect(await projector.waitFor(next, 5_000)).toBe(true);
    const org1 = rows(db, "sessions").filter((row) => (row as { organization_id: string }).organization_id === "org-1");
    expect(org1).toEqual(reference);
    const all = await store.readAll();
    expect(applied.get("sessions")).toBe(all.filter((e) => e.streamName.startsWith("session-")).length);
    // The others took only what was written while the server was down.
    expect(applied.get("event-log")).toBe(downtime.length);
    for (const name of others(["sessions", "event-log"])) {
      const handled = ALL_PROJECTIONS.find((p) => p.name === name)!.handles as ReadonlySet<string>;
      expect(applied.get(name) ?? 0, name).toBe(downtime.filter((e) => handled.has(e.type)).length);
    }
    expect(hasMarkerRegistration(db)).toBe(true);
    const after = bookkeeping(db);
    for (const name of others(["sessions"])) expect(after[name], name).toEqual({ ...before[name], position: next });
    expect(after.sessions).toEqual({ version: before.sessions!.version + 1, position: next });
    // Only the events no read model held before are announced.
    expect(heard).toEqual(downtime.map((e) => e.position));

    // From here on every projection takes the new events, and only those.
    applied.clear();
    await writeSessionHistory(store, 1, "org-3");
    const last = (await store.headPosition())!;
    expect(await projector.waitFor(last, 5_000)).toBe(true);
    const live = (await store.readAll({ after: next })).length;
    expect(applied.get("event-log")).toBe(live);
    expect(applied.get("sessions")).toBe(live);
    expect(heard).toHaveLength(downtime.length + live);
    await projector.stop();
    db.close();
  });

  it("a projection added to the list is replayed alone, from the beginning of the log", async () => {
    const { store, head } = await history();
    const file = path.join(tempDir(dirs, "versions-"), "read-models.sqlite");
    await project(store, file, ALL_PROJECTIONS, head);

    const sessionNames: Projection = {
      name: "session-names",
      version: 1,
      tables: ["session_names"],
      schema: "CREATE TABLE IF NOT EXISTS session_names (id TEXT PRIMARY KEY, name TEXT NOT NULL);",
      handles: new Set(["SessionCreated"]),
      apply(db, event) {
        prepared(db, "INSERT INTO session_names (id, name) VALUES (?, ?)").run(
          String(event.data.sessionId),
          String((event.data.details as { name: string }).name),
        );
      },
    };
    const applied = new Map<string, number>();
    const db = openReadModels(file);
    const projector = new Projector(store, db, [...ALL_PROJECTIONS, sessionNames].map((p) => counting(p, applied)));
    expect(projector.replaying).toEqual(["session-names"]);
    projector.start();
    expect(await projector.waitFor(head, 5_000)).toBe(true);
    expect(rows(db, "session_names")).toHaveLength(9);
    expect([...applied.keys()]).toEqual(["session-names"]);
    await projector.stop();
    db.close();
  });

  it("two bumped projections catch up together while the rest continue from their checkpoint", async () => {
    const { store, head } = await history();
    const file = path.join(tempDir(dirs, "versions-"), "read-models.sqlite");
    await project(store, file, ALL_PROJECTIONS, head);
    const db = openReadModels(file);
    const reference = { sessions: rows(db, "sessions"), registrations: rows(db, "registrations") };
    db.close();

    const changed = ["sessions", "registrations"];
    await project(store, file, ALL_PROJECTIONS.map((p) => (changed.includes(p.name) ? bumped(p) : p)), head);
    const reopened = new Database(file, { readonly: true });
    expect(rows(reopened, "sessions")).toEqual(reference.sessions);
    expect(rows(reopened, "registrations")).toEqual(reference.registrations);
    expect(reopened.prepare("SELECT position FROM checkpoints WHERE name = 'read-models'").safeIntegers(true).pluck().get()).toBe(head);
    reopened.close();
  });

  it("a file from before per-projection versions is replayed whole, keeping the side-effect runner's checkpoint", async () => {
    const { store, head } = await history();
    const file = path.join(tempDir(dirs, "versions-"), "read-models.sqlite");
    const legacy = new Database(file);
    legacy.exec(`
      CREATE TABLE checkpoints (name TEXT PRIMARY KEY, position INTEGER NOT NULL);
      INSERT INTO checkpoints VALUES ('read-models', 3);
      CREATE TABLE sessions (id TEXT PRIMARY KEY, registered_count INTEGER);
      INSERT INTO sessions VALUES ('ghost', 1);
      CREATE TABLE read_model_source (id INTEGER PRIMARY KEY CHECK (id = 1), source TEXT NOT NULL);
      INSERT INTO read_model_source VALUES (1, 'sqlite');
      CREATE TABLE side_effect_checkpoint (name TEXT PRIMARY KEY, position INTEGER NOT NULL);
      INSERT INTO side_effect_checkpoint VALUES ('side-effects', 7);
    `);
    legacy.close();

    const db = openReadModels(file);
    const projector = new Projector(store, db, ALL_PROJECTIONS);
    expect(projector.replaying).toEqual(ALL_PROJECTIONS.map((p) => p.name));
    projector.start();
    expect(await projector.waitFor(head, 5_000)).toBe(true);
    await projector.stop();
    expect(db.prepare("SELECT id FROM sessions WHERE id = 'ghost'").get()).toBeUndefined();
    expect(rows(db, "sessions")).toHaveLength(9);
    expect(rows(db, "side_effect_checkpoint")).toEqual([{ name: "side-effects", position: 7 }]);
    expect(db.prepare("SELECT type FROM sqlite_master WHERE name = 'checkpoints'").pluck().get()).toBe("view");
    db.close();
  });
});
