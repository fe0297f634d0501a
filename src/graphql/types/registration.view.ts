import type { RegistrationRecord } from "../../projections/registrations.queries.js";
import type { Registration } from "./registration.type.js";

const date = (iso: string | null) => (iso ? new Date(iso) : null);

/** A registration as the read model holds it, or as the session's stream tells it (no cursor). */
export type RegistrationFields = Omit<RegistrationRecord, "cursor">;

export function toRegistrationView(record: RegistrationFields): Registration {
  return {
    id: record.id,
    sessionId: record.sessionId,
    userId: record.userId,
    status: record.status,
    waitlistPosition: record.waitlistPosition,
    requestedAt: new Date(record.requestedAt),
    registeredAt: date(record.registeredAt),
    promotedAt: date(record.promotedAt),
    canceledAt: date(record.canceledAt),
    cancellationReason: record.cancellationReason,
    cancellationComment: record.cancellationComment,
    attended: record.attendedAt !== null,
    attendedAt: date(record.attendedAt),
    attendanceMethod: record.attendanceMethod,
    registeredBy: record.registeredBy,
  };
}
