/**
 * `npm run rebuild -- <projection>`: only the projections named are replayed; the others keep
 * their rows and positions (even positions behind the head), and the side-effect runner's
 * checkpoint is kept. With no name, every projection is replayed.
 */
import Database from "better-sqlite3";
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MemoryEventStore } from "../../src/adapters/event-store/memory-event-store.js";
import { ALL_PROJECTIONS } from "../../src/projections/all-projections.js";
import { Projector } from "../../src/projections/projector.js";
import { openReadModels } from "../../src/projections/read-model-db.js";
import { rebuildReadModels } from "../../src/projections/rebuild.js";
import { rebuildReadModelsFile } from "../../src/projections/rebuild-file.js";
import { selectProjections, UnknownProjectionError } from "../../src/projections/select-projections.js";
import { sessionsProjection } from "../../src/projections/sessions.projection.js";
import { writeSessionHistory } from "../support/session-history.js";
import { bookkeeping, hasMarkerRegistration, insertMarkerRegistration, rows, tempDir } from "./helpers.js";
import { writeRegistrationHistory } from "./registration-history.js";

const dirs: string[] = [];
let file: string;
let store: MemoryEventStore;
let head: bigint;
let reference: { sessions: unknown[] };

beforeEach(async () => {
  file = path.join(tempDir(dirs, "rebuild-one-"), "read-models.sqlite");
  store = new MemoryEventStore();
  await writeSessionHistory(store, 5);
  await writeRegistrationHistory(store, 2);
  head = (await store.headPosition())!;
  const db = openReadModels(file);
  const projector = new Projector(store, db, ALL_PROJECTIONS);
  projector.start();
  expect(await projector.waitFor(head, 5_000)).toBe(true);
  await projector.stop();
  reference = { sessions: rows(db, "sessions") };
  // A live file that is not what a replay would give: a ghost session, a marker registration,
  // the registrations projection behind the head, and the side-effect runner somewhere.
  db.exec("CREATE TEMP TABLE ghost AS SELECT * FROM sessions LIMIT 1; UPDATE ghost SET id = 'ghost'; INSERT INTO sessions SELECT * FROM ghost");
  insertMarkerRegistration(db);
  db.prepare("UPDATE projections SET position = 5 WHERE name = 'registrations'").run();
  db.prepare("INSERT INTO side_effect_checkpoint (name, position) VALUES ('side-effects', 7)").run();
  db.close();
});
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe("rebuilding one projection", () => {
  it("replays it into a copy of the live file: the others keep their rows and positions, the side-effect checkpoint stays", async () => {
    const before = new Database(file, { readonly: true });
    const others = ALL_PROJECTIONS.filter((p) => p.name !== "sessions");
    const kept = Object.fromEntries(others.flatMap((p) => p.tables).map((table) => [table, rows(before, table)]));
    const positions = bookkeeping(before);
    before.close();

    const { events } = await rebuildReadModelsFile(store, file, "sqlite", [sessionsProjection]);
    expect(BigInt(events)).toBe(head);
    const after = new Database(file, { readonly: true });
    expect(rows(after, "sessions")).toEqual(reference.sessions);
    for (const [table, tableRows] of Object.entries(kept)) expect(rows(after, table), table).toEqual(tableRows);
    expect(hasMarkerRegistration(after)).toBe(true);
    const now = bookkeeping(after);
    for (const p of others) expect(now[p.name], p.name).toEqual(positions[p.name]);
    expect(now.registrations!.position).toBe(5n);
    expect(now.sessions!.position).toBe(head);
    expect(rows(after, "side_effect_checkpoint")).toEqual([{ name: "side-effects", position: 7 }]);
    expect(after.pragma("journal_mode", { simple: true })).toBe("wal");
    after.close();
    expect(fs.existsSync(`${file}.rebuild`)).toBe(false);
  });

  it("in place (rebuildReadModels) it leaves the others' rows and positions alone too", async () => {
    const db = openReadModels(file);
    const positions = bookkeeping(db);
    await rebuildReadModels(store, db, [sessionsProjection], { batchSize: 7 });
    expect(rows(db, "sessions")).toEqual(reference.sessions);
    expect(hasMarkerRegistration(db)).toBe(true);
    expect(bookkeeping(db)).toEqual({ ...positions, sessions: { version: sessionsProjection.version, position: head } });
    db.close();
  });

  it("rebuilding every projection replays them all into a new file, keeping only the side-effect checkpoint", async () => {
    await rebuildReadModelsFile(store, file, "sqlite", ALL_PROJECTIONS);
    const after = new Database(file, { readonly: true });
    expect(rows(after, "sessions")).toEqual(reference.sessions);
    expect(hasMarkerRegistration(after)).toBe(false);
    for (const p of ALL_PROJECTIONS) expect(bookkeeping(after)[p.name], p.name).toEqual({ version: p.version, position: head });
    expect(rows(after, "side_effect_checkpoint")).toEqual([{ name: "side-effects", position: 7 }]);
    after.close();
  });

  it("a failure half-way leaves the live file as it was", async () => {
    const before = fs.readFileSync(file);
    const failing = {
      ...sessionsProjection,
      apply() {
        throw new Error("the disk is full");
      },
    };
    await expect(rebuildReadModelsFile(store, file, "sqlite", [failing])).rejects.toThrow("disk is full");
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(fs.existsSync(`${file}.rebuild`)).toBe(false);
  });
});

describe("selectProjections", () => {
  it("gives every projection without a name, and the ones named in their declared order", () => {
    expect(selectProjections([], ALL_PROJECTIONS)).toBe(ALL_PROJECTIONS);
    expect(selectProjections(["registrations", "sessions"], ALL_PROJECTIONS).map((p) => p.name)).toEqual(["sessions", "registrations"]);
  });

  it("refuses an unknown name, naming the known projections", () => {
    expect(() => selectProjections(["sessions", "sesions"], ALL_PROJECTIONS)).toThrow(UnknownProjectionError);
    expect(() => selectProjections(["sesions"], ALL_PROJECTIONS)).toThrow(
      `Unknown projection: sesions. Known projections: ${ALL_PROJECTIONS.map((p) => p.name).join(", ")}`,
    );
  });
});
