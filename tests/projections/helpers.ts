import type Database from "better-sqlite3";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Projection } from "../../src/projections/projection.js";

/** A directory removed by `cleanUp`. */
export function tempDir(dirs: string[], prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

/** The projection, counting in `applied` the events it is given, by projection name. */
export function counting(projection: Projection, applied: Map<string, number>): Projection {
  return {
    ...projection,
    apply(db, event) {
      applied.set(projection.name, (applied.get(projection.name) ?? 0) + 1);
      projection.apply(db, event);
    },
  };
}

export const bumped = (projection: Projection): Projection => ({ ...projection, version: projection.version + 1 });

export const rows = (db: Database.Database, table: string) => db.prepare(`SELECT * FROM ${table} ORDER BY 1`).all();

/** Each projection's version and position, by name. */
export const bookkeeping = (db: Database.Database) =>
  Object.fromEntries(
    (db.prepare("SELECT name, version, position FROM projections").safeIntegers(true).all() as {
      name: string;
      version: bigint;
      position: bigint | null;
    }[]).map((row) => [row.name, { version: Number(row.version), position: row.position }]),
  );

/** A registrations row no event explains: it survives only as long as nobody rebuilds that projection. */
export function insertMarkerRegistration(db: Database.Database): void {
  db.prepare(
    `INSERT INTO registrations (id, session_id, organization_id, user_id, status, registered_by, requested_at, revision)
     VALUES ('marker', 'nowhere', 'org-1', 'nobody', 'REGISTERED', 'nobody', 'x', 0)`,
  ).run();
}

export const hasMarkerRegistration = (db: Database.Database) =>
  db.prepare("SELECT 1 FROM registrations WHERE id = 'marker'").get() !== undefined;
