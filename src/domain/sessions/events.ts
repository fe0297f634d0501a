import type { RegistrationEvent } from "./registration-events.js";
import type {
  ConfirmationReason,
  SessionAudience,
  SessionDetails,
  SessionDocument,
  SessionFormat,
  SessionMode,
  SessionSchedule,
  SessionStatus,
  SessionSurvey,
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
export type SessionConfirmed = { type: "SessionConfirmed"; data: Transition<"CONFIRMED", ConfirmationReason> };
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
