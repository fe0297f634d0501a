/**
 * Registrations on a session, decided by the pure session decider, one given/when/then each:
 * joining (S5 audience, S8 status / country / price), capacity and the first-come waitlist (S9),
 * auto-confirmation at the minimum (S4), cancellation and promotion, cascade on session cancel
 * (S10), audience changes with people registered, and attendance (S6).
 *
 * Every expected event is written out by hand from the rules (docs/rules.md, S4–S10);
 * the `given` histories are what the decider itself would have recorded.
 */
import { describe, expect, it } from "vitest";
import type {
  CancelRegistration,
  ConfirmAttendance,
  Participant,
  RegisterForSession,
  SessionCommand,
  SetSessionAudience,
} from "../../src/domain/sessions/decider.js";
import { sessionDecider } from "../../src/domain/sessions/decider.js";
import type { SessionConfirmed, SessionEvent } from "../../src/domain/sessions/events.js";
import type {
  AttendanceConfirmed,
  ParticipantPromotedFromWaitlist,
  ParticipantRegistered,
  ParticipantWaitlisted,
  RegistrationCanceled,
} from "../../src/domain/sessions/events.js";
import type { SessionAudience, SessionDetails, SessionStatus } from "../../src/domain/sessions/values.js";
import type { CommandContext } from "../../src/domain/shared/decider.js";
import { fold, spec } from "../support/given-when-then.js";
import {
  ACTOR_ID,
  NOW_ISO,
  SCHEDULE,
  SESSION_ID,
  audienceSet,
  canceled,
  confirmed,
  context,
  created,
  formatSet,
  planned,
  scheduleSet,
  transitionCommand,
  unchecked,
} from "./session-fixtures.js";

// ---------------------------------------------------------------------------------------------
// Helpers of this file
// ---------------------------------------------------------------------------------------------
const given = (events: SessionEvent[]) => spec(sessionDecider).given(events);

const STAFF = "staff-1";
// SCHEDULE: 2026-12-01 09:00 → 12:00 UTC, attendance link opens 15 minutes after start.
const START = "2026-12-01T09:00:00.000Z";
const LINK_OPENS = "2026-12-01T09:15:00.000Z";
const END = "2026-12-01T12:00:00.000Z";
const at = (iso: string) => new Date(iso);

type PublicAudience = Extract<SessionAudience, { mode: "PUBLIC" }>;
type PrivateAudience = Extract<SessionAudience, { mode: "PRIVATE" }>;

const publicAudience = (overrides: Partial<PublicAudience> = {}): PublicAudience => ({
  mode: "PUBLIC",
  minParticipants: 3,
  maxParticipants: 5,
  waitlistEnabled: true,
  ...overrides,
});

/** A public session in `status` (PLANNED by default), complete, with this audience and these details. */
function publicSession(
  options: { status?: SessionStatus; audience?: Partial<PublicAudience>; details?: Partial<SessionDetails> } = {},
): SessionEvent[] {
  const base: SessionEvent[] = [
    created({ details: options.details }),
    scheduleSet(),
    formatSet(),
    audienceSet(publicAudience(options.audience)),
  ];
  switch (options.status ?? "PLANNED") {
    case "DRAFT":
      return base;
    case "LEAD":
      return [created({ status: "LEAD", details: options.details }), ...base.slice(1)];
    case "PLANNED":
      return [...base, planned("DRAFT")];
    case "CONFIRMED":
      return [...base, planned("DRAFT"), confirmed()];
    case "CANCELED":
      return [...base, planned("DRAFT"), canceled("PLANNED")];
  }
}

/** A planned private session with these targets (as stored: e-mails lower-cased). */
function privateSession(audience: Partial<PrivateAudience> = {}): SessionEvent[] {
  const targets: PrivateAudience = {
    mode: "PRIVATE",
    targetTeamIds: ["team-1"],
    targetUserIds: ["tom"],
    invitedEmails: ["ada@example.com"],
    ...audience,
  };
  return [created({ mode: "PRIVATE", audience: targets }), scheduleSet(), formatSet(), planned("DRAFT")];
}

const person = (userId: string, overrides: Partial<Participant> = {}): Participant => ({
  userId,
  email: `${userId}@example.com`,
  country: "BE",
  teamIds: [],
  ...overrides,
});

const self = (userId: string, now = NOW_ISO): CommandContext => context({ actorId: userId, now: at(now) });
const staff = (now = NOW_ISO): CommandContext => context({ actorId: STAFF, now: at(now) });

