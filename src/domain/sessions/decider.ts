import { z } from "zod";
import type { CommandContext, Decider } from "../shared/decider.js";
import { assertNever, DomainError, ValidationError } from "../shared/errors.js";
import { idSchema, parseOrThrow } from "../shared/validation.js";
import { isRegistrationEvent, sessionEventCodec, type SessionEvent, type SessionLifecycleEvent } from "./events.js";
import { cancelEveryRegistration, decideRegistration, EMPTY_ROSTER, evolveRoster, fitAudienceToRoster, type Roster } from "./registrations.js";
import {
  EMPTY_DETAILS,
  type SessionAudience,
  type SessionDetails,
  type SessionDocument,
  type SessionFormat,
  type SessionMode,
  type SessionSchedule,
  type SessionStatus,
  type SessionSurvey,
  reasonSchema,
  requiredReasonSchema,
  sessionAudienceSchema,
  sessionDetailsSchema,
  sessionDocumentSchema,
  sessionFormatSchema,
  sessionScheduleSchema,
  sessionSurveySchema,
} from "./values.js";

/**
 * Commands carry raw input (the decider validates it with the zod schemas of values.ts),
 * plus the context: who, when, which organization.
 */
type DetailsInput = z.input<typeof sessionDetailsSchema>;

type Base<T extends string> = { type: T; sessionId: string; context: CommandContext };

/** What the organization's settings say of prices (P1, P2): its default currency and its VAT categories' names. */
export interface OrganizationPricing {
  defaultCurrency: string | null;
  vatCategories: readonly string[];
}

/** Without the organization's terms: no default currency, no VAT category to choose. */
const NO_PRICING: OrganizationPricing = { defaultCurrency: null, vatCategories: [] };

export type CreateSession = Base<"CreateSession"> & {
  status: "DRAFT" | "LEAD";
  mode: SessionMode;
  details: Pick<DetailsInput, "name"> & Partial<DetailsInput>;
  audience?: z.input<typeof sessionAudienceSchema> | null;
  pricing?: OrganizationPricing;
};
export type EditSessionDetails = Base<"EditSessionDetails"> & { changes: Partial<DetailsInput>; pricing?: OrganizationPricing };
export type SetSessionFormat = Base<"SetSessionFormat"> & { format: z.input<typeof sessionFormatSchema> };
export type SetSessionAudience = Base<"SetSessionAudience"> & { audience: z.input<typeof sessionAudienceSchema> };
export type SetSessionSchedule = Base<"SetSessionSchedule"> & { schedule: z.input<typeof sessionScheduleSchema> };
export type AttachSessionDocument = Base<"AttachSessionDocument"> & { document: z.input<typeof sessionDocumentSchema> };
export type RemoveSessionDocument = Base<"RemoveSessionDocument"> & { documentId: string };
export type SetSessionSurvey = Base<"SetSessionSurvey"> & { survey: z.input<typeof sessionSurveySchema> | null };

export type MarkSessionAsLead = Base<"MarkSessionAsLead"> & { reason?: string | null };
export type ReturnSessionToDraft = Base<"ReturnSessionToDraft"> & { reason?: string | null };
export type PlanSession = Base<"PlanSession"> & { reason?: string | null };
/** Manual confirmation by an admin or the assignee (S4 VALIDATED_BY_OWNER). */
export type ConfirmSession = Base<"ConfirmSession"> & { reason?: string | null };
export type CancelSession = Base<"CancelSession"> & { reason: string };

/** Who is joining, as much as S5 (audience) and S8 (country) need to decide. */
export interface Participant {
  userId: string;
  email: string;
  country: string | null;
  teamIds: readonly string[];
}

/** S8/S9: takes a seat, or a place on the waitlist; the same person again changes nothing. */
export type RegisterForSession = Base<"RegisterForSession"> & { registrationId: string; participant: Participant };
/** By the participant (context.actorId is theirs) or by staff. */
export type CancelRegistration = Base<"CancelRegistration"> & { registrationId: string; comment?: string | null };
/** S6: by the attendance link (in its window) or by staff; names the registration or its participant. */
export type ConfirmAttendance = Base<"ConfirmAttendance"> & {
  method: "LINK" | "STAFF";
  registrationId?: string;
  userId?: string;
};

