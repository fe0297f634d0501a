import type Database from "better-sqlite3";
import { decodeRegistrationEvent } from "../domain/sessions/events.js";
import { REGISTRATION_EVENT_TYPES, type RegistrationEvent } from "../domain/sessions/events.js";
import type { RecordedEvent } from "../domain/shared/event-store.js";
import { assertNever } from "../domain/shared/errors.js";
import type { Projection } from "./projection.js";
import { prepared } from "./read-model-db.js";

/**
 * One row per registration (the session row's counts are the sessions projection's). Seat and
 * waitlist order are the stream revisions of the events that gave them, so "first come" is the
 * order events were decided.
 */
export const registrationsProjection: Projection = {
  name: "registrations",
  version: 1,
  tables: ["registrations"],
  schema: `
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
    CREATE INDEX IF NOT EXISTS registrations_by_user ON registrations (user_id, status, session_id);`,
  handles: new Set<string>(REGISTRATION_EVENT_TYPES),
  apply(db, recorded) {
    const event = decodeRegistrationEvent(recorded);
    const row = prepared(db, "SELECT revision FROM registrations WHERE id = ?").get(
      event.data.registrationId,
    ) as { revision: number } | undefined;
    if (row && BigInt(row.revision) >= recorded.revision) return; // already applied
    applyToRow(db, event, recorded);
  },
};

function applyToRow(db: Database.Database, event: RegistrationEvent, recorded: RecordedEvent): void {
  const revision = recorded.revision;
  const id = event.data.registrationId;
  switch (event.type) {
    case "ParticipantRegistered":
    case "ParticipantWaitlisted": {
      const seated = event.type === "ParticipantRegistered";
      const at = event.type === "ParticipantRegistered" ? event.data.registeredAt : event.data.waitlistedAt;
      prepared(
        db,
        `INSERT INTO registrations (id, session_id, organization_id, user_id, status, registered_by, requested_at,
           registered_at, seat_order, waitlist_order, revision)
         VALUES (@id, @sessionId, @organizationId, @userId, @status, @registeredBy, @at,
           @registeredAt, @seatOrder, @waitlistOrder, @revision)`,
      ).run({
        id,
        sessionId: event.data.sessionId,
        organizationId: String(recorded.metadata.tenantId),
        userId: event.data.userId,
        status: seated ? "REGISTERED" : "WAITLISTED",
        registeredBy: event.data.registeredBy,
        at,
        registeredAt: seated ? at : null,
        seatOrder: seated ? revision : null,
        waitlistOrder: seated ? null : revision,
        revision,
      });
      return;
    }
    case "ParticipantPromotedFromWaitlist":
      prepared(
        db,
        `UPDATE registrations SET status = 'REGISTERED', registered_at = @at, promoted_at = @at,
           seat_order = @revision, revision = @revision WHERE id = @id`,
      ).run({ id, at: event.data.promotedAt, revision });
      return;
    case "RegistrationCanceled":
      prepared(
        db,
        `UPDATE registrations SET status = 'CANCELED', canceled_at = @at, canceled_by = @by,
           cancellation_reason = @reason, cancellation_comment = @comment, revision = @revision WHERE id = @id`,
      ).run({
        id,
        at: event.data.canceledAt,
        by: event.data.canceledBy,
        reason: event.data.reason,
        comment: event.data.comment,
        revision,
      });
      return;
    case "AttendanceConfirmed":
      prepared(
        db,
        `UPDATE registrations SET attended_at = @at, attendance_method = @method, revision = @revision WHERE id = @id`,
      ).run({ id, at: event.data.confirmedAt, method: event.data.method, revision });
      return;
    default:
      return assertNever(event);
  }
}