function register(
  userId: string,
  options: { registrationId?: string; participant?: Partial<Participant>; context?: CommandContext } = {},
): RegisterForSession {
  return {
    type: "RegisterForSession",
    sessionId: SESSION_ID,
    context: options.context ?? self(userId),
    registrationId: options.registrationId ?? `reg-${userId}`,
    participant: person(userId, options.participant),
  };
}

function cancel(registrationId: string, ctx: CommandContext, comment?: string | null): CancelRegistration {
  return { type: "CancelRegistration", sessionId: SESSION_ID, context: ctx, registrationId, comment };
}

function attend(
  method: "LINK" | "STAFF",
  who: { userId: string } | { registrationId: string },
  ctx: CommandContext,
): ConfirmAttendance {
  return { type: "ConfirmAttendance", sessionId: SESSION_ID, context: ctx, method, ...who };
}

// Events, written out from the spec.
const registered = (userId: string, by = userId, when = NOW_ISO, registrationId = `reg-${userId}`): ParticipantRegistered => ({
  type: "ParticipantRegistered",
  data: { sessionId: SESSION_ID, registrationId, userId, registeredBy: by, registeredAt: when },
});
const waitlisted = (userId: string, by = userId, when = NOW_ISO, registrationId = `reg-${userId}`): ParticipantWaitlisted => ({
  type: "ParticipantWaitlisted",
  data: { sessionId: SESSION_ID, registrationId, userId, registeredBy: by, waitlistedAt: when },
});
const promoted = (
  userId: string,
  reason: "SEAT_FREED" | "CAPACITY_RAISED",
  when = NOW_ISO,
): ParticipantPromotedFromWaitlist => ({
  type: "ParticipantPromotedFromWaitlist",
  data: { sessionId: SESSION_ID, registrationId: `reg-${userId}`, userId, reason, promotedAt: when },
});
const registrationCanceled = (
  userId: string,
  options: {
    previousStatus?: "REGISTERED" | "WAITLISTED";
    reason?: "BY_PARTICIPANT" | "BY_STAFF" | "SESSION_CANCELED";
    by?: string;
    when?: string;
    comment?: string | null;
    registrationId?: string;
  } = {},
): RegistrationCanceled => ({
  type: "RegistrationCanceled",
  data: {
    sessionId: SESSION_ID,
    registrationId: options.registrationId ?? `reg-${userId}`,
    userId,
    previousStatus: options.previousStatus ?? "REGISTERED",
    reason: options.reason ?? "BY_PARTICIPANT",
    comment: options.comment ?? null,
    canceledBy: options.by ?? userId,
    canceledAt: options.when ?? NOW_ISO,
  },
});
const minimumReached = (by: string, when = NOW_ISO): SessionConfirmed => ({
  type: "SessionConfirmed",
  data: { sessionId: SESSION_ID, from: "PLANNED", to: "CONFIRMED", reason: "MINIMUM_REACHED", comment: null, changedBy: by, changedAt: when },
});
const attended = (userId: string, method: "LINK" | "STAFF", by: string, when: string): AttendanceConfirmed => ({
  type: "AttendanceConfirmed",
  data: { sessionId: SESSION_ID, registrationId: `reg-${userId}`, userId, method, confirmedBy: by, confirmedAt: when },
});

/** History plus what the decider records for `command` on it. */
function after(history: SessionEvent[], command: SessionCommand): SessionEvent[] {
  return [...history, ...sessionDecider.decide(command, fold(sessionDecider, history))];
}

function stateOf(history: SessionEvent[]) {
  const state = fold(sessionDecider, history);
  if (state.kind !== "Existing") throw new Error("no session");
  return state;
}

