import { z } from "zod";
import { EventDecodingError, eventCodec, type EventSchemas, type EventUpcasters, type StoredEvent } from "../shared/event-codec.js";
import { isSessionStatusEvent, type SessionEvent, type SessionStatusEvent } from "./events.js";
import {
  ATTENDANCE_METHODS,
  CANCELLATION_REASONS,
  isRegistrationEvent,
  PROMOTION_REASONS,
  type RegistrationEvent,
} from "./registration-events.js";
import { CONFIRMATION_REASONS, SESSION_MODES, SESSION_STATUSES } from "./values.js";

// The shapes events were recorded with: types only, no business rule (a rule tightened later
// must not make history unreadable).
const text = z.string();
const nullableText = z.string().nullable();
const status = z.enum(SESSION_STATUSES);

const details = z.object({
  name: text,
  summary: nullableText,
  description: nullableText,
  assigneeId: nullableText,
  category: nullableText,
  imageUrl: nullableText,
  language: nullableText,
  availableCountries: z.array(text),
  currency: nullableText,
  contentAccessibleBeforePayment: z.boolean(),
  price: z.number().int().nullable(),
  promotionalPrice: z.number().int().nullable(),
  promoStartsAt: nullableText,
  promoEndsAt: nullableText,
  vatCategory: nullableText,
  privateNote: nullableText,
});

const format = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("WEBINAR"), link: text, trainerId: text, hostId: nullableText }),
  z.object({
    kind: z.literal("CLASSROOM"),
    trainerId: text,
    hostId: nullableText,
    place: text,
    address: text,
    notes: nullableText,
    helpfulLink: nullableText,
    courseIds: z.array(text),
  }),
  z.object({ kind: z.literal("ONLINE"), trainerId: nullableText, courseId: nullableText, journeyId: nullableText }),
]);

const audience = z.discriminatedUnion("mode", [
  z.object({ mode: z.literal("PUBLIC"), minParticipants: z.number().int(), maxParticipants: z.number().int(), waitlistEnabled: z.boolean() }),
  z.object({ mode: z.literal("PRIVATE"), targetTeamIds: z.array(text), targetUserIds: z.array(text), invitedEmails: z.array(text) }),
]);

const schedule = z.object({ startsAt: text, endsAt: text, timezone: text, attendanceConfirmationOffsetMinutes: z.number().int() });

const transition = <To extends z.ZodType, Reason extends z.ZodType>(to: To, reason: Reason) =>
  z.object({ sessionId: text, from: status, to, reason, changedBy: text, changedAt: text });

const participant = { sessionId: text, registrationId: text, userId: text };

const schemas: EventSchemas<SessionEvent> = {
  SessionCreated: z.object({
    sessionId: text,
    organizationId: text,
    status: z.enum(["DRAFT", "LEAD"]),
    mode: z.enum(SESSION_MODES),
    details,
    audience: audience.nullable(),
    createdBy: text,
    createdAt: text,
  }),
  SessionDetailsEdited: z.object({ sessionId: text, changes: details.partial() }),
  SessionFormatSet: z.object({ sessionId: text, format }),
  SessionAudienceSet: z.object({ sessionId: text, audience }),
  SessionScheduleSet: z.object({ sessionId: text, schedule }),
  SessionDocumentAttached: z.object({ sessionId: text, document: z.object({ documentId: text, name: text, url: text }) }),
  SessionDocumentRemoved: z.object({ sessionId: text, documentId: text }),
  SessionSurveySet: z.object({ sessionId: text, survey: z.object({ title: text, url: text }).nullable() }),
  SessionMarkedAsLead: transition(z.literal("LEAD"), nullableText),
  SessionReturnedToDraft: transition(z.literal("DRAFT"), nullableText),
  SessionPlanned: transition(z.literal("PLANNED"), nullableText),
  SessionConfirmed: transition(z.literal("CONFIRMED"), z.enum(CONFIRMATION_REASONS)),
  SessionCanceled: transition(z.literal("CANCELED"), text),
  ParticipantRegistered: z.object({ ...participant, registeredBy: text, registeredAt: text }),
  ParticipantWaitlisted: z.object({ ...participant, registeredBy: text, waitlistedAt: text }),
  ParticipantPromotedFromWaitlist: z.object({ ...participant, reason: z.enum(PROMOTION_REASONS), promotedAt: text }),
  RegistrationCanceled: z.object({
    ...participant,
    previousStatus: z.enum(["REGISTERED", "WAITLISTED"]),
    reason: z.enum(CANCELLATION_REASONS),
    comment: nullableText,
    canceledBy: text,
    canceledAt: text,
  }),
  AttendanceConfirmed: z.object({ ...participant, method: z.enum(ATTENDANCE_METHODS), confirmedBy: text, confirmedAt: text }),
};

/** Schema version 1: public audiences recorded before the waitlist switch existed had a waitlist (S9). */
const withWaitlistDefault = (recorded: unknown): unknown => {
  const value = recorded as { mode?: unknown; waitlistEnabled?: unknown } | null;
  return value?.mode === "PUBLIC" && value.waitlistEnabled === undefined ? { ...value, waitlistEnabled: true } : recorded;
};

const upcasters: EventUpcasters<SessionEvent> = {
  SessionCreated: { 1: (data) => ({ ...data, audience: withWaitlistDefault(data.audience) }) },
  SessionAudienceSet: { 1: (data) => ({ ...data, audience: withWaitlistDefault(data.audience) }) },
};

/** Every event of a session's stream: its own life (S1–S7) and its people (S6, S8–S10). */
export const sessionEventCodec = eventCodec<SessionEvent>(schemas, upcasters);

/** A stored event that must be one of a session's registration events (S6, S8–S10). */
export function decodeRegistrationEvent(stored: StoredEvent): RegistrationEvent {
  const event = sessionEventCodec.decode(stored);
  if (!isRegistrationEvent(event)) throw new EventDecodingError(stored.type, "not a registration event");
  return event;
}

/** A stored event that must be one of a session's status changes (S3). */
export function decodeSessionStatusEvent(stored: StoredEvent): SessionStatusEvent {
  const event = sessionEventCodec.decode(stored);
  if (!isSessionStatusEvent(event)) throw new EventDecodingError(stored.type, "not a status change");
  return event;
}
