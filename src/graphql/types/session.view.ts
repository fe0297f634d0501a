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

function toScheduleView(schedule: NonNullable<DomainSession["schedule"]>): SessionSchedule {
  const start = DateTime.fromISO(schedule.startsAt, { zone: schedule.timezone });
  const end = DateTime.fromISO(schedule.endsAt, { zone: schedule.timezone });
  return {
    startsAt: start.toJSDate(),
    endsAt: end.toJSDate(),
    timezone: schedule.timezone,
    startsAtLocal: start.toISO({ suppressMilliseconds: true })!,
    endsAtLocal: end.toISO({ suppressMilliseconds: true })!,
    durationMinutes: Math.round(end.diff(start, "minutes").minutes),
    attendanceConfirmationOffsetMinutes: schedule.attendanceConfirmationOffsetMinutes,
    attendanceConfirmationOpensAt: start.plus({ minutes: schedule.attendanceConfirmationOffsetMinutes }).toJSDate(),
  };
}