// =============================================================================================
describe("S8 RegisterForSession: joining an open session", () => {
  it.each(["PLANNED", "CONFIRMED"] as const)("a %s public session takes the registration", (status) => {
    given(publicSession({ status }))
      .when(register("ada"))
      .then([registered("ada")]);
  });

  it("staff may register someone: the event records who did it", () => {
    given(publicSession())
      .when(register("ada", { context: staff() }))
      .then([registered("ada", STAFF)]);
  });

  it("a session under way still takes registrations (only its end closes them)", () => {
    given(publicSession())
      .when(register("ada", { context: self("ada", "2026-12-01T10:00:00.000Z") }))
      .then([registered("ada", "ada", "2026-12-01T10:00:00.000Z")]);
  });

  it("S9 registering the same person again changes nothing (a seat holder, any registration id)", () => {
    given([...publicSession(), registered("ada")])
      .when(register("ada", { registrationId: "reg-other" }))
      .thenNothing();
  });

  it("S9 registering a waiting person again changes nothing", () => {
    given([
      ...publicSession({ status: "CONFIRMED", audience: { minParticipants: 1, maxParticipants: 1 } }),
      registered("ada"),
      waitlisted("bob"),
    ])
      .when(register("bob", { registrationId: "reg-bob-2" }))
      .thenNothing();
  });

  it("S9 registering again changes nothing even when the session is full and has no waitlist", () => {
    given([
      ...publicSession({ status: "CONFIRMED", audience: { minParticipants: 1, maxParticipants: 1, waitlistEnabled: false } }),
      registered("ada"),
    ])
      .when(register("ada"))
      .thenNothing();
  });

  it("S9 registering again changes nothing even after registration closed (the session ended)", () => {
    given([...publicSession(), registered("ada")])
      .when(register("ada", { context: self("ada", "2026-12-01T13:00:00.000Z") }))
      .thenNothing();
  });

  it("after canceling, the same person can register again, with a new registration", () => {
    given([...publicSession(), registered("ada"), registrationCanceled("ada")])
      .when(register("ada", { registrationId: "reg-ada-2" }))
      .then([registered("ada", "ada", NOW_ISO, "reg-ada-2")]);
  });

  it("S9 a registration id already held by another person is refused (ALREADY_EXISTS), never overwritten", () => {
    // Otherwise ada's seat would silently become bob's while both count as registered.
    given([...publicSession(), registered("ada")])
      .when(register("bob", { registrationId: "reg-ada" }))
      .thenThrows("ALREADY_EXISTS");
  });

  it("the same registration id again for the same person, since canceled, is the same request retried: nothing", () => {
    given([...publicSession(), registered("ada"), registrationCanceled("ada")])
      .when(register("ada", { registrationId: "reg-ada" }))
      .thenNothing();
  });

  it("a person who left the waitlist can come back: at the end of the line", () => {
    const history = [
      ...publicSession({ status: "CONFIRMED", audience: { minParticipants: 1, maxParticipants: 1 } }),
      registered("ada"),
      waitlisted("bob"),
      waitlisted("cy"),
      registrationCanceled("bob", { previousStatus: "WAITLISTED" }),
    ];
    given(history)
      .when(register("bob", { registrationId: "reg-bob-2" }))
      .then([waitlisted("bob", "bob", NOW_ISO, "reg-bob-2")]);
    const state = stateOf(after(history, register("bob", { registrationId: "reg-bob-2" })));
    expect(state.roster.waitlist.toArray()).toEqual(["reg-cy", "reg-bob-2"]);
  });
});

// =============================================================================================
describe("S8 RegisterForSession: refusals, each with its stable code", () => {
  it.each(["DRAFT", "LEAD", "CANCELED"] as const)("a %s session is not open: SESSION_NOT_OPEN", (status) => {
    given(publicSession({ status })).when(register("ada")).thenThrows("SESSION_NOT_OPEN", new RegExp(status));
  });

  it("after the session's end: REGISTRATION_CLOSED", () => {
    given(publicSession())
      .when(register("ada", { context: self("ada", "2026-12-01T12:00:01.000Z") }))
      .thenThrows("REGISTRATION_CLOSED");
    given(publicSession({ status: "CONFIRMED" }))
      .when(register("ada", { context: self("ada", "2027-01-01T00:00:00.000Z") }))
      .thenThrows("REGISTRATION_CLOSED");
  });

  describe("S5 private sessions: only the targeted users, teams and invited e-mails", () => {
    it("someone not targeted: NOT_IN_AUDIENCE", () => {
      given(privateSession())
        .when(register("zed", { participant: { teamIds: ["team-2"], email: "zed@example.com" } }))
        .thenThrows("NOT_IN_AUDIENCE");
    });

    it("a targeted user id is accepted", () => {
      given(privateSession()).when(register("tom")).then([registered("tom")]);
    });

    it("a member of a targeted team is accepted", () => {
      given(privateSession())
        .when(register("tea", { participant: { teamIds: ["team-9", "team-1"] } }))
        .then([registered("tea")]);
    });

    it("an invited e-mail is accepted, whatever its case", () => {
      given(privateSession())
        .when(register("ada", { participant: { email: "Ada@Example.COM" } }))
        .then([registered("ada")]);
    });

    it("an invitation typed in mixed case matches the e-mail in lower case", () => {
      const history = after(privateSession({ invitedEmails: [] }), {
        type: "SetSessionAudience",
        sessionId: SESSION_ID,
        context: context(),
        audience: { mode: "PRIVATE", targetTeamIds: [], targetUserIds: [], invitedEmails: ["  Bob@Example.com "] },
      });
      given(history)
        .when(register("bob", { participant: { email: "bob@example.com" } }))
        .then([registered("bob")]);
    });

    it("with no target at all nobody can register", () => {
      given(privateSession({ targetTeamIds: [], targetUserIds: [], invitedEmails: [] }))
        .when(register("tom", { participant: { teamIds: ["team-1"] } }))
        .thenThrows("NOT_IN_AUDIENCE");
    });

    it("a public session is open to everyone of the organization", () => {
      given(publicSession())
        .when(register("zed", { participant: { teamIds: [] } }))
        .then([registered("zed")]);
    });
  });

  describe("S8 available countries", () => {
    const countries = { availableCountries: ["BE", "FR"] };

    it("a user without a country: COUNTRY_NOT_ALLOWED", () => {
      given(publicSession({ details: countries }))
        .when(register("ada", { participant: { country: null } }))
        .thenThrows("COUNTRY_NOT_ALLOWED");
    });

    it("a user from another country: COUNTRY_NOT_ALLOWED", () => {
      given(publicSession({ details: countries }))
        .when(register("ada", { participant: { country: "DE" } }))
        .thenThrows("COUNTRY_NOT_ALLOWED");
    });

    it("a user from a listed country registers", () => {
      given(publicSession({ details: countries }))
        .when(register("ada", { participant: { country: "FR" } }))
        .then([registered("ada")]);
    });

    it("no list means everywhere, even without a country", () => {
      given(publicSession())
        .when(register("ada", { participant: { country: null } }))
        .then([registered("ada")]);
    });
  });

  it("a priced session needs the paid enrolment: PAYMENT_REQUIRED", () => {
    given(publicSession({ details: { price: 5_000, currency: "EUR" } }))
      .when(register("ada"))
      .thenThrows("PAYMENT_REQUIRED");
  });

  it("§0 another organization's session: NOT_FOUND, as if it did not exist", () => {
    given(publicSession())
      .when(register("ada", { context: context({ actorId: "ada", organizationId: "org-2" }) }))
      .thenThrows("NOT_FOUND");
  });

  it.each([
    ["empty", ""],
    ["blank", "   "],
  ])("an %s registration id: VALIDATION on registrationId", (_, registrationId) => {
    given(publicSession())
      .when(register("ada", { registrationId }))
      .thenThrows("VALIDATION", /^registrationId: /, { field: "registrationId" });
  });
});

