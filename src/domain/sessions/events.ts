import { z } from "zod";
import { EventDecodingError, eventCodec, type EventSchemas, type EventUpcasters, type StoredEvent } from "../shared/event-codec.js";
import {
  CONFIRMATION_REASONS,
  type ConfirmationReason,
  SESSION_MODES,
  SESSION_STATUSES,
  type SessionAudience,
  type SessionDetails,
  type SessionDocument,
  type SessionFormat,
  type SessionMode,
  type SessionSchedule,
  type SessionStatus,
  type SessionSurvey,
} from "./values.js";

/** Stream of one session: `session-<id>`. */
export const SESSION_CATEGORY = "session";
export const sessionStreamName = (sessionId: string) => `${SESSION_CATEGORY}-${sessionId}`;

export type SessionCreated = {
  type: "SessionCreated";
  data: {
    sessionId: string;
    organizationId: string;
    status: "DRAFT" | "LEAD";
    mode: SessionMode;
    details: SessionDetails;
    audience: SessionAudience | null;
    createdBy: string;
    createdAt: string;
  };
};

export type SessionDetailsEdited = {
  type: "SessionDetailsEdited";
  data: { sessionId: string; changes: Partial<SessionDetails> };
};

export type SessionFormatSet = {
  type: "SessionFormatSet";
  data: { sessionId: string; format: SessionFormat };
};

export type SessionAudienceSet = {
  type: "SessionAudienceSet";
  data: { sessionId: string; audience: SessionAudience };
};

export type SessionScheduleSet = {
  type: "SessionScheduleSet";
  data: { sessionId: string; schedule: SessionSchedule };
};

export type SessionDocumentAttached = {
  type: "SessionDocumentAttached";
  data: { sessionId: string; document: SessionDocument };
};

export type SessionDocumentRemoved = {
  type: "SessionDocumentRemoved";
  data: { sessionId: string; documentId: string };
};

export type SessionSurveySet = {
  type: "SessionSurveySet";
  data: { sessionId: string; survey: SessionSurvey | null };
};

/** S3: every transition records from, to, who and why. */
type Transition<To extends SessionStatus, Reason> = {
  sessionId: string;
  from: SessionStatus;
  to: To;
  reason: Reason;
  changedBy: string;
  changedAt: string;
};

export type SessionMarkedAsLead = { type: "SessionMarkedAsLead"; data: Transition<"LEAD", string | null> };
export type SessionReturnedToDraft = { type: "SessionReturnedToDraft"; data: Transition<"DRAFT", string | null> };
export type SessionPlanned = { type: "SessionPlanned"; data: Transition<"PLANNED", string | null> };
/** `comment`: what the person who confirmed it said (null when it confirmed itself on reaching the minimum). */
export type SessionConfirmed = {
  type: "SessionConfirmed";
  data: Transition<"CONFIRMED", ConfirmationReason> & { comment: string | null };
};
export type SessionCanceled = { type: "SessionCanceled"; data: Transition<"CANCELED", string> };

export type SessionStatusEvent =
  | SessionMarkedAsLead
  | SessionReturnedToDraft
  | SessionPlanned
  | SessionConfirmed
  | SessionCanceled;

/** Everything on a session's stream: its own life (S1–S7) and its people (S8–S10). */
export type SessionEvent = SessionLifecycleEvent | RegistrationEvent;

export type SessionLifecycleEvent =
  | SessionCreated
  | SessionDetailsEdited
  | SessionFormatSet
  | SessionAudienceSet
  | SessionScheduleSet
  | SessionDocumentAttached
  | SessionDocumentRemoved
  | SessionSurveySet
  | SessionStatusEvent;

export const SESSION_STATUS_EVENT_TYPES = [
  "SessionMarkedAsLead",
  "SessionReturnedToDraft",
  "SessionPlanned",
  "SessionConfirmed",
  "SessionCanceled",
] as const satisfies readonly SessionStatusEvent["type"][];

