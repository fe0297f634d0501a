import Database from "better-sqlite3";
import fs from "node:fs";
import type { EventStore } from "../domain/shared/event-store.js";
import type { Projection } from "./projection.js";
import { systemClock } from "../adapters/clock/system-clock.js";
import { resetProjections } from "./projection-install.js";
import { openReadModels } from "./read-model-db.js";
import {
  checkReadModelsFile,
  type DamagedReadModels,
  moveAside,
  restoreSideEffectCheckpoint,
  salvageSideEffectCheckpoint,
} from "./read-model-file.js";
import { replay, type RebuildProgress } from "./rebuild.js";

const SIDE_EFFECT_CHECKPOINT = "side_effect_checkpoint";

/**
 * `npm run rebuild`: replays every event into the given projections in a new file next to
 * `fileName`, then swaps it in. The live file stays as it was until the replay has finished (a
 * crash or an error leaves it untouched). When the live file holds other projections, the new
 * file starts as a copy of it, so those keep their rows and positions; otherwise it starts empty.
 * Nobody reads the new file before the swap, so it is written without a journal or fsyncs, and
 * the indexes of write-only tables (the event log) are built once at the end instead of on every
 * insert. The side-effect runner's checkpoint is not a projection: it is carried over, so a
 * rebuild neither repeats nor skips e-mails and webhook deliveries. A live file that is damaged
 * (truncated, overwritten, a bad page) is moved aside first (`onDamaged`) and the rebuild starts
 * from an empty file, keeping the side-effect checkpoint if it can still be read; projections not
 * rebuilt are then replayed by the server at its next start.
 */
export async function rebuildReadModelsFile(
  store: EventStore,
  fileName: string,
  source: string,
  projections: readonly Projection[],
  options: {
    onProgress?: (progress: RebuildProgress) => void;
    onDamaged?: (damage: DamagedReadModels) => void;
    now?: () => Date;
  } = {},
): Promise<{ events: number }> {
  const temporary = `${fileName}.rebuild`;
  removeDatabase(temporary);
  const checked = checkReadModelsFile(fileName);
  let salvaged: { name: string; position: bigint }[] = [];
  if (checked.state === "damaged") {
    const movedTo = moveAside(fileName, (options.now ?? (() => systemClock.now()))());
    options.onDamaged?.({ file: fileName, movedTo, reason: checked.reason });
    salvaged = salvageSideEffectCheckpoint(movedTo, source);
  }
  const rebuilt = new Set(projections.map((projection) => projection.name));
  const copied = othersIn(fileName, source, rebuilt).length > 0;
  if (copied) copyDatabase(fileName, temporary);
  let db: Database.Database | undefined;
  let events: number;
  try {
    db = openReadModels(temporary, undefined, source);
    db.pragma("journal_mode = OFF");
    db.pragma("synchronous = OFF");
    db.pragma("cache_size = -65536");
    resetProjections(db, projections);
    const deferred = dropIndexes(db, projections.filter((p) => p.writeOnly).flatMap((p) => p.tables));
    ({ events } = await replay(store, db, projections, options));
    for (const sql of deferred) db.exec(sql);
    if (!copied) copySideEffectCheckpoint(fileName, source, db);
    restoreSideEffectCheckpoint(db, salvaged);
    db.pragma("journal_mode = WAL");
  } catch (error) {
    db?.close();
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

/** The live file, read-only, when it was projected from this event store; undefined otherwise. */
function openLive(fileName: string, source: string): Database.Database | undefined {
  if (!fs.existsSync(fileName)) return undefined;
  const live = new Database(fileName, { readonly: true, fileMustExist: true });
  const has = (table: string) =>
    live.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !== undefined;
  // Rows and checkpoints projected from another event store mean nothing here.
  if (has("read_model_source") && live.prepare("SELECT source FROM read_model_source WHERE id = 1").pluck().get() === source) {
    return live;
  }
  live.close();
  return undefined;
}

/** Projections the live file holds besides those being rebuilt. */
function othersIn(fileName: string, source: string, rebuilt: ReadonlySet<string>): string[] {
  const live = openLive(fileName, source);
  if (!live) return [];
  try {
    const hasBookkeeping =
      live.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'projections'").get() !== undefined;
    if (!hasBookkeeping) return [];
    const names = live.prepare("SELECT name FROM projections").pluck().all() as string[];
    return names.filter((name) => !rebuilt.has(name));
  } finally {
    live.close();
  }
}

function copyDatabase(fromFile: string, toFile: string): void {
  const from = new Database(fromFile, { readonly: true, fileMustExist: true });
  try {
    from.prepare("VACUUM INTO ?").run(toFile);
  } finally {
    from.close();
  }
}

function copySideEffectCheckpoint(fromFile: string, source: string, to: Database.Database): void {
  const from = openLive(fromFile, source);
  if (!from) return;
  try {
    const has = from.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(SIDE_EFFECT_CHECKPOINT);
    if (!has) return;
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