export type RegistrationCommand = RegisterForSession | CancelRegistration | ConfirmAttendance;

export type SessionTransitionCommand =
  | MarkSessionAsLead
  | ReturnSessionToDraft
  | PlanSession
  | ConfirmSession
  | CancelSession;

export type SessionCommand =
  | CreateSession
  | EditSessionDetails
  | SetSessionFormat
  | SetSessionAudience
  | SetSessionSchedule
  | AttachSessionDocument
  | RemoveSessionDocument
  | SetSessionSurvey
  | SessionTransitionCommand
  | RegistrationCommand;

export interface Session {
  id: string;
  organizationId: string;
  status: SessionStatus;
  /** Why the session is in its status (cancel reason, confirmation reason, comment). */
  statusReason: string | null;
  mode: SessionMode;
  details: SessionDetails;
  format: SessionFormat | null;
  audience: SessionAudience | null;
  schedule: SessionSchedule | null;
  documents: SessionDocument[];
  survey: SessionSurvey | null;
  createdBy: string;
  createdAt: string;
}

/** The session, and its people (kept apart: read models store them in their own tables). */
export type SessionState = { kind: "Initial" } | { kind: "Existing"; session: Session; roster: Roster };

export const initialSessionState = (): SessionState => ({ kind: "Initial" });

export function evolveSession(state: SessionState, event: SessionEvent): SessionState {
  if (isRegistrationEvent(event)) {
    return state.kind === "Initial" ? state : { ...state, roster: evolveRoster(state.roster, event) };
  }
  return evolveLifecycle(state, event);
}

function evolveLifecycle(state: SessionState, event: SessionLifecycleEvent): SessionState {
  if (event.type === "SessionCreated") {
    const d = event.data;
    return {
      kind: "Existing",
      session: {
        id: d.sessionId,
        organizationId: d.organizationId,
        status: d.status,
        statusReason: null,
        mode: d.audience?.mode ?? d.mode,
        details: d.details,
        format: null,
        audience: d.audience,
        schedule: null,
        documents: [],
        survey: null,
        createdBy: d.createdBy,
        createdAt: d.createdAt,
      },
      roster: EMPTY_ROSTER,
    };
  }
  if (state.kind === "Initial") return state;
  const session = state.session;
  const next = (changes: Partial<Session>): SessionState => ({ ...state, session: { ...session, ...changes } });
  switch (event.type) {
    case "SessionDetailsEdited":
      return next({ details: { ...session.details, ...event.data.changes } });
    case "SessionFormatSet":
      return next({ format: event.data.format });
    case "SessionAudienceSet":
      return next({ audience: event.data.audience, mode: event.data.audience.mode });
    case "SessionScheduleSet":
      return next({ schedule: event.data.schedule });
    case "SessionDocumentAttached":
      return next({ documents: [...session.documents, event.data.document] });
    case "SessionDocumentRemoved":
      return next({ documents: session.documents.filter((d) => d.documentId !== event.data.documentId) });
    case "SessionSurveySet":
      return next({ survey: event.data.survey });
    case "SessionMarkedAsLead":
    case "SessionReturnedToDraft":
    case "SessionPlanned":
    case "SessionConfirmed":
    case "SessionCanceled":
      return next({ status: event.data.to, statusReason: event.data.reason });
    default:
      return assertNever(event);
  }
}