// =============================================================================================
describe("S9 capacity and the first-come waitlist", () => {
  // Manually confirmed, so no MINIMUM_REACHED interferes.
  const twoSeats = (overrides: Partial<PublicAudience> = {}) =>
    publicSession({ status: "CONFIRMED", audience: { minParticipants: 1, maxParticipants: 2, ...overrides } });

  it("the max-th registration still takes a seat", () => {
    given([...twoSeats(), registered("ada")])
      .when(register("bob"))
      .then([registered("bob")]);
  });

  it("beyond max the person joins the waitlist", () => {
    given([...twoSeats(), registered("ada"), registered("bob")])
      .when(register("cy"))
      .then([waitlisted("cy")]);
  });

  it("the waitlist keeps arrival order", () => {
    const history = [...twoSeats(), registered("ada"), registered("bob"), waitlisted("cy")];
    given(history).when(register("dee")).then([waitlisted("dee")]);
    expect(stateOf(after(history, register("dee"))).roster.waitlist.toArray()).toEqual(["reg-cy", "reg-dee"]);
  });

  it("a canceled seat is free again: the next person registers instead of waiting", () => {
    given([...twoSeats(), registered("ada"), registered("bob"), registrationCanceled("bob")])
      .when(register("cy"))
      .then([registered("cy")]);
  });

  it("full with the waitlist switched off: SESSION_FULL", () => {
    given([...twoSeats({ waitlistEnabled: false }), registered("ada"), registered("bob")])
      .when(register("cy"))
      .thenThrows("SESSION_FULL");
  });

  it("private sessions have no cap", () => {
    const team = { participant: { teamIds: ["team-1"] } };
    const many = Array.from({ length: 30 }, (_, i) => registered(`p${i}`));
    given([...privateSession(), ...many])
      .when(register("tea", team))
      .then([registered("tea")]);
  });
});

