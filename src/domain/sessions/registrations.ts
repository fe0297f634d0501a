import { List, Map as ImmutableMap, OrderedMap } from "immutable";
import type { CommandContext } from "../shared/decider.js";
import { assertNever, DomainError, ValidationError } from "../shared/errors.js";
import { idSchema, parseOrThrow } from "../shared/validation.js";
import type { Participant, RegistrationCommand, Session, SessionState } from "./decider.js";
import type {
  AttendanceMethod,
  CancellationReason,
  ParticipantPromotedFromWaitlist,
  PromotionReason,
  RegistrationCanceled,
  RegistrationEvent,
  RegistrationStatus,
  SessionConfirmed,
  SessionEvent,
} from "./events.js";
import { reasonSchema, type SessionAudience } from "./values.js";

/** One registration as the session's stream tells it (what the API answers when the read model lags). */
export interface RosterEntry {
  registrationId: string;
  userId: string;
  status: RegistrationStatus;
  registeredBy: string;
  requestedAt: string;
  registeredAt: string | null;
  promotedAt: string | null;
  canceledAt: string | null;
  canceledBy: string | null;
  cancellationReason: CancellationReason | null;
  cancellationComment: string | null;
  attendedAt: string | null;
  attendanceMethod: AttendanceMethod | null;
}

const NEW_ENTRY = {
  promotedAt: null,
  canceledAt: null,
  canceledBy: null,
  cancellationReason: null,
  cancellationComment: null,
  attendedAt: null,
  attendanceMethod: null,
} as const;

/**
 * Who holds a seat, who waits and in which order: the state the capacity rule (S9) decides on.
 * Persistent (immutable-js) collections: each event makes a new roster that shares almost all of
 * the previous one, so a session with thousands of registrations evolves in O(log n) per event
 * (plain object copies made a storm on one session quadratic).
 */
export interface Roster {
  /** Registration id → entry, in the order the registrations were made. */
  entries: OrderedMap<string, RosterEntry>;
  /** userId → their REGISTERED or WAITLISTED registration (S9: at most one). */
  activeByUser: ImmutableMap<string, string>;
  registeredCount: number;
  attendedCount: number;
  /** Registration ids, first come first served. */
  waitlist: List<string>;
}

export const EMPTY_ROSTER: Roster = {
  entries: OrderedMap(),
  activeByUser: ImmutableMap(),
  registeredCount: 0,
  attendedCount: 0,
  waitlist: List(),
};

export function evolveRoster(roster: Roster, event: RegistrationEvent): Roster {
  const d = event.data;
  const entry = roster.entries.get(d.registrationId);
  const put = (changed: RosterEntry) => roster.entries.set(changed.registrationId, changed);
  const withoutWaiting = (registrationId: string) => {
    const index = roster.waitlist.indexOf(registrationId);
    return index === -1 ? roster.waitlist : roster.waitlist.delete(index);
  };
  switch (event.type) {
    case "ParticipantRegistered":
      return {
        ...roster,
        entries: put({
          ...NEW_ENTRY,
          registrationId: d.registrationId,
          userId: d.userId,
          status: "REGISTERED",
          registeredBy: event.data.registeredBy,
          requestedAt: event.data.registeredAt,
          registeredAt: event.data.registeredAt,
        }),
        activeByUser: roster.activeByUser.set(d.userId, d.registrationId),
        registeredCount: roster.registeredCount + 1,
      };
    case "ParticipantWaitlisted":
      return {
        ...roster,
        entries: put({
          ...NEW_ENTRY,
          registrationId: d.registrationId,
          userId: d.userId,
          status: "WAITLISTED",
          registeredBy: event.data.registeredBy,
          requestedAt: event.data.waitlistedAt,
          registeredAt: null,
        }),
        activeByUser: roster.activeByUser.set(d.userId, d.registrationId),
        waitlist: roster.waitlist.push(d.registrationId),
      };
    case "ParticipantPromotedFromWaitlist":
      if (!entry) return roster;
      return {
        ...roster,
        entries: put({ ...entry, status: "REGISTERED", registeredAt: event.data.promotedAt, promotedAt: event.data.promotedAt }),
        registeredCount: roster.registeredCount + 1,
        waitlist: withoutWaiting(d.registrationId),
      };
    case "RegistrationCanceled": {
      if (!entry) return roster;
      return {
        ...roster,
        entries: put({
          ...entry,
          status: "CANCELED",
          canceledAt: event.data.canceledAt,
          canceledBy: event.data.canceledBy,
          cancellationReason: event.data.reason,
          cancellationComment: event.data.comment,
        }),
        activeByUser: roster.activeByUser.delete(entry.userId),
        registeredCount: roster.registeredCount - (entry.status === "REGISTERED" ? 1 : 0),
        attendedCount: roster.attendedCount - (entry.attendedAt !== null ? 1 : 0),
        waitlist: entry.status === "WAITLISTED" ? withoutWaiting(d.registrationId) : roster.waitlist,
      };
    }
    case "AttendanceConfirmed":
      if (!entry) return roster;
      return {
        ...roster,
        entries: put({ ...entry, attendedAt: event.data.confirmedAt, attendanceMethod: event.data.method }),
        attendedCount: roster.attendedCount + (entry.attendedAt === null ? 1 : 0),
      };
    default:
      return assertNever(event);
  }
}

