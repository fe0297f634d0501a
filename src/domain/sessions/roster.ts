import { List, Map as ImmutableMap, OrderedMap } from "immutable";
import { assertNever } from "../shared/errors.js";
import type { AttendanceMethod, CancellationReason, RegistrationEvent, RegistrationStatus } from "./registration-events.js";

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