// =============================================================================================
describe("S4 auto-confirmation at the minimum", () => {
  it("the registration that reaches min on a PLANNED public session confirms it (MINIMUM_REACHED)", () => {
    given([...publicSession({ audience: { minParticipants: 3 } }), registered("ada"), registered("bob")])
      .when(register("cy"))
      .then([registered("cy"), minimumReached("cy")]);
  });

  it("with min 1 the first registration confirms; the confirmation names who registered", () => {
    given(publicSession({ audience: { minParticipants: 1 } }))
      .when(register("ada", { context: staff() }))
      .then([registered("ada", STAFF), minimumReached(STAFF)]);
  });

  it("below the minimum nothing is confirmed", () => {
    given([...publicSession({ audience: { minParticipants: 3 } }), registered("ada")])
      .when(register("bob"))
      .then([registered("bob")]);
  });

  it("only once: an already confirmed session is not confirmed again", () => {
    given([
      ...publicSession({ audience: { minParticipants: 2 } }),
      registered("ada"),
      registered("bob"),
      minimumReached("bob"),
    ])
      .when(register("cy"))
      .then([registered("cy")]);
  });

  it("dropping below the minimum does not un-confirm; reaching it again confirms nothing more", () => {
    const history = [
      ...publicSession({ audience: { minParticipants: 2 } }),
      registered("ada"),
      registered("bob"),
      minimumReached("bob"),
    ];
    given(history).when(cancel("reg-bob", self("bob"))).then([registrationCanceled("bob")]);
    const below = after(history, cancel("reg-bob", self("bob")));
    expect(stateOf(below).session.status).toBe("CONFIRMED");
    expect(stateOf(below).roster.registeredCount).toBe(1);
    given(below)
      .when(register("bob", { registrationId: "reg-bob-2" }))
      .then([registered("bob", "bob", NOW_ISO, "reg-bob-2")]);
  });

  it("a private session never confirms by itself", () => {
    given([...privateSession({ targetUserIds: ["tom", "ada"] }), registered("tom")])
      .when(register("ada"))
      .then([registered("ada")]);
  });

  it("a session confirmed by its owner gets no MINIMUM_REACHED", () => {
    given([...publicSession({ status: "CONFIRMED", audience: { minParticipants: 2 } }), registered("ada")])
      .when(register("bob"))
      .then([registered("bob")]);
  });

  it("the confirmation is part of the state: the session is CONFIRMED after it", () => {
    const history = after([...publicSession({ audience: { minParticipants: 1 } })], register("ada"));
    expect(stateOf(history).session.status).toBe("CONFIRMED");
    expect(stateOf(history).session.statusReason).toBe("MINIMUM_REACHED");
  });
});

// =============================================================================================
describe("S9 CancelRegistration and promotion from the waitlist", () => {
  const full = [
    ...publicSession({ status: "CONFIRMED", audience: { minParticipants: 1, maxParticipants: 2 } }),
    registered("ada"),
    registered("bob"),
    waitlisted("cy"),
    waitlisted("dee"),
  ];

  it("canceled by the participant themself: BY_PARTICIPANT", () => {
    given([...publicSession(), registered("ada")])
      .when(cancel("reg-ada", self("ada")))
      .then([registrationCanceled("ada", { reason: "BY_PARTICIPANT", by: "ada" })]);
  });

  it("canceled by someone else: BY_STAFF, with the comment kept", () => {
    given([...publicSession(), registered("ada")])
      .when(cancel("reg-ada", staff(), "Moved to the March session"))
      .then([registrationCanceled("ada", { reason: "BY_STAFF", by: STAFF, comment: "Moved to the March session" })]);
  });

  it("a blank comment is recorded as none", () => {
    given([...publicSession(), registered("ada")])
      .when(cancel("reg-ada", self("ada"), "   "))
      .then([registrationCanceled("ada")]);
  });

  it("a freed seat goes to the FIRST waiting person in the same step (SEAT_FREED)", () => {
    given(full)
      .when(cancel("reg-ada", self("ada")))
      .then([registrationCanceled("ada"), promoted("cy", "SEAT_FREED")]);
  });

  it("staff freeing a seat promotes too", () => {
    given(full)
      .when(cancel("reg-bob", staff()))
      .then([registrationCanceled("bob", { reason: "BY_STAFF", by: STAFF }), promoted("cy", "SEAT_FREED")]);
  });

  it("after a promotion the next freed seat goes to the next in line", () => {
    const history = [...full, registrationCanceled("ada"), promoted("cy", "SEAT_FREED")];
    given(history)
      .when(cancel("reg-cy", self("cy")))
      .then([registrationCanceled("cy"), promoted("dee", "SEAT_FREED")]);
  });

  it("leaving the waitlist frees no seat: nobody is promoted", () => {
    given(full)
      .when(cancel("reg-cy", self("cy")))
      .then([registrationCanceled("cy", { previousStatus: "WAITLISTED" })]);
  });

  it("the first waiting person leaving makes the second one first", () => {
    const history = [...full, registrationCanceled("cy", { previousStatus: "WAITLISTED" })];
    given(history)
      .when(cancel("reg-ada", self("ada")))
      .then([registrationCanceled("ada"), promoted("dee", "SEAT_FREED")]);
  });

  it("canceling twice changes nothing", () => {
    given([...full, registrationCanceled("cy", { previousStatus: "WAITLISTED" })])
      .when(cancel("reg-cy", self("cy")))
      .thenNothing();
    given([...full, registrationCanceled("ada"), promoted("cy", "SEAT_FREED")])
      .when(cancel("reg-ada", staff()))
      .thenNothing();
  });

  it("an unknown registration: NOT_FOUND", () => {
    given(full).when(cancel("reg-nobody", staff())).thenThrows("NOT_FOUND");
  });

  it("§0 another organization's session: NOT_FOUND", () => {
    given(full)
      .when(cancel("reg-ada", context({ actorId: "ada", organizationId: "org-2" })))
      .thenThrows("NOT_FOUND");
  });

  it("once the session has started the participant can no longer cancel: REGISTRATION_CLOSED", () => {
    given(full).when(cancel("reg-ada", self("ada", START))).thenThrows("REGISTRATION_CLOSED");
    given(full).when(cancel("reg-cy", self("cy", "2026-12-01T10:30:00.000Z"))).thenThrows("REGISTRATION_CLOSED");
  });

  it("…but staff still can, and the seat still goes to the first waiting person", () => {
    given(full)
      .when(cancel("reg-ada", staff("2026-12-01T10:30:00.000Z")))
      .then([
        registrationCanceled("ada", { reason: "BY_STAFF", by: STAFF, when: "2026-12-01T10:30:00.000Z" }),
        promoted("cy", "SEAT_FREED", "2026-12-01T10:30:00.000Z"),
      ]);
  });

  it("the participant can cancel up to the start", () => {
    given(full)
      .when(cancel("reg-ada", self("ada", "2026-12-01T08:59:59.999Z")))
      .then([
        registrationCanceled("ada", { when: "2026-12-01T08:59:59.999Z" }),
        promoted("cy", "SEAT_FREED", "2026-12-01T08:59:59.999Z"),
      ]);
  });
});

