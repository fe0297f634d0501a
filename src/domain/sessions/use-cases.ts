import type { Actor } from "../access/actor.js";
import { authorize, type Operation, type Resource } from "../access/authorization.js";
import { canSeeSession, LEARNER_VISIBLE_STATUSES } from "../access/session-visibility.js";
import type { Clock } from "../shared/clock.js";
import type { CommandHandler } from "../shared/command-handler.js";
import type { CommandContext } from "../shared/decider.js";
import { DomainError, ValidationError } from "../shared/errors.js";
import { deterministicUuid } from "../shared/event-metadata.js";
import { type Outcome, outcomeOf } from "../shared/outcome.js";
import { idSchema, parseOrThrow } from "../shared/validation.js";
import { signUpRegistrationId } from "../workflows/sign-up-seat-release.js";
import type { CreateSession, OrganizationPricing, Participant, RegisterForSession, SessionCommand } from "./decider.js";
import type { Session, SessionState } from "./decider.js";
import { sessionStreamName, type SessionEvent } from "./events.js";
import { registrationOfRequest, registrationSnapshot, type RegistrationSnapshot } from "./registrations.js";
import { rosterCounts } from "./registrations.js";

/** What the sessions context asks of the rest of the system (the read models answer it). */
export interface SessionDirectory {
  /** A user of the organization (null: none such). */
  user(organizationId: string, userId: string): { email: string; country: string | null; status: string } | null;
  teamIdsOf(organizationId: string, userId: string): string[];
  teamExists(organizationId: string, teamId: string): boolean;
  /** The session a registration belongs to (null: unknown here). */
  sessionIdOfRegistration(organizationId: string, registrationId: string): string | null;
  organizationTimezone(organizationId: string): string | null;
  /** The organization's default currency and VAT categories (null: unknown organization). */
  organizationPricing(organizationId: string): OrganizationPricing | null;
}

export interface SessionPorts {
  sessions: CommandHandler<SessionCommand, SessionEvent, SessionState>;
  directory: SessionDirectory;
  /** S6: which session a signed attendance token is for (null: not a valid token). */
  attendanceTokens: { sessionIdOf(token: string): string | null };
  clock: Clock;
  onSeatNotGivenBack: (error: unknown, registrationId: string) => void;
}

/** A session as its stream tells it after a command: the answer when the read model lags. */
export interface SessionSnapshot {
  session: Session;
  counts: { registered: number; waitlisted: number; attended: number };
}

export type SessionOutcome = Outcome<SessionEvent, SessionSnapshot>;
export type RegistrationOutcome = Outcome<SessionEvent, RegistrationSnapshot>;

/** The commands of the session editor: each is authorized on the session it changes. */
export type SessionChange = Exclude<SessionCommand, CreateSession | { type: "RegisterForSession" | "CancelRegistration" | "ConfirmAttendance" }>;

const OPERATION_OF: Record<SessionChange["type"], Operation> = {
  EditSessionDetails: "editSessionDetails",
  SetSessionFormat: "setSessionFormat",
  SetSessionAudience: "setSessionAudience",
  SetSessionSchedule: "setSessionSchedule",
  AttachSessionDocument: "attachSessionDocument",
  RemoveSessionDocument: "removeSessionDocument",
  SetSessionSurvey: "setSessionSurvey",
  MarkSessionAsLead: "markSessionAsLead",
  ReturnSessionToDraft: "returnSessionToDraft",
  PlanSession: "planSession",
  ConfirmSession: "confirmSession",
  CancelSession: "cancelSession",
};

/** Users and teams a command names (checked to be of the caller's organization). */
export interface References {
  assigneeId?: string | null;
  trainerId?: string | null;
  hostId?: string | null;
  targetUserIds?: readonly unknown[];
  targetTeamIds?: readonly unknown[];
  /** How the input names the audience's fields (`audience.` in createSession). */
  audiencePrefix?: string;
}

/** What the authorization table's relations need to know about a session. */
export function sessionResource(session: Session): Resource {
  return { sessionAssigneeId: session.details.assigneeId, sessionTrainerIds: trainerIdsOf(session.format) };
}

/** The trainer and host a session's format names. */
export function trainerIdsOf(format: { trainerId?: string | null; hostId?: string | null } | null): string[] {
  return [format?.trainerId, format?.hostId].filter((id): id is string => typeof id === "string");
}

