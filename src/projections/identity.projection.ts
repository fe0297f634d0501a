import type Database from "better-sqlite3";
import { evolveOrganization, type OrganizationState } from "../domain/organizations/decider.js";
import { ORGANIZATION_EVENT_TYPES, organizationEventCodec } from "../domain/organizations/events.js";
import type { RecordedEvent } from "../domain/shared/event-store.js";
import { evolveUser, userStatus, type UserState } from "../domain/users/decider.js";
import { USER_EVENT_TYPES, userEventCodec } from "../domain/users/events.js";
import type { Projection } from "./projection.js";
import { prepared } from "./read-model-db.js";

const occurredAt = (recorded: RecordedEvent) => String(recorded.metadata.occurredAt ?? recorded.recordedAt.toISOString());

/** True when the row already holds this event (replays and retries apply nothing twice). */
function alreadyApplied(db: Database.Database, table: string, id: string, revision: bigint): boolean {
  const row = prepared(db, `SELECT revision FROM ${table} WHERE id = ?`).get(id) as { revision: number | bigint } | undefined;
  return row !== undefined && BigInt(row.revision) >= revision;
}

export const organizationsProjection: Projection = {
  name: "organizations",
  // 2: settings hold pricesIncludeVat.
  version: 2,
  tables: ["organizations"],
  schema: `
    CREATE TABLE IF NOT EXISTS organizations (
      id TEXT PRIMARY KEY,
      name TEXT NOT NULL,
      timezone TEXT NOT NULL,
      currency TEXT NOT NULL,
      settings TEXT NOT NULL,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      revision INTEGER NOT NULL
    );`,
  handles: new Set<string>(ORGANIZATION_EVENT_TYPES),
  apply(db, recorded) {
    const organizationId = String(recorded.data.organizationId);
    if (alreadyApplied(db, "organizations", organizationId, recorded.revision)) return;
    const row = prepared(db, "SELECT settings FROM organizations WHERE id = ?").get(organizationId) as { settings: string } | undefined;
    const before: OrganizationState = row ? { kind: "Existing", organizationId, settings: JSON.parse(row.settings) } : { kind: "Initial" };
    const after = evolveOrganization(before, organizationEventCodec.decode(recorded));
    if (after.kind === "Initial") return;
    const { name, timezone, currency } = after.settings;
    prepared(
      db,
      `INSERT INTO organizations (id, name, timezone, currency, settings, created_at, updated_at, revision)
       VALUES (@id, @name, @timezone, @currency, @settings, @at, @at, @revision)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, timezone = excluded.timezone, currency = excluded.currency,
         settings = excluded.settings, updated_at = excluded.updated_at, revision = excluded.revision`,
    ).run({ id: organizationId, name, timezone, currency, settings: JSON.stringify(after.settings), at: occurredAt(recorded), revision: recorded.revision });
  },
};

export const usersProjection: Projection = {
  name: "users",
  version: 1,
  tables: ["users"],
  schema: `
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
    CREATE INDEX IF NOT EXISTS users_by_organization ON users (organization_id, name_key, id);`,
  handles: new Set<string>(USER_EVENT_TYPES),
  apply(db, recorded) {
    const userId = String(recorded.data.userId);
    if (alreadyApplied(db, "users", userId, recorded.revision)) return;
    const row = prepared(db, "SELECT state FROM users WHERE id = ?").get(userId) as { state: string } | undefined;
    const before: UserState = row ? { kind: "Existing", user: JSON.parse(row.state) } : { kind: "Initial" };
    const event = userEventCodec.decode(recorded);
    const after = evolveUser(before, event);
    if (after.kind === "Initial") return;
    const user = after.user;
    const passwordHash = "passwordHash" in event.data ? event.data.passwordHash : undefined;
    prepared(
      db,
      `INSERT INTO users (id, organization_id, email, display_name, name_key, roles, status, password_hash, state,
         created_at, updated_at, revision)
       VALUES (@id, @organizationId, @email, @displayName, @nameKey, @roles, @status, @passwordHash, @state,
         @at, @at, @revision)
       ON CONFLICT (id) DO UPDATE SET display_name = excluded.display_name, name_key = excluded.name_key,
         roles = excluded.roles, status = excluded.status,
         password_hash = CASE WHEN @passwordChanged THEN excluded.password_hash ELSE users.password_hash END,
         state = excluded.state, updated_at = excluded.updated_at, revision = excluded.revision`,
    ).run({
      id: user.userId,
      organizationId: user.organizationId,
      email: user.email,
      displayName: user.displayName,
      nameKey: user.displayName.toLowerCase(),
      roles: JSON.stringify(user.roles),
      status: userStatus(user),
      passwordHash: passwordHash ?? null,
      passwordChanged: passwordHash !== undefined ? 1 : 0,
      state: JSON.stringify(user),
      at: occurredAt(recorded),
      revision: recorded.revision,
    });
  },
};
