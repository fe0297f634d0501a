import Database from "better-sqlite3";
import path from "node:path";
import { createOwnerOnlyDirectory, ensureOwnerOnlySqliteFile } from "../adapters/files/owner-only.js";

/**
 * What the file keeps besides the projections' own tables: each projection's version and the
 * position it has reached (NULL: nothing applied yet), and `checkpoints`, where the read models
 * as a whole stand (the position every projection has reached).
 */
const BOOKKEEPING = `
CREATE TABLE IF NOT EXISTS projections (
  name TEXT PRIMARY KEY,
  version INTEGER NOT NULL,
  position INTEGER
);
CREATE VIEW IF NOT EXISTS checkpoints (name, position) AS
  SELECT 'read-models', CASE WHEN count(*) = count(position) THEN min(position) END FROM projections;
`;

const SIDE_EFFECT_CHECKPOINT = "side_effect_checkpoint";
const SOURCE = "read_model_source";

/**
 * The read-model database: a separate file from the event store, rebuilt from events at will.
 * The projections' tables are created by installProjections (projection-install.ts).
 * `source` names the event store the rows were projected from (see eventStoreIdentity): a file
 * built from another store is emptied and replayed rather than resumed from a foreign checkpoint.
 */
export function openReadModels(
  fileName: string,
  onStatement?: (sql: string) => void,
  source = "sqlite",
): Database.Database {
  if (fileName !== ":memory:" && fileName !== "") {
    createOwnerOnlyDirectory(path.dirname(fileName));
    ensureOwnerOnlySqliteFile(fileName);
  }
  const db = new Database(fileName, onStatement ? { verbose: (sql) => onStatement(String(sql)) } : {});
  db.pragma("journal_mode = WAL");
  // Losing the last transactions on power loss is harmless: the checkpoint goes back with
  // the rows, and the projector replays them from the event store.
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
  db.exec(`CREATE TABLE IF NOT EXISTS ${SOURCE} (id INTEGER PRIMARY KEY CHECK (id = 1), source TEXT NOT NULL)`);
  const recorded = db.prepare(`SELECT source FROM ${SOURCE} WHERE id = 1`).get() as { source: string } | undefined;
  db.transaction(() => {
    if (recorded !== undefined && recorded.source !== source) {
      // The side-effect runner's checkpoint is a position in the other store too.
      dropAllBut(db, [SOURCE]);
    } else if (hasSingleVersionLayout(db)) {
      // Every projection is then new: installProjections recreates its tables and replays it.
      dropAllBut(db, [SOURCE, SIDE_EFFECT_CHECKPOINT]);
    }
    if (recorded?.source !== source) db.prepare(`INSERT OR REPLACE INTO ${SOURCE} (id, source) VALUES (1, ?)`).run(source);
    db.exec(BOOKKEEPING);
    // Not a projection: the side-effect runner's own position, kept across version bumps and rebuilds.
    db.exec(`CREATE TABLE IF NOT EXISTS ${SIDE_EFFECT_CHECKPOINT} (name TEXT PRIMARY KEY, position INTEGER NOT NULL)`);
  })();
  return db;
}

/** Files from before per-projection versions had one `checkpoints` table for every read model. */
function hasSingleVersionLayout(db: Database.Database): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'checkpoints'").get() !== undefined;
}

function dropAllBut(db: Database.Database, kept: readonly string[]): void {
  const objects = db
    .prepare("SELECT type, name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'")
    .all() as { type: "table" | "view"; name: string }[];
  for (const { type, name } of objects) {
    if (!kept.includes(name)) db.exec(`DROP ${type.toUpperCase()} IF EXISTS "${name}"`);
  }
}

const statements = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/** Prepared once per database and SQL text: projections run the same statements for every event. */
export function prepared(db: Database.Database, sql: string): Database.Statement {
  let cache = statements.get(db);
  if (!cache) statements.set(db, (cache = new Map()));
  let statement = cache.get(sql);
  if (!statement) cache.set(sql, (statement = db.prepare(sql)));
  return statement;
}

/**
 * A connection's totalCount, counted only when a query selects it (a count over a large
 * organization costs more than the page). The parameters are copied: the caller goes on to
 * add the page's own.
 */
export function lazyCount(db: Database.Database, sql: string, params: Record<string, unknown>): () => number {
  const frozen = { ...params };
  return () => Number((db.prepare(sql).get(frozen) as { n: number | bigint }).n);
}

/**
 * Counts per parent (`parent_id`, `total` columns) of a grouped statement, run once and only if
 * a page's totalCount is asked for; a parent without rows counts 0.
 */
export function lazyTotals(db: Database.Database, sql: string, params: Record<string, unknown>): (parentId: string) => number {
  const frozen = { ...params };
  let totals: Map<string, number> | undefined;
  return (parentId) => {
    totals ??= new Map(
      (prepared(db, sql).all(frozen) as { parent_id: string; total: number | bigint }[]).map((row) => [row.parent_id, Number(row.total)]),
    );
    return totals.get(parentId) ?? 0;
  };
}

/**
 * The first pages of many parents from rows ranked per parent (`parent_id`, at most first + 1
 * each, in order): every parent gets a page, an empty one when it has no rows.
 */
export function pagesByParent<Row extends { parent_id: string }, R>(
  parentIds: readonly string[],
  rows: readonly Row[],
  first: number,
  toRecord: (row: Row) => R,
  totalOf: (parentId: string) => number,
): Map<string, { records: R[]; totalCount: () => number; hasNextPage: boolean }> {
  const byParent = new Map<string, Row[]>(parentIds.map((id) => [id, []]));
  for (const row of rows) byParent.get(row.parent_id)?.push(row);
  return new Map(
    [...byParent].map(([parentId, parentRows]) => [
      parentId,
      { records: parentRows.slice(0, first).map(toRecord), totalCount: () => totalOf(parentId), hasNextPage: parentRows.length > first },
    ]),
  );
}