/**
 * Sessions (S1–S7) and their registrations and attendance (S6, S8–S10): each use case loads the
 * session's stream, authorizes the caller once on the state the decision uses, decides, appends
 * and returns what it decided.
 */
export class SessionUseCases {
  constructor(private readonly ports: SessionPorts) {}

  /** A MANAGER who names no assignee becomes it, so they can go on setting the session up. */
  async createSession(actor: Actor, command: CreateSession, references: References): Promise<SessionOutcome> {
    authorize(actor, "createSession");
    const details = { ...command.details };
    if (details.assigneeId === undefined && actor.kind === "USER" && !actor.roles.includes("ADMIN")) details.assigneeId = actor.userId;
    this.checkReferences(actor.organizationId, { ...references, assigneeId: details.assigneeId });
    const pricing = this.pricingOf(actor.organizationId);
    return this.sessionOutcome(await this.ports.sessions.handle(sessionStreamName(command.sessionId), { ...command, details, pricing }));
  }

  /** Any change of an existing session, by those the table allows on it (its assignee…). */
  async changeSession(actor: Actor, command: SessionChange, references: References = {}): Promise<SessionOutcome> {
    const sessionId = parseOrThrow(idSchema, command.sessionId, "sessionId");
    const decision = await this.ports.sessions.handle(sessionStreamName(sessionId), (state) => {
      authorize(actor, OPERATION_OF[command.type], { sessionAssigneeId: visibleSession(actor, state, sessionId).details.assigneeId });
      // Only once the caller may act are the users and teams named looked up (no probing by outsiders).
      this.checkReferences(actor.organizationId, references);
      return command.type === "EditSessionDetails" ? { ...command, pricing: this.pricingOf(actor.organizationId) } : command;
    });
    return this.sessionOutcome(decision);
  }

  /** The organization's terms for prices, as its settings are now (P1, P2). */
  private pricingOf(organizationId: string): OrganizationPricing {
    return this.ports.directory.organizationPricing(organizationId) ?? { defaultCurrency: null, vatCategories: [] };
  }

  /** The time zone a schedule is in when none is given: the organization's (UTC when unset). */
  defaultTimezone(organizationId: string): string {
    return this.ports.directory.organizationTimezone(organizationId) ?? "UTC";
  }

  /** S8/S9: the caller, or the user named (front desk, assignee, API keys), takes a seat or waits. */
  async registerForSession(
    actor: Actor,
    input: { sessionId: string; userId?: string | null },
    context: CommandContext,
  ): Promise<RegistrationOutcome> {
    const sessionId = parseOrThrow(idSchema, input.sessionId, "sessionId");
    if (actor.kind === "API_KEY" && input.userId == null) throw new ValidationError("userId", "is required for API keys");
    const forSomeoneElse = input.userId != null && (actor.kind === "API_KEY" || input.userId !== actor.userId);
    let participant: Participant | undefined;
    const decision = await this.ports.sessions.handle(sessionStreamName(sessionId), (state): RegisterForSession => {
      const session = visibleSession(actor, state, sessionId);
      authorize(actor, "registerForSession");
      // Refused before the user is looked up, so nobody probes user ids.
      if (forSomeoneElse) authorize(actor, "RegisterForSessionInput.userId", sessionResource(session));
      participant ??= this.participantFor(actor, forSomeoneElse ? input.userId : null);
      const registrationId = deterministicUuid(`registration/${context.commandId}/${participant.userId}`);
      return { type: "RegisterForSession", sessionId, registrationId, participant, context };
    });
    const userId = participant!.userId;
    const registrationId = registrationOfRequest(
      decision.state,
      userId,
      deterministicUuid(`registration/${context.commandId}/${userId}`),
    );
    return this.registrationOutcome(decision, registrationId);
  }