// =============================================================================================
describe("S10 canceling the session cancels every registration and waitlist entry", () => {
  const reason = "Trainer is ill";
  const sessionCanceled = (from: SessionStatus): SessionEvent => ({
    type: "SessionCanceled",
    data: { sessionId: SESSION_ID, from, to: "CANCELED", reason, changedBy: ACTOR_ID, changedAt: NOW_ISO },
  });
  const bySession = (userId: string, previousStatus: "REGISTERED" | "WAITLISTED" = "REGISTERED") =>
    registrationCanceled(userId, { previousStatus, reason: "SESSION_CANCELED", by: ACTOR_ID, comment: reason });

  const full = [
    ...publicSession({ status: "CONFIRMED", audience: { minParticipants: 1, maxParticipants: 2 } }),
    registered("ada"),
    registered("bob"),
    waitlisted("cy"),
    waitlisted("dee"),
  ];

  it("SessionCanceled, then one RegistrationCanceled per seat holder, then per waiting person in line order", () => {
    given(full)
      .when(transitionCommand("CancelSession", { reason }))
      .then([
        sessionCanceled("CONFIRMED"),
        bySession("ada"),
        bySession("bob"),
        bySession("cy", "WAITLISTED"),
        bySession("dee", "WAITLISTED"),
      ]);
  });

  it("with promotions and departures in the history: the people there now, seat holders first", () => {
    const history = [
      ...full,
      waitlisted("eve"),
      registrationCanceled("ada"),
      promoted("cy", "SEAT_FREED"),
      registrationCanceled("dee", { previousStatus: "WAITLISTED" }),
    ];
    given(history)
      .when(transitionCommand("CancelSession", { reason }))
      .then([sessionCanceled("CONFIRMED"), bySession("bob"), bySession("cy"), bySession("eve", "WAITLISTED")]);
  });

  it("a session without registrations only records SessionCanceled", () => {
    given(publicSession()).when(transitionCommand("CancelSession", { reason })).then([sessionCanceled("PLANNED")]);
  });

  it("afterwards nobody holds a seat or waits, and registering is refused (SESSION_NOT_OPEN)", () => {
    const history = after(full, transitionCommand("CancelSession", { reason }));
    const { roster } = stateOf(history);
    expect(roster.registeredCount).toBe(0);
    expect(roster.waitlist.toArray()).toEqual([]);
    expect(roster.activeByUser.toObject()).toEqual({});
    given(history).when(register("eve")).thenThrows("SESSION_NOT_OPEN");
    given(history).when(register("ada", { registrationId: "reg-ada-2" })).thenThrows("SESSION_NOT_OPEN");
  });

  it("afterwards canceling a registration changes nothing and attendance is refused", () => {
    const history = after(full, transitionCommand("CancelSession", { reason }));
    given(history).when(cancel("reg-ada", self("ada"))).thenNothing();
    given(history).when(attend("STAFF", { userId: "ada" }, staff("2026-12-01T10:00:00.000Z"))).thenThrows("NOT_A_PARTICIPANT");
  });

  it("canceling an already canceled session changes nothing", () => {
    given(after(full, transitionCommand("CancelSession", { reason })))
      .when(transitionCommand("CancelSession", { reason }))
      .thenNothing();
  });
});