export function decideSession(command: SessionCommand, state: SessionState): SessionEvent[] {
  parseOrThrow(idSchema, command.sessionId, "sessionId");
  if (command.type === "CreateSession") return create(command, state);
  const session = existing(state, command.context.organizationId, command.sessionId);
  const roster = (state as Extract<SessionState, { kind: "Existing" }>).roster;
  const sessionId = session.id;

  switch (command.type) {
    case "EditSessionDetails": {
      assertEditable(session);
      const changes = parseOrThrow(sessionDetailsSchema.partial(), command.changes);
      const pricing = command.pricing ?? NO_PRICING;
      const changed = Object.fromEntries(
        Object.entries(changes).filter(
          ([key, value]) =>
            value !== undefined && !sameValue(value, session.details[key as keyof SessionDetails]),
        ),
      ) as Partial<SessionDetails>;
      if (changed.vatCategory) assertVatCategoryKnown(changed.vatCategory, pricing);
      const currency = defaultCurrencyFor({ ...session.details, ...changed }, pricing);
      if (currency) changed.currency = currency;
      if (Object.keys(changed).length === 0) return [];
      assertDetailsConsistent({ ...session.details, ...changed });
      return [{ type: "SessionDetailsEdited", data: { sessionId, changes: changed } }];
    }
    case "SetSessionFormat": {
      assertEditable(session);
      const format = parseOrThrow(sessionFormatSchema, command.format, "format");
      if (sameValue(format, session.format)) return [];
      return [{ type: "SessionFormatSet", data: { sessionId, format } }];
    }
    case "SetSessionAudience": {
      assertEditable(session);
      const audience = parseOrThrow(sessionAudienceSchema, command.audience, "audience");
      if (sameValue(audience, session.audience)) return [];
      return [
        { type: "SessionAudienceSet", data: { sessionId, audience } },
        ...fitAudienceToRoster(session, roster, audience, command.context),
      ];
    }
    case "SetSessionSchedule": {
      assertEditable(session);
      const schedule = parseOrThrow(sessionScheduleSchema, command.schedule, "schedule");
      if (sameValue(schedule, session.schedule)) return [];
      return [{ type: "SessionScheduleSet", data: { sessionId, schedule } }];
    }
    case "AttachSessionDocument": {
      assertEditable(session);
      const document = parseOrThrow(sessionDocumentSchema, command.document, "document");
      if (session.documents.some((d) => d.documentId === document.documentId)) return [];
      return [{ type: "SessionDocumentAttached", data: { sessionId, document } }];
    }
    case "RemoveSessionDocument": {
      assertEditable(session);
      if (!session.documents.some((d) => d.documentId === command.documentId)) {
        throw new DomainError("NOT_FOUND", `Document ${command.documentId} is not attached to session ${sessionId}`, {
          field: "documentId",
        });
      }
      return [{ type: "SessionDocumentRemoved", data: { sessionId, documentId: command.documentId } }];
    }
    case "SetSessionSurvey": {
      assertEditable(session);
      const survey = command.survey === null ? null : parseOrThrow(sessionSurveySchema, command.survey, "survey");
      if (sameValue(survey, session.survey)) return [];
      return [{ type: "SessionSurveySet", data: { sessionId, survey } }];
    }
    case "MarkSessionAsLead":
    case "ReturnSessionToDraft":
    case "PlanSession":
    case "ConfirmSession":
    case "CancelSession": {
      const events: SessionEvent[] = transition(command, session);
      if (command.type !== "CancelSession" || events.length === 0) return events;
      const canceled = { ...session, statusReason: (events[0]!.data as { reason: string }).reason };
      return [...events, ...cancelEveryRegistration(canceled, roster, command.context)];
    }
    case "RegisterForSession":
    case "CancelRegistration":
    case "ConfirmAttendance":
      return decideRegistration(command, session, roster);
    default:
      return assertNever(command);
  }
}

export const sessionDecider: Decider<SessionCommand, SessionEvent, SessionState> = {
  codec: sessionEventCodec,
  initialState: initialSessionState,
  evolve: evolveSession,
  decide: decideSession,
};