  /**
   * S8, the public session link: a seat (or place in line) for a person whose account does not
   * exist yet, then their account. The seat is the scarce resource, so it is decided first
   * (refusals write nothing, no account included); if the account cannot be recorded the seat is
   * given back at once, or by the sign-up-seat-release workflow when this process dies first.
   */
  async signUpAndRegister(
    signUp: { organizationId: string; sessionId: string; userId: string; email: string; country: string | null },
    context: CommandContext,
    recordAccount: () => Promise<void>,
  ): Promise<RegistrationOutcome> {
    const { organizationId, userId } = signUp;
    const sessionId = parseOrThrow(idSchema, signUp.sessionId, "sessionId");
    const register: RegisterForSession = {
      type: "RegisterForSession",
      sessionId,
      // Derived from the user id alone: what tells the workflow this seat is a sign-up's.
      registrationId: signUpRegistrationId(userId),
      participant: { userId, email: signUp.email, country: signUp.country, teamIds: [] },
      context,
    };
    const decision = await this.ports.sessions.handle(sessionStreamName(sessionId), (state) => {
      // Open public sessions only, exactly as a learner would see them.
      const open = state.kind === "Existing" && state.session.mode === "PUBLIC" && LEARNER_VISIBLE_STATUSES.includes(state.session.status);
      if (!open || state.session.organizationId !== organizationId) throw sessionNotFound(sessionId);
      return register;
    });
    try {
      await recordAccount();
    } catch (error) {
      await this.giveSeatBack(register);
      throw error;
    }
    return this.registrationOutcome(decision, register.registrationId);
  }

  /** S10: the participant (until the session starts) or staff; a freed seat goes to the first waiting. */
  async cancelRegistration(
    actor: Actor,
    input: { registrationId: string; comment?: string | null },
    context: CommandContext,
  ): Promise<RegistrationOutcome> {
    const { sessionId, registrationId } = this.sessionOfRegistration(actor, input.registrationId);
    const decision = await this.ports.sessions.handle(sessionStreamName(sessionId), (state) => {
      const session = visibleSession(actor, state, sessionId);
      const userId = state.kind === "Existing" ? state.roster.entries.get(registrationId)?.userId : undefined;
      authorize(actor, "cancelRegistration", { ...sessionResource(session), userId });
      return { type: "CancelRegistration", sessionId, registrationId, comment: input.comment, context };
    });
    return this.registrationOutcome(decision, registrationId);
  }

  /** S6: the attendance link / QR code, opened by a registered participant while it is valid. */
  async confirmAttendance(actor: Actor, input: { sessionId: string; token: string }, context: CommandContext): Promise<RegistrationOutcome> {
    authorize(actor, "confirmAttendance");
    if (actor.kind !== "USER") throw new DomainError("FORBIDDEN", "confirmAttendance is for people, not API keys");
    const sessionId = parseOrThrow(idSchema, input.sessionId, "sessionId");
    const signedFor = this.ports.attendanceTokens.sessionIdOf(input.token.trim());
    if (signedFor === null) throw new DomainError("INVALID_ATTENDANCE_LINK", "This attendance link is not valid", { field: "token" });
    if (signedFor !== sessionId) {
      throw new DomainError("INVALID_ATTENDANCE_LINK", "This attendance link is for another session", { field: "token" });
    }
    const decision = await this.ports.sessions.handle(sessionStreamName(sessionId), (state) => {
      visibleSession(actor, state, sessionId);
      return { type: "ConfirmAttendance", sessionId, method: "LINK", userId: actor.userId, context };
    });
    // The decision confirmed the caller's active registration (it refuses anyone without one).
    return this.registrationOutcome(decision, registrationOfRequest(decision.state, actor.userId, ""));
  }

  /** S6: staff mark a participant as attended (from the session's start on). */
  async markAttendance(actor: Actor, input: { registrationId: string }, context: CommandContext): Promise<RegistrationOutcome> {
    const { sessionId, registrationId } = this.sessionOfRegistration(actor, input.registrationId);
    const decision = await this.ports.sessions.handle(sessionStreamName(sessionId), (state) => {
      authorize(actor, "markAttendance", sessionResource(visibleSession(actor, state, sessionId)));
      return { type: "ConfirmAttendance", sessionId, method: "STAFF", registrationId, context };
    });
    return this.registrationOutcome(decision, registrationId);
  }