// =============================================================================================
describe("S5/S9 changing the audience of a session with people on it", () => {
  const setAudience = (audience: Record<string, unknown>): SessionCommand => ({
    type: "SetSessionAudience",
    sessionId: SESSION_ID,
    context: staff(),
    audience: unchecked<SetSessionAudience["audience"]>(audience),
  });
  const audienceSetTo = (audience: PublicAudience): SessionEvent => ({
    type: "SessionAudienceSet",
    data: { sessionId: SESSION_ID, audience },
  });
  const full = [
    ...publicSession({ status: "CONFIRMED", audience: { minParticipants: 2, maxParticipants: 2 } }),
    registered("ada"),
    registered("bob"),
    waitlisted("cy"),
    waitlisted("dee"),
    waitlisted("eve"),
  ];

  it("raising max seats the first waiting people (CAPACITY_RAISED), in line order", () => {
    given(full)
      .when(setAudience({ mode: "PUBLIC", minParticipants: 2, maxParticipants: 4 }))
      .then([
        audienceSetTo(publicAudience({ minParticipants: 2, maxParticipants: 4 })),
        promoted("cy", "CAPACITY_RAISED"),
        promoted("dee", "CAPACITY_RAISED"),
      ]);
  });

  it("raising max beyond the line seats everyone waiting", () => {
    given(full)
      .when(setAudience({ mode: "PUBLIC", minParticipants: 2, maxParticipants: 10 }))
      .then([
        audienceSetTo(publicAudience({ minParticipants: 2, maxParticipants: 10 })),
        promoted("cy", "CAPACITY_RAISED"),
        promoted("dee", "CAPACITY_RAISED"),
        promoted("eve", "CAPACITY_RAISED"),
      ]);
  });

  it("S4 lowering the minimum to the seats taken confirms a PLANNED public session", () => {
    given([...publicSession({ audience: { minParticipants: 3, maxParticipants: 5 } }), registered("ada"), registered("bob")])
      .when(setAudience({ mode: "PUBLIC", minParticipants: 2, maxParticipants: 5 }))
      .then([audienceSetTo(publicAudience({ minParticipants: 2, maxParticipants: 5 })), minimumReached(STAFF)]);
  });

  it("lowering max below the seats taken: VALIDATION on audience.maxParticipants", () => {
    given([...publicSession({ status: "CONFIRMED", audience: { minParticipants: 1, maxParticipants: 5 } }), registered("ada"), registered("bob"), registered("cy")])
      .when(setAudience({ mode: "PUBLIC", minParticipants: 1, maxParticipants: 2 }))
      .thenThrows("VALIDATION", /^audience\.maxParticipants: /, { field: "audience.maxParticipants" });
  });

  it("lowering max down to exactly the seats taken is accepted and promotes nobody", () => {
    given([...publicSession({ status: "CONFIRMED", audience: { minParticipants: 1, maxParticipants: 5 } }), registered("ada"), registered("bob")])
      .when(setAudience({ mode: "PUBLIC", minParticipants: 1, maxParticipants: 2 }))
      .then([audienceSetTo(publicAudience({ minParticipants: 1, maxParticipants: 2 }))]);
  });

  it("changing the mode while people are registered: VALIDATION on audience.mode", () => {
    given(full)
      .when(setAudience({ mode: "PRIVATE", targetTeamIds: ["team-1"], targetUserIds: [], invitedEmails: [] }))
      .thenThrows("VALIDATION", /^audience\.mode: /, { field: "audience.mode" });
    given([...privateSession(), registered("tom")])
      .when(setAudience({ mode: "PUBLIC", minParticipants: 1, maxParticipants: 5 }))
      .thenThrows("VALIDATION", /^audience\.mode: /, { field: "audience.mode" });
  });

  it("once everyone has left, the mode can change", () => {
    given([...publicSession(), registered("ada"), registrationCanceled("ada")])
      .when(setAudience({ mode: "PRIVATE", targetTeamIds: ["team-1"], targetUserIds: [], invitedEmails: [] }))
      .then([
        {
          type: "SessionAudienceSet",
          data: {
            sessionId: SESSION_ID,
            audience: { mode: "PRIVATE", targetTeamIds: ["team-1"], targetUserIds: [], invitedEmails: [] },
          },
        },
      ]);
  });
});