function create(command: Extract<SessionCommand, { type: "CreateSession" }>, state: SessionState): SessionEvent[] {
  if (state.kind === "Existing") {
    if (state.session.organizationId !== command.context.organizationId) {
      throw new DomainError("ALREADY_EXISTS", `Session ${command.sessionId} already exists`);
    }
    return []; // the same creation, retried
  }
  const status = parseOrThrow(z.enum(["DRAFT", "LEAD"], "must be DRAFT or LEAD"), command.status, "status");
  const mode = parseOrThrow(z.enum(["PUBLIC", "PRIVATE"], "must be PUBLIC or PRIVATE"), command.mode, "mode");
  const given = Object.fromEntries(Object.entries(command.details).filter(([, value]) => value !== undefined));
  const details = parseOrThrow(sessionDetailsSchema, { ...EMPTY_DETAILS, ...given });
  const pricing = command.pricing ?? NO_PRICING;
  if (details.vatCategory) assertVatCategoryKnown(details.vatCategory, pricing);
  details.currency = defaultCurrencyFor(details, pricing) ?? details.currency;
  assertDetailsConsistent(details);
  const audience =
    command.audience == null ? null : parseOrThrow(sessionAudienceSchema, command.audience, "audience");
  if (audience && audience.mode !== mode) {
    throw new ValidationError("audience.mode", `must match the session mode ${mode}`);
  }
  return [
    {
      type: "SessionCreated",
      data: {
        sessionId: command.sessionId,
        organizationId: command.context.organizationId,
        status,
        mode,
        details,
        audience,
        createdBy: command.context.actorId,
        createdAt: command.context.now.toISOString(),
      },
    },
  ];
}

const TARGET_STATUS: Record<SessionTransitionCommand["type"], SessionStatus> = {
  MarkSessionAsLead: "LEAD",
  ReturnSessionToDraft: "DRAFT",
  PlanSession: "PLANNED",
  ConfirmSession: "CONFIRMED",
  CancelSession: "CANCELED",
};

function transition(command: SessionTransitionCommand, session: Session): SessionLifecycleEvent[] {
  const from = session.status;
  const to = TARGET_STATUS[command.type];
  if (from === to) return []; // already there: idempotent
  if (!isTransitionAllowed(from, to)) {
    throw new DomainError("INVALID_TRANSITION", `A ${from} session cannot become ${to}`, { from, to });
  }
  if (to === "PLANNED") assertReadyToPlan(session);
  if (to === "PLANNED" || to === "CONFIRMED") assertNotEnded(session, command.context.now);
  const base = {
    sessionId: session.id,
    from,
    changedBy: command.context.actorId,
    changedAt: command.context.now.toISOString(),
  };
  switch (command.type) {
    case "MarkSessionAsLead":
      return [{ type: "SessionMarkedAsLead", data: { ...base, to: "LEAD", reason: optionalReason(command.reason) } }];
    case "ReturnSessionToDraft":
      return [{ type: "SessionReturnedToDraft", data: { ...base, to: "DRAFT", reason: optionalReason(command.reason) } }];
    case "PlanSession":
      return [{ type: "SessionPlanned", data: { ...base, to: "PLANNED", reason: optionalReason(command.reason) } }];
    case "ConfirmSession":
      return [{ type: "SessionConfirmed", data: { ...base, to: "CONFIRMED", reason: "VALIDATED_BY_OWNER", comment: optionalReason(command.reason) } }];
    case "CancelSession":
      return [
        {
          type: "SessionCanceled",
          data: { ...base, to: "CANCELED", reason: parseOrThrow(requiredReasonSchema, command.reason, "reason") },
        },
      ];
    default:
      return assertNever(command);
  }
}

function optionalReason(reason: string | null | undefined): string | null {
  const parsed = parseOrThrow(reasonSchema, reason ?? null, "reason");
  return parsed === "" ? null : parsed;
}

function existing(state: SessionState, organizationId: string, sessionId: string): Session {
  // Another organization's session is reported exactly like a missing one.
  if (state.kind === "Initial" || state.session.organizationId !== organizationId) {
    throw new DomainError("NOT_FOUND", `Session ${sessionId} was not found`);
  }
  return state.session;
}

function assertEditable(session: Session): void {
  if (session.status === "CANCELED") {
    throw new DomainError("SESSION_CANCELED", `Session ${session.id} is canceled and can no longer be changed`);
  }
}

