import Database from "better-sqlite3";
import fs from "node:fs";
import type { EventStore } from "../domain/shared/event-store.js";
import type { Projection } from "./projection.js";
import { openReadModels } from "./read-model-db.js";
import { rebuildReadModels, type RebuildProgress } from "./rebuild.js";

const SIDE_EFFECT_CHECKPOINT = "side_effect_checkpoint";

/**
 * `npm run rebuild`: replays every event into a new file next to `fileName`, then swaps it in.
 * The live file stays as it was until the replay has finished (a crash or an error leaves it
 * untouched). Nobody reads the new file before the swap, so it is written without a journal or
 * fsyncs, and the indexes of write-only tables (the event log) are built once at the end
 * instead of on every insert. The side-effect runner's checkpoint is not a projection: it is
 * carried over, so a rebuild neither repeats nor skips e-mails and webhook deliveries.
 */
export async function rebuildReadModelsFile(
  store: EventStore,
  fileName: string,
  source: string,
  projections: readonly Projection[],
  options: { onProgress?: (progress: RebuildProgress) => void } = {},
): Promise<{ events: number }> {
  const temporary = `${fileName}.rebuild`;
  removeDatabase(temporary);
  const db = openReadModels(temporary, undefined, source);
  let events: number;
  try {
    db.pragma("journal_mode = OFF");
    db.pragma("synchronous = OFF");
    db.pragma("cache_size = -65536");
    const deferred = dropIndexes(db, projections.filter((p) => p.writeOnly).flatMap((p) => p.tables));
    ({ events } = await rebuildReadModels(store, db, projections, options));
    for (const sql of deferred) db.exec(sql);
    copySideEffectCheckpoint(fileName, source, db);
    db.pragma("journal_mode = WAL");
  } catch (error) {
    db.close();
    removeDatabase(temporary);
    throw error;
  }
  db.close();
  // The old file's WAL must not be applied to the new file.
  removeDatabase(fileName);
  fs.renameSync(temporary, fileName);
  return { events };
}

function removeDatabase(fileName: string): void {
  for (const suffix of ["", "-wal", "-shm", "-journal"]) fs.rmSync(`${fileName}${suffix}`, { force: true });
}

/** Drops the tables' secondary indexes and returns the statements that create them again. */
function dropIndexes(db: Database.Database, tables: readonly string[]): string[] {
  const indexes = db
    .prepare(
      `SELECT name, sql FROM sqlite_master
       WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN (SELECT value FROM json_each(?))`,
    )
    .all(JSON.stringify(tables)) as { name: string; sql: string }[];
  for (const index of indexes) db.exec(`DROP INDEX "${index.name}"`);
  return indexes.map((index) => index.sql);
}

function copySideEffectCheckpoint(fromFile: string, source: string, to: Database.Database): void {
  if (!fs.existsSync(fromFile)) return;
  const from = new Database(fromFile, { readonly: true, fileMustExist: true });
  try {
    const has = (table: string) =>
      from.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !== undefined;
    if (!has(SIDE_EFFECT_CHECKPOINT) || !has("read_model_source")) return;
    // A checkpoint in another event store means nothing here.
    const recorded = from.prepare("SELECT source FROM read_model_source WHERE id = 1").pluck().get();
    if (recorded !== source) return;
    const rows = from.prepare(`SELECT name, position FROM ${SIDE_EFFECT_CHECKPOINT}`).safeIntegers(true).all() as {
      name: string;
      position: bigint;
    }[];
    const insert = to.prepare(`INSERT OR REPLACE INTO ${SIDE_EFFECT_CHECKPOINT} (name, position) VALUES (?, ?)`);
    for (const row of rows) insert.run(row.name, row.position);
  } finally {
    from.close();
  }
}
