/**
 * Rebuild speed without giving up safety: `npm run rebuild` replays into a new file and
 * swaps it in. The result is the same rows, indexes and journal mode as a live-built file; the
 * side-effect runner's checkpoint survives; a failed rebuild leaves the live file untouched.
 */
import Database from "better-sqlite3";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MemoryEventStore } from "../../src/adapters/event-store/memory-event-store.js";
import { ALL_PROJECTIONS } from "../../src/projections/all-projections.js";
import { installProjections } from "../../src/projections/projection-install.js";
import { openReadModels } from "../../src/projections/read-model-db.js";
import { rebuildReadModels } from "../../src/projections/rebuild.js";
import { rebuildReadModelsFile } from "../../src/projections/rebuild-file.js";
import { writeSessionHistory } from "../support/session-history.js";

let dir: string;
let file: string;
let store: MemoryEventStore;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "rebuild-file-"));
  file = path.join(dir, "read-models.sqlite");
  store = new MemoryEventStore();
  await writeSessionHistory(store, 12);
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const indexes = (db: Database.Database) =>
  db.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name").all();
const rows = (db: Database.Database, table: string) => db.prepare(`SELECT * FROM ${table} ORDER BY 1`).all();

describe("rebuildReadModelsFile (npm run rebuild)", () => {
  it("gives the rows of a replay into the live file, with every index and WAL journaling", async () => {
    const reference = openReadModels(path.join(dir, "reference.sqlite"), undefined, "sqlite");
    await rebuildReadModels(store, reference, ALL_PROJECTIONS);

    const { events } = await rebuildReadModelsFile(store, file, "sqlite", ALL_PROJECTIONS);
    expect(BigInt(events)).toBe(await store.headPosition());
    const rebuilt = new Database(file);
    expect(rebuilt.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(indexes(rebuilt)).toEqual(indexes(reference));
    expect(indexes(rebuilt).map((i: any) => i.name)).toContain("event_log_by_stream");
    for (const table of ["sessions", "event_log", "projections", "checkpoints"]) {
      expect(rows(rebuilt, table)).toEqual(rows(reference, table));
    }
    expect(fs.existsSync(`${file}.rebuild`)).toBe(false);
    rebuilt.close();
    reference.close();
  });

  it("keeps the side-effect runner's checkpoint (not a projection) and drops stale rows", async () => {
    const live = openReadModels(file, undefined, "sqlite");
    live.prepare("INSERT INTO side_effect_checkpoint (name, position) VALUES ('side-effects', 7)").run();
    installProjections(live, ALL_PROJECTIONS);
    live.prepare("UPDATE projections SET position = 999").run();
    live.close();

    await rebuildReadModelsFile(store, file, "sqlite", ALL_PROJECTIONS);
    const rebuilt = new Database(file);
    expect(rebuilt.prepare("SELECT name, position FROM side_effect_checkpoint").all()).toEqual([{ name: "side-effects", position: 7 }]);
    expect(rebuilt.prepare("SELECT position FROM checkpoints WHERE name = 'read-models'").pluck().get()).toBe(
      Number(await store.headPosition()),
    );
    rebuilt.close();
  });

  it("does not carry a checkpoint over from a file built from another event store", async () => {
    const live = openReadModels(file, undefined, "esdb:other");
    live.prepare("INSERT INTO side_effect_checkpoint (name, position) VALUES ('side-effects', 7)").run();
    live.close();

    await rebuildReadModelsFile(store, file, "sqlite", ALL_PROJECTIONS);
    const rebuilt = new Database(file);
    const has = rebuilt.prepare("SELECT 1 FROM sqlite_master WHERE name = 'side_effect_checkpoint'").get();
    expect(has ? rebuilt.prepare("SELECT * FROM side_effect_checkpoint").all() : []).toEqual([]);
    rebuilt.close();
  });

  it("a rebuild that fails half-way leaves the live file as it was and no temporary file", async () => {
    await rebuildReadModelsFile(store, file, "sqlite", ALL_PROJECTIONS);
    const before = rows(new Database(file, { readonly: true }), "sessions");
    expect(before).toHaveLength(12);

    let applied = 0;
    const failsHalfWay = {
      name: "fails-half-way",
      version: 1,
      tables: [],
      schema: "",
      handles: "ALL" as const,
      apply() {
        if (++applied === 30) throw new Error("the disk is full");
      },
    };
    await expect(rebuildReadModelsFile(store, file, "sqlite", [...ALL_PROJECTIONS, failsHalfWay])).rejects.toThrow("disk is full");
    const after = new Database(file, { readonly: true });
    expect(rows(after, "sessions")).toEqual(before);
    after.close();
    expect(fs.existsSync(`${file}.rebuild`)).toBe(false);
  });
});
