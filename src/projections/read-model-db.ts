import Database from "better-sqlite3";
import fs from "node:fs";
import path from "node:path";

/** Bump when a table changes shape: the read models are then dropped and replayed. */
export const READ_MODEL_VERSION = 6;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS checkpoints (
  name TEXT PRIMARY KEY,
  position INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS organizations (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  timezone TEXT NOT NULL,
  currency TEXT NOT NULL,
  settings TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  revision INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS users (
  id TEXT PRIMARY KEY,
  organization_id TEXT NOT NULL,
  email TEXT NOT NULL,
  display_name TEXT NOT NULL,
  name_key TEXT NOT NULL,
  roles TEXT NOT NULL,
  status TEXT NOT NULL,
  password_hash TEXT,
  state TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  revision INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS users_by_email ON users (email, organization_id);
CREATE INDEX IF NOT EXISTS users_by_organization ON users (organization_id, name_key, id);
CREATE TABLE IF NOT EXISTS teams (
  id TEXT PRIMARY KEY,
  organization_id TEXT NOT NULL,
  name TEXT NOT NULL,
  name_key TEXT NOT NULL,
  created_at TEXT NOT NULL,
  revision INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS teams_by_organization ON teams (organization_id, name_key, id);
CREATE TABLE IF NOT EXISTS team_members (
  team_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  organization_id TEXT NOT NULL,
  added_at TEXT NOT NULL,
  PRIMARY KEY (team_id, user_id)
);
CREATE INDEX IF NOT EXISTS team_members_by_user ON team_members (user_id, team_id);
CREATE TABLE IF NOT EXISTS api_keys (
  id TEXT PRIMARY KEY,
  organization_id TEXT NOT NULL,
  name TEXT NOT NULL,
  scopes TEXT NOT NULL,
  secret_hash TEXT NOT NULL,
  prefix TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  revoked_at TEXT,
  revision INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS api_keys_by_organization ON api_keys (organization_id, created_at);
CREATE TABLE IF NOT EXISTS sign_ins (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL,
  organization_id TEXT NOT NULL,
  started_at TEXT NOT NULL,
  ended_at TEXT,
  revision INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS session_targets (
  session_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (session_id, kind, value)
);
CREATE INDEX IF NOT EXISTS session_targets_by_value ON session_targets (kind, value, session_id);
CREATE TABLE IF NOT EXISTS sessions (
  id TEXT PRIMARY KEY,
  organization_id TEXT NOT NULL,
  status TEXT NOT NULL,
  mode TEXT NOT NULL,
  format_kind TEXT,
  name TEXT NOT NULL,
  name_key TEXT NOT NULL,
  category TEXT,
  language TEXT,
  assignee_id TEXT,
  starts_at TEXT,
  start_key TEXT NOT NULL,
  ends_at TEXT,
  search_text TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  state TEXT NOT NULL,
  registered_count INTEGER NOT NULL DEFAULT 0,
  waitlisted_count INTEGER NOT NULL DEFAULT 0,
  attended_count INTEGER NOT NULL DEFAULT 0,
  revision INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_by_start ON sessions (organization_id, start_key, id);
CREATE INDEX IF NOT EXISTS sessions_by_name ON sessions (organization_id, name_key, id);
CREATE INDEX IF NOT EXISTS sessions_by_created ON sessions (organization_id, created_at, id);
CREATE TABLE IF NOT EXISTS event_log (
  position INTEGER PRIMARY KEY,
  organization_id TEXT NOT NULL,
  stream_name TEXT NOT NULL,
  category TEXT NOT NULL,
  revision INTEGER NOT NULL,
  type TEXT NOT NULL,
  actor_id TEXT,
  occurred_at TEXT NOT NULL,
  event_id TEXT NOT NULL,
  data TEXT NOT NULL,
  metadata TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS event_log_by_stream ON event_log (organization_id, stream_name, position);
CREATE INDEX IF NOT EXISTS event_log_by_type ON event_log (organization_id, type, position);
CREATE INDEX IF NOT EXISTS event_log_by_actor ON event_log (organization_id, actor_id, position);
CREATE INDEX IF NOT EXISTS event_log_by_time ON event_log (organization_id, occurred_at, position);
CREATE TABLE IF NOT EXISTS registrations (
  id TEXT PRIMARY KEY,
  session_id TEXT NOT NULL,
  organization_id TEXT NOT NULL,
  user_id TEXT NOT NULL,
  status TEXT NOT NULL,
  registered_by TEXT NOT NULL,
  requested_at TEXT NOT NULL,
  registered_at TEXT,
  promoted_at TEXT,
  canceled_at TEXT,
  canceled_by TEXT,
  cancellation_reason TEXT,
  cancellation_comment TEXT,
  attended_at TEXT,
  attendance_method TEXT,
  seat_order INTEGER,
  waitlist_order INTEGER,
  revision INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS registrations_seats ON registrations (session_id, status, seat_order);
CREATE INDEX IF NOT EXISTS registrations_waitlist ON registrations (session_id, status, waitlist_order);
CREATE INDEX IF NOT EXISTS registrations_by_user ON registrations (user_id, status, session_id);
CREATE TABLE IF NOT EXISTS webhooks (
  id TEXT PRIMARY KEY,
  organization_id TEXT NOT NULL,
  url TEXT NOT NULL,
  event_types TEXT NOT NULL,
  description TEXT,
  secret TEXT NOT NULL,
  enabled INTEGER NOT NULL,
  deleted_at TEXT,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  revision INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS webhooks_by_organization ON webhooks (organization_id, created_at, id);
CREATE TABLE IF NOT EXISTS side_effects (
  key TEXT PRIMARY KEY,
  organization_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  target_id TEXT NOT NULL,
  trigger_event_id TEXT NOT NULL,
  trigger_event_type TEXT NOT NULL,
  trigger_stream TEXT NOT NULL,
  trigger_position INTEGER NOT NULL,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  claimed_by TEXT NOT NULL,
  last_error TEXT,
  last_status_code INTEGER,
  due_at TEXT,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  seq INTEGER NOT NULL,
  revision INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS side_effects_due ON side_effects (status, due_at);
CREATE INDEX IF NOT EXISTS side_effects_by_target ON side_effects (target_id, seq);
`;

const TABLES = [
  "checkpoints",
  "organizations",
  "users",
  "teams",
  "team_members",
  "api_keys",
  "sign_ins",
  "sessions",
  "session_targets",
  "registrations",
  "event_log",
  "webhooks",
  "side_effects",
];

/**
 * The read-model database: a separate file from the event store, rebuilt from events at will.
 * `source` names the event store the rows were projected from (see eventStoreIdentity): a file
 * built from another store is dropped and replayed rather than resumed from a foreign checkpoint.
 */
export function openReadModels(
  fileName: string,
  onStatement?: (sql: string) => void,
  source = "sqlite",
): Database.Database {
  if (fileName !== ":memory:") fs.mkdirSync(path.dirname(fileName), { recursive: true });
  const db = new Database(fileName, onStatement ? { verbose: (sql) => onStatement(String(sql)) } : {});
  db.pragma("journal_mode = WAL");
  // Losing the last transactions on power loss is harmless: the checkpoint goes back with
  // the rows, and the projector replays them from the event store.
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
  const version = db.pragma("user_version", { simple: true }) as number;
  if (version !== READ_MODEL_VERSION) {
    db.transaction(() => {
      recreateTables(db, TABLES);
      db.pragma(`user_version = ${READ_MODEL_VERSION}`);
    })();
  }
  db.exec("CREATE TABLE IF NOT EXISTS read_model_source (id INTEGER PRIMARY KEY CHECK (id = 1), source TEXT NOT NULL)");
  const recorded = db.prepare("SELECT source FROM read_model_source WHERE id = 1").get() as { source: string } | undefined;
  if (recorded?.source !== source) {
    db.transaction(() => {
      // The side-effect runner's checkpoint is a position in the other store too.
      if (recorded) recreateTables(db, [...TABLES, "side_effect_checkpoint"]);
      db.prepare("INSERT OR REPLACE INTO read_model_source (id, source) VALUES (1, ?)").run(source);
    })();
  }
  // Not a projection: the side-effect runner's own position, kept across version bumps and rebuilds.
  db.exec("CREATE TABLE IF NOT EXISTS side_effect_checkpoint (name TEXT PRIMARY KEY, position INTEGER NOT NULL)");
  return db;
}

function recreateTables(db: Database.Database, tables: readonly string[]): void {
  for (const table of tables) db.exec(`DROP TABLE IF EXISTS ${table}`);
  db.exec(SCHEMA);
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