/** 1 = next to get a seat; null unless waiting. */
export function waitlistPositionOf(roster: Roster, registrationId: string): number | null {
  const index = roster.waitlist.indexOf(registrationId);
  return index === -1 ? null : index + 1;
}

export function activeRegistrationOf(roster: Roster, userId: string): RosterEntry | null {
  const id = roster.activeByUser.get(userId);
  return id === undefined ? null : (roster.entries.get(id) ?? null);
}

/** Seats taken, people waiting, attendees: what a session shows of its roster. */
export function rosterCounts(roster: Roster): { registered: number; waitlisted: number; attended: number } {
  return { registered: roster.registeredCount, waitlisted: roster.waitlist.size, attended: roster.attendedCount };
}

/** A registration as the session's stream tells it, for an answer that cannot wait for the read model. */
export interface RegistrationSnapshot extends RosterEntry {
  sessionId: string;
  /** 1 = next to get a seat; null unless waiting. */
  waitlistPosition: number | null;
}

export function registrationSnapshot(state: SessionState, registrationId: string): RegistrationSnapshot | null {
  if (state.kind === "Initial") return null;
  const entry = state.roster.entries.get(registrationId);
  if (!entry) return null;
  return { ...entry, sessionId: state.session.id, waitlistPosition: waitlistPositionOf(state.roster, registrationId) };
}

/**
 * The registration a person's "register" request stands for: their active one (S9: at most one),
 * else this very request's (retried after they canceled it); null when neither exists.
 */
export function registrationOfRequest(state: SessionState, userId: string, requestRegistrationId: string): string | null {
  if (state.kind === "Initial") return null;
  return activeRegistrationOf(state.roster, userId)?.registrationId ?? (state.roster.entries.has(requestRegistrationId) ? requestRegistrationId : null);
}

const OPEN_STATUSES = ["PLANNED", "CONFIRMED"] as const;

export function decideRegistration(command: RegistrationCommand, session: Session, roster: Roster): SessionEvent[] {
  switch (command.type) {
    case "RegisterForSession":
      return register(command.registrationId, command.participant, command.context, session, roster);
    case "CancelRegistration":
      return cancel(command.registrationId, command.comment ?? null, command.context, session, roster);
    case "ConfirmAttendance":
      return confirmAttendance(command, session, roster);
    default:
      return assertNever(command);
  }
}

/** S8, S9, S4: a seat while there is one, else the waitlist; the seat that reaches the minimum confirms. */
function register(
  registrationId: string,
  participant: Participant,
  context: CommandContext,
  session: Session,
  roster: Roster,
): SessionEvent[] {
  const id = parseOrThrow(idSchema, registrationId, "registrationId");
  if (activeRegistrationOf(roster, participant.userId)) return []; // S9: one active registration per person
  const earlier = roster.entries.get(id);
  if (earlier?.userId === participant.userId) return []; // the same request again (since canceled)
  if (earlier) throw new DomainError("ALREADY_EXISTS", `Registration ${id} already exists`, { field: "registrationId" });
  assertOpen(session, context.now);
  if (!isInAudience(session, participant)) {
    throw new DomainError("NOT_IN_AUDIENCE", `This private session is not open to user ${participant.userId}`);
  }
  const countries = session.details.availableCountries;
  if (countries.length > 0 && (participant.country === null || !countries.includes(participant.country))) {
    throw new DomainError(
      "COUNTRY_NOT_ALLOWED",
      participant.country === null
        ? `This session is only open to people in ${countries.join(", ")}: set your country first`
        : `This session is not open to people in ${participant.country} (only ${countries.join(", ")})`,
      { country: participant.country, availableCountries: countries },
    );
  }
  if (session.details.price !== null) {
    throw new DomainError("PAYMENT_REQUIRED", `Session ${session.id} is paid: enrol and pay to register`);
  }
  const base = { sessionId: session.id, registrationId: id, userId: participant.userId, registeredBy: context.actorId };
  const at = context.now.toISOString();
  const capacity = capacityOf(session);
  if (capacity === null || roster.registeredCount < capacity) {
    const registered: SessionEvent = { type: "ParticipantRegistered", data: { ...base, registeredAt: at } };
    return [registered, ...confirmIfMinimumReached(session, roster.registeredCount + 1, context)];
  }
  if (session.audience?.mode === "PUBLIC" && session.audience.waitlistEnabled === false) {
    throw new DomainError("SESSION_FULL", `Session ${session.id} is full (${capacity} participants) and has no waitlist`, {
      maxParticipants: capacity,
    });
  }
  return [{ type: "ParticipantWaitlisted", data: { ...base, waitlistedAt: at } }];
}

