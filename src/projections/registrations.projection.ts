import type Database from "better-sqlite3";
import { REGISTRATION_EVENT_TYPES, type RegistrationEvent } from "../domain/sessions/registration-events.js";
import type { RecordedEvent } from "../domain/shared/event-store.js";
import { assertNever } from "../domain/shared/errors.js";
import type { Projection } from "./projection.js";
import { prepared } from "./read-model-db.js";

type Counts = { registered: number; waitlisted: number; attended: number };

/**
 * One row per registration, and the session row's counts. Seat and waitlist order are the
 * stream revisions of the events that gave them, so "first come" is the order events were decided.
 */
export const registrationsProjection: Projection = {
  name: "registrations",
  tables: ["registrations"],
  handles: new Set<string>(REGISTRATION_EVENT_TYPES),
  apply(db, recorded) {
    const event = { type: recorded.type, data: recorded.data } as RegistrationEvent;
    const row = prepared(db, "SELECT status, attended_at, revision FROM registrations WHERE id = ?").get(
      event.data.registrationId,
    ) as { status: string; attended_at: string | null; revision: number } | undefined;
    if (row && BigInt(row.revision) >= recorded.revision) return; // already applied
    const counts = applyToRow(db, event, recorded, row);
    prepared(
      db,
      `UPDATE sessions SET registered_count = registered_count + @registered,
         waitlisted_count = waitlisted_count + @waitlisted, attended_count = attended_count + @attended,
         revision = max(revision, @revision)
       WHERE id = @sessionId`,
    ).run({ ...counts, revision: recorded.revision, sessionId: event.data.sessionId });
  },
};

function applyToRow(
  db: Database.Database,
  event: RegistrationEvent,
  recorded: RecordedEvent,
  row: { status: string; attended_at: string | null } | undefined,
): Counts {
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
      return seated ? { registered: 1, waitlisted: 0, attended: 0 } : { registered: 0, waitlisted: 1, attended: 0 };
    }
    case "ParticipantPromotedFromWaitlist":
      prepared(
        db,
        `UPDATE registrations SET status = 'REGISTERED', registered_at = @at, promoted_at = @at,
           seat_order = @revision, revision = @revision WHERE id = @id`,
      ).run({ id, at: event.data.promotedAt, revision });
      return { registered: 1, waitlisted: -1, attended: 0 };
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
      return {
        registered: row?.status === "REGISTERED" ? -1 : 0,
        waitlisted: row?.status === "WAITLISTED" ? -1 : 0,
        attended: row?.attended_at ? -1 : 0,
      };
    case "AttendanceConfirmed":
      prepared(
        db,
        `UPDATE registrations SET attended_at = @at, attendance_method = @method, revision = @revision WHERE id = @id`,
      ).run({ id, at: event.data.confirmedAt, method: event.data.method, revision });
      return { registered: 0, waitlisted: 0, attended: row?.attended_at ? 0 : 1 };
    default:
      return assertNever(event);
  }
}
