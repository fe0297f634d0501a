import Database from "better-sqlite3";
import fs from "node:fs";
import { isDamage } from "./read-model-lock.js";
import { openReadModels } from "./read-model-db.js";

export type ReadModelsFileState = { state: "absent" | "ok" } | { state: "damaged"; reason: string };

const SIDE_EFFECT_CHECKPOINT = "side_effect_checkpoint";

/**
 * Whether the file is a sound SQLite database (`PRAGMA quick_check`, which reads every page):
 * truncated, overwritten or with a damaged page, it is "damaged". Other failures (permissions,
 * I/O) are thrown: they are not the file's content and moving it aside would not help.
 */
export function checkReadModelsFile(fileName: string): ReadModelsFileState {
  if (!fs.existsSync(fileName)) return { state: "absent" };
  let db: Database.Database | undefined;
  try {
    db = new Database(fileName, { fileMustExist: true });
    const rows = db.pragma("quick_check") as { quick_check: string }[];
    const problems = rows.map((row) => row.quick_check).filter((line) => line !== "ok");
    return problems.length === 0 ? { state: "ok" } : { state: "damaged", reason: problems.join("; ").slice(0, 500) };
  } catch (error) {
    if (isDamage(error)) return { state: "damaged", reason: (error as Error).message };
    throw error;
  } finally {
    db?.close();
  }
}

/** Renames the file and its -wal, -shm and -journal to `<file>.damaged-<time>…`; returns the new name. */
export function moveAside(fileName: string, now: Date): string {
  const aside = `${fileName}.damaged-${now.toISOString().replace(/[:.]/g, "-")}`;
  for (const suffix of ["", "-wal", "-shm", "-journal"]) {
    if (fs.existsSync(`${fileName}${suffix}`)) fs.renameSync(`${fileName}${suffix}`, `${aside}${suffix}`);
  }
  return aside;
}

/** The side-effect runner's checkpoint, if it can still be read from a damaged file. */
export function salvageSideEffectCheckpoint(fileName: string, source: string): { name: string; position: bigint }[] {
  let db: Database.Database | undefined;
  try {
    db = new Database(fileName, { readonly: true, fileMustExist: true });
    // A position in another event store means nothing here.
    if (db.prepare("SELECT source FROM read_model_source WHERE id = 1").pluck().get() !== source) return [];
    return db.prepare(`SELECT name, position FROM ${SIDE_EFFECT_CHECKPOINT}`).safeIntegers(true).all() as {
      name: string;
      position: bigint;
    }[];
  } catch {
    return [];
  } finally {
    db?.close();
  }
}

export function restoreSideEffectCheckpoint(db: Database.Database, rows: readonly { name: string; position: bigint }[]): void {
  const insert = db.prepare(`INSERT OR REPLACE INTO ${SIDE_EFFECT_CHECKPOINT} (name, position) VALUES (?, ?)`);
  for (const row of rows) insert.run(row.name, row.position);
}

export interface DamagedReadModels {
  file: string;
  movedTo: string;
  reason: string;
}

/**
 * Opens the server's read models after checking them. They are derived data: a damaged file is
 * moved aside (reported through `onDamaged`) and a new one is started, which the projector fills
 * from the event log. The side-effect runner's checkpoint is carried over when it can still be read
 * (otherwise the runner starts at the head of the log, as on a new replica).
 */
export function openCheckedReadModels(
  fileName: string,
  options: { source: string; now: () => Date; onStatement?: (sql: string) => void; onDamaged?: (damage: DamagedReadModels) => void },
): Database.Database {
  const checked = checkReadModelsFile(fileName);
  if (checked.state !== "damaged") return openReadModels(fileName, options.onStatement, options.source);
  const movedTo = moveAside(fileName, options.now());
  options.onDamaged?.({ file: fileName, movedTo, reason: checked.reason });
  const db = openReadModels(fileName, options.onStatement, options.source);
  restoreSideEffectCheckpoint(db, salvageSideEffectCheckpoint(movedTo, options.source));
  return db;
}