/** By the participant (until the session starts) or by staff; a freed seat goes to the first waiting. */
function cancel(
  registrationId: string,
  comment: string | null,
  context: CommandContext,
  session: Session,
  roster: Roster,
): SessionEvent[] {
  const entry = entryOf(roster, registrationId);
  if (entry.status === "CANCELED") return [];
  const byParticipant = entry.userId === context.actorId;
  const startsAt = session.schedule ? Date.parse(session.schedule.startsAt) : null;
  if (byParticipant && startsAt !== null && context.now.getTime() >= startsAt) {
    throw new DomainError(
      "REGISTRATION_CLOSED",
      "The session has started: only staff can cancel your registration now",
    );
  }
  const canceled: RegistrationCanceled = {
    type: "RegistrationCanceled",
    data: {
      sessionId: session.id,
      registrationId,
      userId: entry.userId,
      previousStatus: entry.status,
      reason: byParticipant ? "BY_PARTICIPANT" : "BY_STAFF",
      comment: optionalComment(comment),
      canceledBy: context.actorId,
      canceledAt: context.now.toISOString(),
    },
  };
  const after = evolveRoster(roster, canceled);
  return [canceled, ...promoteWaiting(session, after, "SEAT_FREED", context)];
}

/** S6: the link works from start + offset until end; staff mark anyone registered once it started. */
function confirmAttendance(
  command: Extract<RegistrationCommand, { type: "ConfirmAttendance" }>,
  session: Session,
  roster: Roster,
): SessionEvent[] {
  const entry =
    command.registrationId !== undefined
      ? entryOf(roster, command.registrationId)
      : activeRegistrationOf(roster, command.userId ?? "");
  if (!entry || entry.status !== "REGISTERED") {
    throw new DomainError("NOT_A_PARTICIPANT", "Only registered participants can be marked as attended", {
      status: entry?.status ?? null,
    });
  }
  if (session.status === "CANCELED") {
    throw new DomainError("SESSION_CANCELED", `Session ${session.id} is canceled`);
  }
  if (entry.attendedAt !== null) return [];
  const schedule = session.schedule;
  if (!schedule) throw new DomainError("OUTSIDE_ATTENDANCE_WINDOW", `Session ${session.id} has no schedule yet`);
  const now = command.context.now.getTime();
  const start = Date.parse(schedule.startsAt);
  const opensAt = command.method === "LINK" ? start + schedule.attendanceConfirmationOffsetMinutes * 60_000 : start;
  const closesAt = command.method === "LINK" ? Date.parse(schedule.endsAt) : Number.POSITIVE_INFINITY;
  if (now < opensAt || now > closesAt) {
    const window = { opensAt: new Date(opensAt).toISOString(), closesAt: command.method === "LINK" ? schedule.endsAt : null };
    throw new DomainError(
      "OUTSIDE_ATTENDANCE_WINDOW",
      now < opensAt
        ? `Attendance can be confirmed from ${window.opensAt}`
        : `The attendance link closed at ${schedule.endsAt}, when the session ended`,
      window,
    );
  }
  return [
    {
      type: "AttendanceConfirmed",
      data: {
        sessionId: session.id,
        registrationId: entry.registrationId,
        userId: entry.userId,
        method: command.method,
        confirmedBy: command.context.actorId,
        confirmedAt: command.context.now.toISOString(),
      },
    },
  ];
}

