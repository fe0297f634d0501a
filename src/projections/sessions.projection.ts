import type Database from "better-sqlite3";
import { evolveSession, type Session, type SessionState } from "../domain/sessions/decider.js";
import { EMPTY_ROSTER } from "../domain/sessions/registrations.js";
import { decodeRegistrationEvent, sessionEventCodec } from "../domain/sessions/events.js";
import { SESSION_LIFECYCLE_EVENT_TYPES } from "../domain/sessions/events.js";
import { isRegistrationEvent, REGISTRATION_EVENT_TYPES } from "../domain/sessions/events.js";
import type { RecordedEvent } from "../domain/shared/event-store.js";
import type { Projection } from "./projection.js";
import { prepared } from "./read-model-db.js";
import { countRegistration } from "./session-counts.js";

/** Sorts unscheduled sessions after every dated one. */
export const UNSCHEDULED_START_KEY = "~";

/**
 * One row per session; `state` holds the session exactly as the domain's evolve builds it. The
 * registration events of the session's stream keep the row's counts and revision (the stream's).
 */
export const sessionsProjection: Projection = {
  name: "sessions",
  version: 1,
  tables: ["sessions", "session_targets", "session_attendees"],
  schema: `
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
    CREATE TABLE IF NOT EXISTS session_targets (
      session_id TEXT NOT NULL,
      kind TEXT NOT NULL,
      value TEXT NOT NULL,
      PRIMARY KEY (session_id, kind, value)
    );
    CREATE INDEX IF NOT EXISTS session_targets_by_value ON session_targets (kind, value, session_id);
    CREATE TABLE IF NOT EXISTS session_attendees (
      registration_id TEXT PRIMARY KEY,
      session_id TEXT NOT NULL
    );`,
  handles: new Set<string>([...SESSION_LIFECYCLE_EVENT_TYPES, ...REGISTRATION_EVENT_TYPES]),
  apply(db, recorded) {
    const sessionId = String(recorded.data.sessionId);
    const row = prepared(db, "SELECT state, revision FROM sessions WHERE id = ?").get(sessionId) as
      | { state: string; revision: number | bigint }
      | undefined;
    if (row && BigInt(row.revision) >= recorded.revision) return; // already applied
    if (isRegistrationEvent(recorded)) {
      if (row) countRegistration(db, decodeRegistrationEvent(recorded), recorded.revision);
      return;
    }
    // The roster lives in the registrations table (registrations.projection.ts), not in this row.
    const before: SessionState = row
      ? { kind: "Existing", session: JSON.parse(row.state), roster: EMPTY_ROSTER }
      : { kind: "Initial" };
    const after = evolveSession(before, sessionEventCodec.decode(recorded));
    if (after.kind === "Initial") return;
    upsert(db, after.session, recorded);
    if (recorded.type === "SessionCreated" || recorded.type === "SessionAudienceSet") replaceTargets(db, after.session);
  },
};

function upsert(db: Database.Database, session: Session, recorded: RecordedEvent): void {
  const occurredAt = String(recorded.metadata.occurredAt ?? recorded.recordedAt.toISOString());
  prepared(db, 
    `INSERT INTO sessions (id, organization_id, status, mode, format_kind, name, name_key, category, language,
       assignee_id, starts_at, start_key, ends_at, search_text, created_at, updated_at, state, revision)
     VALUES (@id, @organizationId, @status, @mode, @formatKind, @name, @nameKey, @category, @language,
       @assigneeId, @startsAt, @startKey, @endsAt, @searchText, @createdAt, @updatedAt, @state, @revision)
     ON CONFLICT (id) DO UPDATE SET status = excluded.status, mode = excluded.mode,
       format_kind = excluded.format_kind, name = excluded.name, name_key = excluded.name_key,
       category = excluded.category, language = excluded.language, assignee_id = excluded.assignee_id,
       starts_at = excluded.starts_at, start_key = excluded.start_key, ends_at = excluded.ends_at,
       search_text = excluded.search_text, updated_at = excluded.updated_at, state = excluded.state,
       revision = excluded.revision`,
  ).run({
    id: session.id,
    organizationId: session.organizationId,
    status: session.status,
    mode: session.mode,
    formatKind: session.format?.kind ?? null,
    name: session.details.name,
    nameKey: session.details.name.toLowerCase(),
    category: session.details.category,
    language: session.details.language,
    assigneeId: session.details.assigneeId,
    startsAt: session.schedule?.startsAt ?? null,
    startKey: session.schedule?.startsAt ?? UNSCHEDULED_START_KEY,
    endsAt: session.schedule?.endsAt ?? null,
    searchText: `${session.details.name}\n${session.details.summary ?? ""}`.toLowerCase(),
    createdAt: session.createdAt,
    updatedAt: occurredAt,
    state: JSON.stringify(session),
    revision: recorded.revision,
  });
}

/** S5: who a private session targets, one row per user, team or invited e-mail. */
function replaceTargets(db: Database.Database, session: Session): void {
  prepared(db, "DELETE FROM session_targets WHERE session_id = ?").run(session.id);
  const audience = session.audience;
  if (audience?.mode !== "PRIVATE") return;
  const insert = prepared(db, "INSERT OR IGNORE INTO session_targets (session_id, kind, value) VALUES (?, ?, ?)");
  for (const userId of audience.targetUserIds) insert.run(session.id, "USER", userId);
  for (const teamId of audience.targetTeamIds) insert.run(session.id, "TEAM", teamId);
  for (const email of audience.invitedEmails) insert.run(session.id, "EMAIL", email);
}
