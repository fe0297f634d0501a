import { assertNever } from "../shared/errors.js";
import type { RegistrationEvent, RegistrationStatus } from "./registration-events.js";

export interface RosterEntry {
  registrationId: string;
  userId: string;
  status: RegistrationStatus;
  attendedAt: string | null;
}

/** Who holds a seat, who waits and in which order: the state the capacity rule (S9) decides on. */
export interface Roster {
  entries: Readonly<Record<string, RosterEntry>>;
  /** userId → their REGISTERED or WAITLISTED registration (S9: at most one). */
  activeByUser: Readonly<Record<string, string>>;
  registeredCount: number;
  attendedCount: number;
  /** Registration ids, first come first served. */
  waitlist: readonly string[];
}

export const EMPTY_ROSTER: Roster = { entries: {}, activeByUser: {}, registeredCount: 0, attendedCount: 0, waitlist: [] };

export function evolveRoster(roster: Roster, event: RegistrationEvent): Roster {
  const d = event.data;
  const entry = roster.entries[d.registrationId];
  const put = (changed: RosterEntry) => ({ ...roster.entries, [changed.registrationId]: changed });
  switch (event.type) {
    case "ParticipantRegistered":
      return {
        ...roster,
        entries: put({ registrationId: d.registrationId, userId: d.userId, status: "REGISTERED", attendedAt: null }),
        activeByUser: { ...roster.activeByUser, [d.userId]: d.registrationId },
        registeredCount: roster.registeredCount + 1,
      };
    case "ParticipantWaitlisted":
      return {
        ...roster,
        entries: put({ registrationId: d.registrationId, userId: d.userId, status: "WAITLISTED", attendedAt: null }),
        activeByUser: { ...roster.activeByUser, [d.userId]: d.registrationId },
        waitlist: [...roster.waitlist, d.registrationId],
      };
    case "ParticipantPromotedFromWaitlist":
      if (!entry) return roster;
      return {
        ...roster,
        entries: put({ ...entry, status: "REGISTERED" }),
        registeredCount: roster.registeredCount + 1,
        waitlist: roster.waitlist.filter((id) => id !== d.registrationId),
      };
    case "RegistrationCanceled": {
      if (!entry) return roster;
      const { [entry.userId]: _removed, ...activeByUser } = roster.activeByUser;
      return {
        ...roster,
        entries: put({ ...entry, status: "CANCELED" }),
        activeByUser,
        registeredCount: roster.registeredCount - (entry.status === "REGISTERED" ? 1 : 0),
        attendedCount: roster.attendedCount - (entry.attendedAt !== null ? 1 : 0),
        waitlist: entry.status === "WAITLISTED" ? roster.waitlist.filter((id) => id !== d.registrationId) : roster.waitlist,
      };
    }
    case "AttendanceConfirmed":
      if (!entry) return roster;
      return {
        ...roster,
        entries: put({ ...entry, attendedAt: event.data.confirmedAt }),
        attendedCount: roster.attendedCount + (entry.attendedAt === null ? 1 : 0),
      };
    default:
      return assertNever(event);
  }
}

export function activeRegistrationOf(roster: Roster, userId: string): RosterEntry | null {
  const id = roster.activeByUser[userId];
  return id === undefined ? null : (roster.entries[id] ?? null);
}

/** Seats taken, people waiting, attendees: what a session shows of its roster. */
export function rosterCounts(roster: Roster): { registered: number; waitlisted: number; attended: number } {
  return { registered: roster.registeredCount, waitlisted: roster.waitlist.length, attended: roster.attendedCount };
}
