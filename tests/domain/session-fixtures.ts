/**
 * Shared test data for the session decider tests. Expectations here are written out by hand
 * from the rules (docs/rules.md, S1–S10), never derived from src/.
 */
import type { SessionCommand, SessionTransitionCommand } from "../../src/domain/sessions/decider.js";
import type {
  SessionAudienceSet,
  SessionCanceled,
  SessionConfirmed,
  SessionCreated,
  SessionEvent,
  SessionFormatSet,
  SessionMarkedAsLead,
  SessionPlanned,
  SessionReturnedToDraft,
  SessionScheduleSet,
} from "../../src/domain/sessions/events.js";
import type {
  SessionAudience,
  SessionDetails,
  SessionFormat,
  SessionMode,
  SessionSchedule,
  SessionStatus,
} from "../../src/domain/sessions/values.js";
import type { CommandContext } from "../../src/domain/shared/decider.js";

export const SESSION_ID = "session-1";
export const ORG_ID = "org-1";
export const ACTOR_ID = "user-1";
export const NOW_ISO = "2026-11-21T10:00:00.000Z";

/** The fixed command context of every test (override one field to test tenancy, actor, time). */
export function context(overrides: Partial<CommandContext> = {}): CommandContext {
  return {
    commandId: "cmd-1",
    organizationId: ORG_ID,
    actorId: ACTOR_ID,
    now: new Date("2026-11-21T10:00:00Z"),
    correlationId: "corr-1",
    ...overrides,
  };
}

/** For inputs the type system would reject but a client can still send. */
export const unchecked = <T>(value: unknown): T => value as T;

// ---------------------------------------------------------------------------------------------
// S3, written out from docs/rules.md: DRAFT→LEAD, DRAFT→PLANNED, LEAD→PLANNED, LEAD→DRAFT,
// PLANNED→CONFIRMED, and any non-canceled → CANCELED.
// ---------------------------------------------------------------------------------------------
export const STATUSES = ["DRAFT", "LEAD", "PLANNED", "CONFIRMED", "CANCELED"] as const satisfies readonly SessionStatus[];

export const ALLOWED_STATUS_CHANGES: ReadonlyArray<readonly [from: SessionStatus, to: SessionStatus]> = [
  ["DRAFT", "LEAD"],
  ["DRAFT", "PLANNED"],
  ["LEAD", "PLANNED"],
  ["LEAD", "DRAFT"],
  ["PLANNED", "CONFIRMED"],
  ["DRAFT", "CANCELED"],
  ["LEAD", "CANCELED"],
  ["PLANNED", "CANCELED"],
  ["CONFIRMED", "CANCELED"],
];

export const isAllowedChange = (from: SessionStatus, to: SessionStatus): boolean =>
  ALLOWED_STATUS_CHANGES.some(([f, t]) => f === from && t === to);

// ---------------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------------
export function details(overrides: Partial<SessionDetails> = {}): SessionDetails {
  return {
    name: "Intro to event sourcing",
    summary: null,
    description: null,
    assigneeId: null,
    category: null,
    imageUrl: null,
    language: null,
    availableCountries: [],
    currency: null,
    contentAccessibleBeforePayment: false,
    price: null,
    promotionalPrice: null,
    promoStartsAt: null,
    promoEndsAt: null,
    memberPrice: null,
    vatCategory: null,
    privateNote: null,
    ...overrides,
  };
}

export const WEBINAR: Extract<SessionFormat, { kind: "WEBINAR" }> = {
  kind: "WEBINAR",
  link: "https://meet.example.com/intro-es",
  trainerId: "trainer-1",
  hostId: null,
};

export const PUBLIC_AUDIENCE: Extract<SessionAudience, { mode: "PUBLIC" }> = {
  mode: "PUBLIC",
  minParticipants: 3,
  maxParticipants: 12,
  waitlistEnabled: true,
};

export const PRIVATE_AUDIENCE: Extract<SessionAudience, { mode: "PRIVATE" }> = {
  mode: "PRIVATE",
  targetTeamIds: ["team-1"],
  targetUserIds: [],
  invitedEmails: ["ada@example.com"],
};

export const SCHEDULE: SessionSchedule = {
  startsAt: "2026-12-01T09:00:00.000Z",
  endsAt: "2026-12-01T12:00:00.000Z",
  timezone: "Europe/Brussels",
  attendanceConfirmationOffsetMinutes: 15,
};

// ---------------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------------
export function created(
  options: {
    status?: "DRAFT" | "LEAD";
    mode?: SessionMode;
    audience?: SessionAudience | null;
    details?: Partial<SessionDetails>;
    organizationId?: string;
  } = {},
): SessionCreated {
  return {
    type: "SessionCreated",
    data: {
      sessionId: SESSION_ID,
      organizationId: options.organizationId ?? ORG_ID,
      status: options.status ?? "DRAFT",
      mode: options.mode ?? "PUBLIC",
      details: details(options.details),
      audience: options.audience ?? null,
      createdBy: "creator-1",
      createdAt: "2026-11-01T08:00:00.000Z",
    },
  };
}

