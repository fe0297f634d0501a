import type Database from "better-sqlite3";
import type { RegistrationEvent } from "../domain/sessions/events.js";
import { assertNever } from "../domain/shared/errors.js";
import { prepared } from "./read-model-db.js";

/**
 * The sessions projection's part for registration events: the counts on the session row. Who
 * attended is kept in session_attendees (a cancellation takes an attendee off the count, and the
 * event does not say whether they had attended); the rest is in the events themselves.
 */
export function countRegistration(db: Database.Database, event: RegistrationEvent, revision: bigint): void {
  const delta = { registered: 0, waitlisted: 0, attended: 0 };
  switch (event.type) {
    case "ParticipantRegistered":
      delta.registered = 1;
      break;
    case "ParticipantWaitlisted":
      delta.waitlisted = 1;
      break;
    case "ParticipantPromotedFromWaitlist":
      delta.registered = 1;
      delta.waitlisted = -1;
      break;
    case "RegistrationCanceled":
      if (event.data.previousStatus === "REGISTERED") delta.registered = -1;
      else delta.waitlisted = -1;
      delta.attended = -prepared(db, "DELETE FROM session_attendees WHERE registration_id = ?").run(event.data.registrationId).changes;
      break;
    case "AttendanceConfirmed":
      delta.attended = prepared(
        db,
        "INSERT INTO session_attendees (registration_id, session_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
      ).run(event.data.registrationId, event.data.sessionId).changes;
      break;
    default:
      assertNever(event);
  }
  prepared(
    db,
    `UPDATE sessions SET registered_count = registered_count + @registered,
       waitlisted_count = waitlisted_count + @waitlisted, attended_count = attended_count + @attended,
       revision = @revision
     WHERE id = @sessionId`,
  ).run({ ...delta, revision, sessionId: event.data.sessionId });
}
