import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { SqliteEventStore } from "../../src/adapters/event-store/sqlite-event-store.js";
import { ALL_PROJECTIONS } from "../../src/projections/all-projections.js";
import { installProjections } from "../../src/projections/projection-install.js";
import { openReadModels } from "../../src/projections/read-model-db.js";
import { writeSessionHistory } from "../support/session-history.js";
import { bookkeeping, hasMarkerRegistration, insertMarkerRegistration } from "./helpers.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A data directory with 30 sessions in its event store, and read models holding a ghost session and a marker registration. */
async function dataDirWithStaleReadModels(): Promise<{ dataDir: string; head: bigint | null }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "rebuild-"));
  dirs.push(dataDir);
  const store = SqliteEventStore.open(path.join(dataDir, "events.sqlite"));
  await writeSessionHistory(store, 30);
  const head = await store.headPosition();
  await store.close();
  // Stale rows that no event explains: they disappear only if their projection is rebuilt.
  const stale = openReadModels(path.join(dataDir, "read-models.sqlite"));
  installProjections(stale, ALL_PROJECTIONS);
  stale
    .prepare(
      `INSERT INTO sessions (id, organization_id, status, mode, name, name_key, start_key, search_text, created_at, updated_at, state, revision)
       VALUES ('ghost', 'org-1', 'DRAFT', 'PUBLIC', 'Ghost', 'ghost', '~', 'ghost', 'x', 'x', '{}', 0)`,
    )
    .run();
  insertMarkerRegistration(stale);
  stale.close();
  return { dataDir, head };
}

const rebuild = (dataDir: string, ...args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", "src/projections/rebuild-cli.ts", ...args], {
    env: { ...process.env, DATA_DIR: dataDir },
    encoding: "utf8",
  });

function readModels(dataDir: string) {
  const db = openReadModels(path.join(dataDir, "read-models.sqlite"));
  const sessionIds = db.prepare("SELECT id FROM sessions ORDER BY id").pluck().all();
  const result = { sessionIds, marker: hasMarkerRegistration(db), bookkeeping: bookkeeping(db) };
  db.close();
  return result;
}

describe("npm run rebuild", () => {
  it("truncates the read models, replays every event and prints events/s", async () => {
    const { dataDir, head } = await dataDirWithStaleReadModels();
    const result = rebuild(dataDir);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Rebuilt read models from \d+ events in [\d.]+ s \(\d+ events\/s\)/);
    expect(result.stdout).toContain(`from ${head} events`);

    const after = readModels(dataDir);
    expect(after.sessionIds).toHaveLength(30);
    expect(after.sessionIds).not.toContain("ghost");
    expect(after.marker).toBe(false);
  });

  it("-- sessions rebuilds that projection only: the others keep their rows and positions", async () => {
    const { dataDir, head } = await dataDirWithStaleReadModels();
    const before = readModels(dataDir);
    const result = rebuild(dataDir, "sessions");
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Rebuilt the sessions projection from \d+ events in [\d.]+ s \(\d+ events\/s\)/);

    const after = readModels(dataDir);
    expect(after.sessionIds).toHaveLength(30);
    expect(after.sessionIds).not.toContain("ghost");
    expect(after.marker).toBe(true);
    expect(after.bookkeeping).toEqual({ ...before.bookkeeping, sessions: { version: 1, position: head } });
  });

  it("refuses an unknown projection, naming the known ones, and changes nothing", async () => {
    const { dataDir } = await dataDirWithStaleReadModels();
    const before = readModels(dataDir);
    const result = rebuild(dataDir, "sesions");
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(
      `Unknown projection: sesions. Known projections: ${ALL_PROJECTIONS.map((p) => p.name).join(", ")}`,
    );
    expect(readModels(dataDir)).toEqual(before);
  });
});