/** P2: a session's VAT category is one the organization defines. */
function assertVatCategoryKnown(category: string, pricing: OrganizationPricing): void {
  if (pricing.vatCategories.includes(category)) return;
  throw new ValidationError(
    "vatCategory",
    pricing.vatCategories.length === 0
      ? "is not one of your organization's VAT categories: it defines none (add them to its settings first)"
      : `is not one of your organization's VAT categories (${pricing.vatCategories.join(", ")})`,
  );
}

/** P1: a price given without a currency is in the organization's default currency (null: nothing to fill in). */
function defaultCurrencyFor(details: SessionDetails, pricing: OrganizationPricing): string | null {
  const priced = details.price !== null || details.promotionalPrice !== null || details.memberPrice !== null;
  return priced && details.currency === null ? pricing.defaultCurrency : null;
}

/** Rules across fields (S1): promo and member prices below the price, promo period ordered, price needs a currency. */
function assertDetailsConsistent(details: SessionDetails): void {
  if (details.price !== null && details.currency === null) {
    throw new ValidationError("currency", "is required when a price is set");
  }
  if (details.promotionalPrice !== null) {
    if (details.price === null) throw new ValidationError("promotionalPrice", "requires a price");
    if (details.promotionalPrice >= details.price) {
      throw new ValidationError("promotionalPrice", "must be lower than the price");
    }
    if (details.promoStartsAt === null) throw new ValidationError("promoStartsAt", "is required with a promotional price");
    if (details.promoEndsAt === null) throw new ValidationError("promoEndsAt", "is required with a promotional price");
  }
  if (details.memberPrice !== null) {
    if (details.price === null) throw new ValidationError("memberPrice", "requires a price (what non-members pay)");
    if (details.memberPrice >= details.price) throw new ValidationError("memberPrice", "must be lower than the price");
  }
  if (
    details.promoStartsAt !== null &&
    details.promoEndsAt !== null &&
    Date.parse(details.promoStartsAt) >= Date.parse(details.promoEndsAt)
  ) {
    throw new ValidationError("promoEndsAt", "must be after promoStartsAt");
  }
}

/** A session opens for registration only once people can know when, how and how many. */
function assertReadyToPlan(session: Session): void {
  const missing = [
    session.schedule === null ? "schedule" : null,
    session.format === null ? "format" : null,
    session.mode === "PUBLIC" && session.audience === null ? "audience" : null,
  ].filter((m): m is string => m !== null);
  if (missing.length > 0) {
    throw new DomainError(
      "SESSION_INCOMPLETE",
      `Session ${session.id} cannot be planned before its ${missing.join(" and ")} ${missing.length > 1 ? "are" : "is"} set`,
      { missing },
    );
  }
}

/**
 * S3: planning opens a session for registration and confirming promises it will take place;
 * neither makes sense once it is over. (A session that ends while PLANNED stays PLANNED, and
 * staff may still cancel it.)
 */
function assertNotEnded(session: Session, now: Date): void {
  const endsAt = session.schedule?.endsAt;
  if (endsAt !== undefined && Date.parse(endsAt) <= now.getTime()) {
    throw new DomainError("SESSION_ENDED", `Session ${session.id} ended at ${endsAt}: it can no longer be planned or confirmed`, {
      endsAt,
    });
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** S3: the only status changes allowed. Staying in the same status is an idempotent no-op. */
export const ALLOWED_TRANSITIONS: Record<SessionStatus, readonly SessionStatus[]> = {
  DRAFT: ["LEAD", "PLANNED", "CANCELED"],
  LEAD: ["PLANNED", "DRAFT", "CANCELED"],
  PLANNED: ["CONFIRMED", "CANCELED"],
  CONFIRMED: ["CANCELED"],
  CANCELED: [],
};

export function isTransitionAllowed(from: SessionStatus, to: SessionStatus): boolean {
  return ALLOWED_TRANSITIONS[from].includes(to);
}
