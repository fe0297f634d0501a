import type Database from "better-sqlite3";
import type { Projection } from "./projection.js";
import { prepared } from "./read-model-db.js";

/**
 * Brings the file in line with the projections' declarations, before any event is applied: a
 * projection that is new, or whose version changed, has its tables dropped and recreated and
 * starts again from the beginning of the log; the others keep their rows and positions. The
 * bookkeeping of a projection that is no longer declared is forgotten, so that it does not hold
 * back where the read models as a whole stand. Returns the names of the projections that start again.
 */
export function installProjections(db: Database.Database, projections: readonly Projection[]): string[] {
  assertSingleOwners(projections);
  const installed = new Map(
    (db.prepare("SELECT name, version FROM projections").all() as { name: string; version: number }[]).map((row) => [
      row.name,
      row.version,
    ]),
  );
  const stale = projections.filter((projection) => installed.get(projection.name) !== projection.version);
  db.transaction(() => {
    db.prepare("DELETE FROM projections WHERE name NOT IN (SELECT value FROM json_each(?))").run(
      JSON.stringify(projections.map((projection) => projection.name)),
    );
    resetProjections(db, stale);
  })();
  return stale.map((projection) => projection.name);
}

/** Empties the projections' tables (dropped and recreated: their shape may have changed) and rewinds them to the start. */
export function resetProjections(db: Database.Database, projections: readonly Projection[]): void {
  db.transaction(() => {
    for (const projection of projections) {
      for (const table of projection.tables) db.exec(`DROP TABLE IF EXISTS "${table}"`);
      db.exec(projection.schema);
      db.prepare(
        `INSERT INTO projections (name, version, position) VALUES (?, ?, NULL)
         ON CONFLICT (name) DO UPDATE SET version = excluded.version, position = NULL`,
      ).run(projection.name, projection.version);
    }
  })();
}

/** Where each projection stands: the position of the last event it has taken, undefined before the first. */
export function readPositions(db: Database.Database, projections: readonly Projection[]): Map<string, bigint | undefined> {
  const rows = prepared(db, "SELECT name, position FROM projections WHERE name IN (SELECT value FROM json_each(?))")
    .safeIntegers(true)
    .all(JSON.stringify(projections.map((projection) => projection.name))) as { name: string; position: bigint | null }[];
  const positions = new Map(rows.map((row) => [row.name, row.position ?? undefined]));
  for (const projection of projections) {
    if (!positions.has(projection.name)) throw new Error(`The ${projection.name} projection is not installed in this file`);
  }
  return positions;
}

/** Each table has one writer: two projections declaring the same table is a programming error. */
function assertSingleOwners(projections: readonly Projection[]): void {
  const owners = new Map<string, string>();
  for (const projection of projections) {
    for (const table of projection.tables) {
      const owner = owners.get(table);
      if (owner !== undefined && owner !== projection.name) {
        throw new Error(`Table ${table} is declared by both the ${owner} and the ${projection.name} projections`);
      }
      owners.set(table, projection.name);
    }
  }
}