/** S10: one event per registration and per waitlist entry, seat holders first, then in waitlist order. */
export function cancelEveryRegistration(session: Session, roster: Roster, context: CommandContext): RegistrationCanceled[] {
  const seated = [...roster.entries.values()].filter((entry) => entry.status === "REGISTERED");
  const waiting = roster.waitlist.toArray().map((id) => roster.entries.get(id)!);
  return [...seated, ...waiting].map((entry) => ({
    type: "RegistrationCanceled",
    data: {
      sessionId: session.id,
      registrationId: entry.registrationId,
      userId: entry.userId,
      previousStatus: entry.status as "REGISTERED" | "WAITLISTED",
      reason: "SESSION_CANCELED",
      comment: session.statusReason,
      canceledBy: context.actorId,
      canceledAt: context.now.toISOString(),
    },
  }));
}

/**
 * A new audience must fit the people already there: the mode stays while anyone is registered,
 * max never drops below the seats taken, and raising it seats the first waiting people.
 */
export function fitAudienceToRoster(
  session: Session,
  roster: Roster,
  audience: SessionAudience,
  context: CommandContext,
): SessionEvent[] {
  const active = roster.registeredCount + roster.waitlist.size;
  if (active > 0 && audience.mode !== session.mode) {
    throw new ValidationError("audience.mode", `cannot change while ${active} people are registered or waiting`);
  }
  if (audience.mode !== "PUBLIC") return [];
  if (audience.maxParticipants < roster.registeredCount) {
    throw new ValidationError(
      "audience.maxParticipants",
      `must be at least ${roster.registeredCount}: that many people are registered`,
    );
  }
  const resized = { ...session, audience };
  return [
    ...promoteWaiting(resized, roster, "CAPACITY_RAISED", context),
    ...confirmIfMinimumReached(resized, Math.min(audience.maxParticipants, roster.registeredCount + roster.waitlist.size), context),
  ];
}

function promoteWaiting(
  session: Session,
  roster: Roster,
  reason: PromotionReason,
  context: CommandContext,
): ParticipantPromotedFromWaitlist[] {
  const capacity = capacityOf(session);
  const free = capacity === null ? roster.waitlist.size : Math.max(0, capacity - roster.registeredCount);
  return roster.waitlist.slice(0, free).toArray().map((registrationId): ParticipantPromotedFromWaitlist => ({
    type: "ParticipantPromotedFromWaitlist",
    data: {
      sessionId: session.id,
      registrationId,
      userId: roster.entries.get(registrationId)!.userId,
      reason,
      promotedAt: context.now.toISOString(),
    },
  }));
}

/** S4: exactly once, by the command that takes the seats taken to the minimum of a PLANNED public session. */
function confirmIfMinimumReached(session: Session, registeredCount: number, context: CommandContext): SessionConfirmed[] {
  const audience = session.audience;
  if (session.status !== "PLANNED" || audience?.mode !== "PUBLIC" || registeredCount < audience.minParticipants) return [];
  return [
    {
      type: "SessionConfirmed",
      data: {
        sessionId: session.id,
        from: "PLANNED",
        to: "CONFIRMED",
        reason: "MINIMUM_REACHED",
        comment: null,
        changedBy: context.actorId,
        changedAt: context.now.toISOString(),
      },
    },
  ];
}

/** S5: public sessions are open to everyone of the organization; private ones to their targets. */
export function isInAudience(session: Session, participant: Participant): boolean {
  if (session.mode === "PUBLIC") return true;
  const audience = session.audience;
  if (audience?.mode !== "PRIVATE") return false;
  return (
    audience.targetUserIds.includes(participant.userId) ||
    audience.invitedEmails.includes(participant.email.toLowerCase()) ||
    audience.targetTeamIds.some((teamId) => participant.teamIds.includes(teamId))
  );
}

function assertOpen(session: Session, now: Date): void {
  if (!(OPEN_STATUSES as readonly string[]).includes(session.status)) {
    throw new DomainError(
      "SESSION_NOT_OPEN",
      `Session ${session.id} is ${session.status}: registration needs a PLANNED or CONFIRMED session`,
      { status: session.status },
    );
  }
  if (session.schedule && now.getTime() >= Date.parse(session.schedule.endsAt)) {
    throw new DomainError("REGISTRATION_CLOSED", `Session ${session.id} ended at ${session.schedule.endsAt}`);
  }
}

/** Public sessions seat at most max participants; private ones have no cap. */
function capacityOf(session: Session): number | null {
  return session.audience?.mode === "PUBLIC" ? session.audience.maxParticipants : null;
}

function entryOf(roster: Roster, registrationId: string): RosterEntry {
  const entry = roster.entries.get(registrationId);
  if (!entry) throw new DomainError("NOT_FOUND", `Registration ${registrationId} was not found`);
  return entry;
}

function optionalComment(comment: string | null): string | null {
  const parsed = parseOrThrow(reasonSchema, comment, "comment");
  return parsed === "" ? null : parsed;
}