/** The session's own events (registrations are in REGISTRATION_EVENT_TYPES). */
export const SESSION_LIFECYCLE_EVENT_TYPES = [
  "SessionCreated",
  "SessionDetailsEdited",
  "SessionFormatSet",
  "SessionAudienceSet",
  "SessionScheduleSet",
  "SessionDocumentAttached",
  "SessionDocumentRemoved",
  "SessionSurveySet",
  ...SESSION_STATUS_EVENT_TYPES,
] as const satisfies readonly SessionLifecycleEvent["type"][];

export function isSessionStatusEvent(event: { type: string }): event is SessionStatusEvent {
  return (SESSION_STATUS_EVENT_TYPES as readonly string[]).includes(event.type);
}

/** S8–S10 and S6 attendance: what happens to the people on a session, on the session's own stream. */

export const REGISTRATION_STATUSES = ["REGISTERED", "WAITLISTED", "CANCELED"] as const;
export type RegistrationStatus = (typeof REGISTRATION_STATUSES)[number];

export const CANCELLATION_REASONS = ["BY_PARTICIPANT", "BY_STAFF", "SESSION_CANCELED"] as const;
export type CancellationReason = (typeof CANCELLATION_REASONS)[number];

export const ATTENDANCE_METHODS = ["LINK", "STAFF"] as const;
export type AttendanceMethod = (typeof ATTENDANCE_METHODS)[number];

export const PROMOTION_REASONS = ["SEAT_FREED", "CAPACITY_RAISED"] as const;
export type PromotionReason = (typeof PROMOTION_REASONS)[number];

/** A seat was taken (S9: only while fewer than max participants hold one). */
export type ParticipantRegistered = {
  type: "ParticipantRegistered";
  data: { sessionId: string; registrationId: string; userId: string; registeredBy: string; registeredAt: string };
};

/** The session was full: the person waits, first come first served. */
export type ParticipantWaitlisted = {
  type: "ParticipantWaitlisted";
  data: { sessionId: string; registrationId: string; userId: string; registeredBy: string; waitlistedAt: string };
};

/** The first waiting person got the seat that freed, in the same step that freed it. */
export type ParticipantPromotedFromWaitlist = {
  type: "ParticipantPromotedFromWaitlist";
  data: { sessionId: string; registrationId: string; userId: string; reason: PromotionReason; promotedAt: string };
};

export type RegistrationCanceled = {
  type: "RegistrationCanceled";
  data: {
    sessionId: string;
    registrationId: string;
    userId: string;
    previousStatus: Exclude<RegistrationStatus, "CANCELED">;
    reason: CancellationReason;
    comment: string | null;
    canceledBy: string;
    canceledAt: string;
  };
};

/** S6: the participant opened the attendance link in its window, or staff marked them. */
export type AttendanceConfirmed = {
  type: "AttendanceConfirmed";
  data: {
    sessionId: string;
    registrationId: string;
    userId: string;
    method: AttendanceMethod;
    confirmedBy: string;
    confirmedAt: string;
  };
};

export type RegistrationEvent =
  | ParticipantRegistered
  | ParticipantWaitlisted
  | ParticipantPromotedFromWaitlist
  | RegistrationCanceled
  | AttendanceConfirmed;

export const REGISTRATION_EVENT_TYPES = [
  "ParticipantRegistered",
  "ParticipantWaitlisted",
  "ParticipantPromotedFromWaitlist",
  "RegistrationCanceled",
  "AttendanceConfirmed",
] as const satisfies readonly RegistrationEvent["type"][];

export function isRegistrationEvent(event: { type: string }): event is RegistrationEvent {
  return (REGISTRATION_EVENT_TYPES as readonly string[]).includes(event.type);
}

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
  memberPrice: z.number().int().nullable(),
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
  SessionConfirmed: transition(z.literal("CONFIRMED"), z.enum(CONFIRMATION_REASONS)).extend({ comment: nullableText }),
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
  SessionAudienceSet: { 1: (data) => ({ ...data, audience: withWaitlistDefault(data.audience) }) },
  // Schema version 2: confirmations were recorded before a comment could be given.
  SessionConfirmed: { 2: (data) => ({ comment: null, ...data }) },
  // Schema version 3: sessions were created before they had a member price.
  SessionCreated: {
    1: (data) => ({ ...data, audience: withWaitlistDefault(data.audience) }),
    3: (data) => ({ ...data, details: { memberPrice: null, ...(data.details as object) } }),
  },
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
