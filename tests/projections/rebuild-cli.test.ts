import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { SqliteEventStore } from "../../src/adapters/event-store/sqlite-event-store.js";
import { openReadModels } from "../../src/projections/read-model-db.js";
import { writeSessionHistory } from "../support/session-history.js";

describe("npm run rebuild", () => {
  it("truncates the read models, replays every event and prints events/s", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "rebuild-"));
    const store = SqliteEventStore.open(path.join(dataDir, "events.sqlite"));
    await writeSessionHistory(store, 30);
    const head = await store.headPosition();
    await store.close();

    // A stale row that no event explains must disappear.
    const stale = openReadModels(path.join(dataDir, "read-models.sqlite"));
    stale
      .prepare(
        `INSERT INTO sessions (id, organization_id, status, mode, name, name_key, start_key, search_text, created_at, updated_at, state, revision)
         VALUES ('ghost', 'org-1', 'DRAFT', 'PUBLIC', 'Ghost', 'ghost', '~', 'ghost', 'x', 'x', '{}', 0)`,
      )
      .run();
    stale.close();

    const result = spawnSync(process.execPath, ["--import", "tsx", "src/projections/rebuild-cli.ts"], {
      env: { ...process.env, DATA_DIR: dataDir },
      encoding: "utf8",
    });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Rebuilt read models from \d+ events in [\d.]+ s \(\d+ events\/s\)/);
    expect(result.stdout).toContain(`from ${head} events`);

    const db = openReadModels(path.join(dataDir, "read-models.sqlite"));
    const ids = db.prepare("SELECT id FROM sessions ORDER BY id").pluck().all();
    expect(ids).toHaveLength(30);
    expect(ids).not.toContain("ghost");
    db.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
});