  /** Compensates a sign-up whose account could not be recorded: its seat goes to the next in line. */
  private async giveSeatBack(register: RegisterForSession): Promise<void> {
    try {
      await this.ports.sessions.handle(sessionStreamName(register.sessionId), {
        type: "CancelRegistration",
        sessionId: register.sessionId,
        registrationId: register.registrationId,
        comment: "The account could not be created",
        // Not the participant (who may no longer cancel once the session started): the sign-up itself.
        context: {
          ...register.context,
          commandId: deterministicUuid(`${register.context.commandId}/give-seat-back`),
          actorId: "system:sign-up",
          now: this.ports.clock.now(),
        },
      });
    } catch (error) {
      this.ports.onSeatNotGivenBack(error, register.registrationId);
    }
  }

  /** The person registering: the caller, or the user named (who must be an active member). */
  private participantFor(actor: Actor, userId: string | null | undefined): Participant {
    const { directory } = this.ports;
    if (actor.kind === "USER" && userId == null) {
      const me = directory.user(actor.organizationId, actor.userId);
      return { userId: actor.userId, email: actor.email, country: me?.country ?? null, teamIds: actor.teamIds };
    }
    const id = parseOrThrow(idSchema, userId, "userId");
    const user = directory.user(actor.organizationId, id);
    if (!user || user.status === "DEACTIVATED") {
      throw new DomainError("NOT_FOUND", `userId: names no active user of your organization (${id})`, { field: "userId" });
    }
    return { userId: id, email: user.email, country: user.country, teamIds: directory.teamIdsOf(actor.organizationId, id) };
  }

  /** The session a registration belongs to (NOT_FOUND for another organization's or an unknown one). */
  private sessionOfRegistration(actor: Actor, id: string): { sessionId: string; registrationId: string } {
    const registrationId = parseOrThrow(idSchema, id, "registrationId");
    const sessionId = this.ports.directory.sessionIdOfRegistration(actor.organizationId, registrationId);
    if (!sessionId) throw new DomainError("NOT_FOUND", `Registration ${registrationId} was not found`);
    return { sessionId, registrationId };
  }

  /** Users and teams a session names must be of the caller's organization: NOT_FOUND otherwise, like any id. */
  private checkReferences(organizationId: string, refs: References): void {
    const { directory } = this.ports;
    const prefix = refs.audiencePrefix ?? "";
    const users: [string, unknown][] = [
      ["assigneeId", refs.assigneeId],
      ["trainerId", refs.trainerId],
      ["hostId", refs.hostId],
      ...(refs.targetUserIds ?? []).map((id, i) => [`${prefix}targetUserIds.${i}`, id] as [string, unknown]),
    ];
    for (const [field, id] of users) {
      if (typeof id === "string" && id.trim() !== "" && !directory.user(organizationId, id)) {
        throw new DomainError("NOT_FOUND", `${field}: names no user of your organization (${id})`, { field });
      }
    }
    for (const [i, id] of (refs.targetTeamIds ?? []).entries()) {
      if (typeof id === "string" && id.trim() !== "" && !directory.teamExists(organizationId, id)) {
        const field = `${prefix}targetTeamIds.${i}`;
        throw new DomainError("NOT_FOUND", `${field}: names no team of your organization (${id})`, { field });
      }
    }
  }

  private sessionOutcome(decision: { state: SessionState } & Omit<SessionOutcome, "answer">): SessionOutcome {
    const { state } = decision;
    if (state.kind === "Initial") throw new DomainError("NOT_FOUND", "Session was not found");
    return outcomeOf({ ...decision, state }, { session: state.session, counts: rosterCounts(state.roster) });
  }

  private registrationOutcome(
    decision: { state: SessionState } & Omit<RegistrationOutcome, "answer">,
    registrationId: string | null,
  ): RegistrationOutcome {
    const snapshot = registrationId ? registrationSnapshot(decision.state, registrationId) : null;
    if (!snapshot) throw new DomainError("NOT_FOUND", `Registration ${registrationId ?? ""} was not found`);
    return outcomeOf(decision, snapshot);
  }
}

/** The session, when the caller may see it: invisible is the same as absent (NOT_FOUND). */
function visibleSession(actor: Actor, state: SessionState, sessionId: string): Session {
  if (state.kind === "Initial" || !canSeeSession(actor, state.session)) throw sessionNotFound(sessionId);
  return state.session;
}

function sessionNotFound(sessionId: string): DomainError {
  return new DomainError("NOT_FOUND", `Session ${sessionId} was not found`);
}