export const formatSet = (format: SessionFormat = WEBINAR): SessionFormatSet => ({
  type: "SessionFormatSet",
  data: { sessionId: SESSION_ID, format },
});

export const audienceSet = (audience: SessionAudience = PUBLIC_AUDIENCE): SessionAudienceSet => ({
  type: "SessionAudienceSet",
  data: { sessionId: SESSION_ID, audience },
});

export const scheduleSet = (schedule: SessionSchedule = SCHEDULE): SessionScheduleSet => ({
  type: "SessionScheduleSet",
  data: { sessionId: SESSION_ID, schedule },
});

const change = { sessionId: SESSION_ID, changedBy: "admin-1", changedAt: "2026-11-10T08:00:00.000Z" };

export const markedAsLead = (from: SessionStatus): SessionMarkedAsLead => ({
  type: "SessionMarkedAsLead",
  data: { ...change, from, to: "LEAD", reason: null },
});
export const returnedToDraft = (from: SessionStatus): SessionReturnedToDraft => ({
  type: "SessionReturnedToDraft",
  data: { ...change, from, to: "DRAFT", reason: null },
});
export const planned = (from: SessionStatus): SessionPlanned => ({
  type: "SessionPlanned",
  data: { ...change, from, to: "PLANNED", reason: null },
});
export const confirmed = (): SessionConfirmed => ({
  type: "SessionConfirmed",
  data: { ...change, from: "PLANNED", to: "CONFIRMED", reason: "VALIDATED_BY_OWNER", comment: null },
});
export const canceled = (from: SessionStatus, reason = "Room unavailable"): SessionCanceled => ({
  type: "SessionCanceled",
  data: { ...change, from, to: "CANCELED", reason },
});

/** A public session with schedule, format and audience set: ready to be planned. */
export const readySession = (status: "DRAFT" | "LEAD" = "DRAFT"): SessionEvent[] => [
  created({ status }),
  scheduleSet(),
  formatSet(),
  audienceSet(),
];

/** A real event history that puts a (complete, public) session in each status. */
export function historyIn(status: SessionStatus): SessionEvent[] {
  switch (status) {
    case "DRAFT":
      return readySession("DRAFT");
    case "LEAD":
      return readySession("LEAD");
    case "PLANNED":
      return [...readySession("DRAFT"), planned("DRAFT")];
    case "CONFIRMED":
      return [...historyIn("PLANNED"), confirmed()];
    case "CANCELED":
      return [...historyIn("PLANNED"), canceled("PLANNED")];
  }
}

// ---------------------------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------------------------
export type TransitionCommandType = SessionTransitionCommand["type"];

export const TRANSITION_COMMAND_TYPES = [
  "MarkSessionAsLead",
  "ReturnSessionToDraft",
  "PlanSession",
  "ConfirmSession",
  "CancelSession",
] as const satisfies readonly TransitionCommandType[];

/** The status each transition command asks for (S3). */
export const TARGET_OF: Record<TransitionCommandType, SessionStatus> = {
  MarkSessionAsLead: "LEAD",
  ReturnSessionToDraft: "DRAFT",
  PlanSession: "PLANNED",
  ConfirmSession: "CONFIRMED",
  CancelSession: "CANCELED",
};

export function transitionCommand(
  type: TransitionCommandType,
  options: { reason?: string | null; context?: CommandContext } = {},
): SessionTransitionCommand {
  const base = { sessionId: SESSION_ID, context: options.context ?? context() };
  switch (type) {
    case "CancelSession":
      return { type, ...base, reason: options.reason ?? "Trainer is ill" };
    default:
      return { type, ...base, reason: options.reason };
  }
}

/** One valid command of every non-create type, for tenancy / existence / canceled checks. */
export function everyCommandOnExistingSession(ctx: CommandContext = context()): SessionCommand[] {
  const base = { sessionId: SESSION_ID, context: ctx };
  return [
    { type: "EditSessionDetails", ...base, changes: { name: "Renamed" } },
    { type: "SetSessionFormat", ...base, format: { ...WEBINAR, link: "https://meet.example.com/other" } },
    { type: "SetSessionAudience", ...base, audience: { mode: "PUBLIC", minParticipants: 1, maxParticipants: 5 } },
    { type: "SetSessionSchedule", ...base, schedule: { ...SCHEDULE, timezone: "Europe/Paris" } },
    { type: "AttachSessionDocument", ...base, document: { documentId: "doc-1", name: "Slides", url: "https://x.example/s.pdf" } },
    { type: "RemoveSessionDocument", ...base, documentId: "doc-1" },
    { type: "SetSessionSurvey", ...base, survey: { title: "Feedback", url: "https://forms.example.com/f" } },
    ...TRANSITION_COMMAND_TYPES.map((type) => transitionCommand(type, { context: ctx })),
  ];
}
