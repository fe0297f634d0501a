import { DateTime } from "luxon";
import type { Session as DomainSession } from "../../domain/sessions/decider.js";
import type { SessionCounts } from "../../projections/sessions.queries.js";
import { money } from "./money.type.js";
import type { Session, SessionSchedule } from "./session.type.js";

/** The API's view of a session (read model row or domain state). */
export function toSessionView(
  session: DomainSession,
  meta: { revision: bigint; updatedAt: string; counts: SessionCounts },
): Session {
  const d = session.details;
  const max = session.audience?.mode === "PUBLIC" ? session.audience.maxParticipants : null;
  return {
    id: session.id,
    status: session.status,
    statusReason: session.statusReason,
    mode: session.mode,
    name: d.name,
    summary: d.summary,
    description: d.description,
    assigneeId: d.assigneeId,
    category: d.category,
    imageUrl: d.imageUrl,
    language: d.language,
    availableCountries: d.availableCountries,
    currency: d.currency,
    contentAccessibleBeforePayment: d.contentAccessibleBeforePayment,
    isFree: d.price === null,
    price: money(d.price, d.currency),
    promotionalPrice: money(d.promotionalPrice, d.currency),
    promoStartsAt: d.promoStartsAt ? new Date(d.promoStartsAt) : null,
    promoEndsAt: d.promoEndsAt ? new Date(d.promoEndsAt) : null,
    vatCategory: d.vatCategory,
    privateNote: d.privateNote,
    format: session.format,
    audience: session.audience,
    schedule: session.schedule ? toScheduleView(session.schedule) : null,
    documents: session.documents.map((doc) => ({ id: doc.documentId, name: doc.name, url: doc.url })),
    survey: session.survey,
    createdBy: session.createdBy,
    createdAt: new Date(session.createdAt),
    updatedAt: new Date(meta.updatedAt),
    revision: Number(meta.revision),
    registeredCount: meta.counts.registered,
    waitlistedCount: meta.counts.waitlisted,
    attendedCount: meta.counts.attended,
    availableSeats: max === null ? null : Math.max(0, max - meta.counts.registered),
  };
}

/** Instants are plain arithmetic; the local (zoned) strings need luxon and are formatted only when selected. */
function toScheduleView(schedule: NonNullable<DomainSession["schedule"]>): SessionSchedule {
  const startsAt = new Date(schedule.startsAt);
  const endsAt = new Date(schedule.endsAt);
  const local = (instant: string) =>
    DateTime.fromISO(instant, { zone: schedule.timezone }).toISO({ suppressMilliseconds: true })!;
  return {
    startsAt,
    endsAt,
    timezone: schedule.timezone,
    get startsAtLocal() {
      return local(schedule.startsAt);
    },
    get endsAtLocal() {
      return local(schedule.endsAt);
    },
    durationMinutes: Math.round((endsAt.getTime() - startsAt.getTime()) / 60_000),
    attendanceConfirmationOffsetMinutes: schedule.attendanceConfirmationOffsetMinutes,
    attendanceConfirmationOpensAt: new Date(startsAt.getTime() + schedule.attendanceConfirmationOffsetMinutes * 60_000),
  };
}