// =============================================================================================
describe("S6 ConfirmAttendance", () => {
  // Session 09:00 → 12:00; the link opens at 09:15 (offset 15 min) and stays valid until 12:00.
  const history = [
    ...publicSession({ status: "CONFIRMED", audience: { minParticipants: 1, maxParticipants: 1 } }),
    registered("ada"),
    waitlisted("bob"),
    waitlisted("cy", "cy", NOW_ISO, "reg-cy-old"),
    registrationCanceled("cy", { registrationId: "reg-cy-old", previousStatus: "WAITLISTED" }),
  ];

  it("the fixture's schedule is the one these instants are written for", () => {
    expect(SCHEDULE).toMatchObject({ startsAt: START, endsAt: END, attendanceConfirmationOffsetMinutes: 15 });
  });

  it.each([
    ["when the link opens", LINK_OPENS],
    ["during the session", "2026-12-01T10:30:00.000Z"],
    ["at the very end", END],
  ])("LINK %s: AttendanceConfirmed", (_, now) => {
    given(history)
      .when(attend("LINK", { userId: "ada" }, self("ada", now)))
      .then([attended("ada", "LINK", "ada", now)]);
  });

  it.each([
    ["before the session", NOW_ISO],
    ["at start, before the offset", START],
    ["one second before it opens", "2026-12-01T09:14:59.000Z"],
    ["after the end", "2026-12-01T12:00:01.000Z"],
    ["the next day", "2026-12-02T10:00:00.000Z"],
  ])("LINK %s: OUTSIDE_ATTENDANCE_WINDOW", (_, now) => {
    given(history).when(attend("LINK", { userId: "ada" }, self("ada", now))).thenThrows("OUTSIDE_ATTENDANCE_WINDOW");
  });

  it.each([
    ["at start", START],
    ["during the session", "2026-12-01T09:05:00.000Z"],
    ["after the end", "2026-12-01T15:00:00.000Z"],
    ["days later", "2026-12-05T10:00:00.000Z"],
  ])("STAFF %s: AttendanceConfirmed", (_, now) => {
    given(history)
      .when(attend("STAFF", { userId: "ada" }, staff(now)))
      .then([attended("ada", "STAFF", STAFF, now)]);
  });

  it("STAFF before the start: OUTSIDE_ATTENDANCE_WINDOW", () => {
    given(history)
      .when(attend("STAFF", { userId: "ada" }, staff("2026-12-01T08:59:59.000Z")))
      .thenThrows("OUTSIDE_ATTENDANCE_WINDOW");
  });

  it("by registration id as well as by user id", () => {
    const now = "2026-12-01T10:00:00.000Z";
    given(history)
      .when(attend("STAFF", { registrationId: "reg-ada" }, staff(now)))
      .then([attended("ada", "STAFF", STAFF, now)]);
  });

  it.each([
    ["a waiting person", { userId: "bob" }],
    ["a waiting person, by registration id", { registrationId: "reg-bob" }],
    ["a person whose registration was canceled", { userId: "cy" }],
    ["a canceled registration, by id", { registrationId: "reg-cy-old" }],
    ["someone who never registered", { userId: "zed" }],
  ])("%s: NOT_A_PARTICIPANT", (_, who) => {
    const now = "2026-12-01T10:00:00.000Z";
    given(history).when(attend("LINK", who, self("x", now))).thenThrows("NOT_A_PARTICIPANT");
    given(history).when(attend("STAFF", who, staff(now))).thenThrows("NOT_A_PARTICIPANT");
  });

  it("confirming twice changes nothing (by link or by staff, even once the window closed)", () => {
    const attendedHistory = [...history, attended("ada", "LINK", "ada", "2026-12-01T09:30:00.000Z")];
    given(attendedHistory).when(attend("LINK", { userId: "ada" }, self("ada", "2026-12-01T10:00:00.000Z"))).thenNothing();
    given(attendedHistory).when(attend("STAFF", { registrationId: "reg-ada" }, staff("2026-12-01T10:00:00.000Z"))).thenNothing();
    given(attendedHistory).when(attend("LINK", { userId: "ada" }, self("ada", "2026-12-01T13:00:00.000Z"))).thenNothing();
  });

  it("the attended count follows", () => {
    const attendedHistory = after(history, attend("STAFF", { userId: "ada" }, staff("2026-12-01T10:00:00.000Z")));
    expect(stateOf(attendedHistory).roster.attendedCount).toBe(1);
  });
});
