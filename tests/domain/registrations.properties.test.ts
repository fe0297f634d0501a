/**
 * Property test of registrations (S4, S6, S9, S10): random public sessions (small min / max,
 * waitlist on or off, PLANNED or confirmed by their owner) receive random interleavings of
 * RegisterForSession, CancelRegistration (by the participant or by staff), SetSessionAudience
 * (raising / lowering max, switching the waitlist), ConfirmAttendance, CancelSession, while the
 * clock moves from before the session to after its end.
 *
 * Each command goes through `decide` then `evolve`. A reference model written here from the
 * spec (not from src/) predicts every outcome — the exact events, or the error code — and after
 * every step the decider's state must satisfy the invariants: never more seats than max, one
 * active registration per person, a waitlist only when full and in first-come order, at most one
 * MINIMUM_REACHED confirmation and only at the minimum, nobody left after the session is
 * canceled, and only the expected error codes, which leave the state unchanged.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { SessionCommand } from "../../src/domain/sessions/decider.js";
import { type SessionState, sessionDecider } from "../../src/domain/sessions/decider.js";
import type { SessionEvent } from "../../src/domain/sessions/events.js";
import type { SessionStatus } from "../../src/domain/sessions/values.js";
import { DomainError, type DomainErrorCode } from "../../src/domain/shared/errors.js";
import { fold } from "../support/given-when-then.js";
import { SCHEDULE, SESSION_ID, confirmed, context, created, formatSet, planned, scheduleSet } from "./session-fixtures.js";

const STAFF = "staff-1";
const CANCEL_REASON = "Trainer is ill";
const START = Date.parse(SCHEDULE.startsAt);
const LINK_OPENS = START + SCHEDULE.attendanceConfirmationOffsetMinutes * 60_000;
const END = Date.parse(SCHEDULE.endsAt);

/** The clock only moves forward (a tick jumps to a later phase): before the session, started (link not open yet), under way, ended. */
const PHASES = [
  "2026-11-21T10:00:00.000Z",
  "2026-12-01T09:05:00.000Z",
  "2026-12-01T10:00:00.000Z",
  "2026-12-01T13:00:00.000Z",
] as const;

/** Every DomainError code these commands may produce on a public session of our organization. */
const EXPECTED_CODES: Record<Step["kind"], readonly DomainErrorCode[]> = {
  register: ["SESSION_NOT_OPEN", "REGISTRATION_CLOSED", "SESSION_FULL"],
  cancel: ["NOT_FOUND", "REGISTRATION_CLOSED"],
  audience: ["VALIDATION", "SESSION_CANCELED"],
  attend: ["NOT_A_PARTICIPANT", "OUTSIDE_ATTENDANCE_WINDOW"],
  cancelSession: [],
  tick: [],
};

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------
type Step =
  | { kind: "register"; user: number; byStaff: boolean }
  | { kind: "cancel"; pick: number; unknown: boolean; byParticipant: boolean }
  | { kind: "audience"; max: number; waitlistEnabled: boolean }
  | { kind: "attend"; user: number; pick: number; byRegistrationId: boolean; method: "LINK" | "STAFF" }
  | { kind: "cancelSession" }
  | { kind: "tick"; to: number };

/** true once in `n` draws. */
const oneIn = (n: number) => fc.integer({ min: 1, max: n }).map((k) => k === 1);

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 24,
    arbitrary: fc.record({ kind: fc.constant("register" as const), user: fc.nat(), byStaff: fc.boolean() }),
  },
  {
    weight: 12,
    arbitrary: fc.record({
      kind: fc.constant("cancel" as const),
      pick: fc.nat(),
      unknown: oneIn(10),
      byParticipant: fc.boolean(),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("audience" as const),
      max: fc.integer({ min: 1, max: 8 }),
      waitlistEnabled: fc.boolean(),
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("attend" as const),
      user: fc.nat(),
      pick: fc.nat(),
      byRegistrationId: fc.boolean(),
      method: fc.constantFrom("LINK" as const, "STAFF" as const),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: "cancelSession" as const }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("tick" as const), to: fc.integer({ min: 1, max: 3 }) }) },
);

interface Scenario {
  min: number;
  max: number;
  waitlistEnabled: boolean;
  confirmedByOwner: boolean;
  users: number;
  steps: Step[];
}

const scenarioArb: fc.Arbitrary<Scenario> = fc
  .record({
    min: fc.integer({ min: 1, max: 3 }),
    extra: fc.integer({ min: 0, max: 2 }),
    waitlistEnabled: fc.boolean(),
    confirmedByOwner: oneIn(4),
    users: fc.integer({ min: 8, max: 15 }),
    steps: fc.array(stepArb, { minLength: 5, maxLength: 40, size: "max" }),
  })
  .map(({ extra, ...s }) => ({ ...s, max: s.min + extra }));

// ---------------------------------------------------------------------------------------------
// Reference model, folded from the recorded events by this test's own rules
// ---------------------------------------------------------------------------------------------
type RegStatus = "REGISTERED" | "WAITLISTED" | "CANCELED";

interface Model {
  status: SessionStatus;
  min: number;
  max: number;
  waitlistEnabled: boolean;
  regs: Map<string, { userId: string; status: RegStatus; attended: boolean }>;
  /** Registration ids in the order they first appeared. */
  order: string[];
  /** First come, first served: ParticipantWaitlisted order, minus those promoted or gone. */
  waitlist: string[];
  minimumReached: number;
}

function applyToModel(m: Model, event: SessionEvent): void {
  switch (event.type) {
    case "SessionConfirmed":
      m.status = "CONFIRMED";
      if (event.data.reason === "MINIMUM_REACHED") m.minimumReached += 1;
      return;
    case "SessionCanceled":
      m.status = "CANCELED";
      return;
    case "SessionAudienceSet": {
      const a = event.data.audience;
      if (a.mode !== "PUBLIC") throw new Error("the property only uses public audiences");
      m.min = a.minParticipants;
      m.max = a.maxParticipants;
      m.waitlistEnabled = a.waitlistEnabled ?? true;
      return;
    }
    case "ParticipantRegistered":
    case "ParticipantWaitlisted": {
      const id = event.data.registrationId;
      if (m.regs.has(id)) throw new Error(`registration id ${id} recorded twice`);
      m.order.push(id);
      const status = event.type === "ParticipantRegistered" ? "REGISTERED" : "WAITLISTED";
      m.regs.set(id, { userId: event.data.userId, status, attended: false });
      if (status === "WAITLISTED") m.waitlist.push(id);
      return;
    }
    case "ParticipantPromotedFromWaitlist":
      m.regs.get(event.data.registrationId)!.status = "REGISTERED";
      m.waitlist = m.waitlist.filter((id) => id !== event.data.registrationId);
      return;
    case "RegistrationCanceled":
      m.regs.get(event.data.registrationId)!.status = "CANCELED";
      m.waitlist = m.waitlist.filter((id) => id !== event.data.registrationId);
      return;
    case "AttendanceConfirmed":
      m.regs.get(event.data.registrationId)!.attended = true;
      return;
    default:
      return;
  }
}

const registeredIds = (m: Model) => m.order.filter((id) => m.regs.get(id)!.status === "REGISTERED");
const activeOf = (m: Model, userId: string) =>
  m.order.find((id) => m.regs.get(id)!.userId === userId && m.regs.get(id)!.status !== "CANCELED");

/** What the spec says the step must produce: the exact events, or a refusal code. */
type Expected = { events: SessionEvent[] } | { code: DomainErrorCode };

function expectedOutcome(m: Model, command: SessionCommand): Expected {
  const now = command.context.now.getTime();
  const at = command.context.now.toISOString();
  const actor = command.context.actorId;
  const sessionId = SESSION_ID;
  const seats = registeredIds(m).length;
  switch (command.type) {
    case "RegisterForSession": {
      const { userId } = command.participant;
      if (activeOf(m, userId)) return { events: [] }; // S9: one active registration per person
      if (m.status !== "PLANNED" && m.status !== "CONFIRMED") return { code: "SESSION_NOT_OPEN" };
      if (now >= END) return { code: "REGISTRATION_CLOSED" };
      const base = { sessionId, registrationId: command.registrationId, userId, registeredBy: actor };
      if (seats < m.max) {
        const events: SessionEvent[] = [{ type: "ParticipantRegistered", data: { ...base, registeredAt: at } }];
        if (m.status === "PLANNED" && seats + 1 >= m.min) events.push(minimumReached(actor, at));
        return { events };
      }
      if (!m.waitlistEnabled) return { code: "SESSION_FULL" };
      return { events: [{ type: "ParticipantWaitlisted", data: { ...base, waitlistedAt: at } }] };
    }
    case "CancelRegistration": {
      const reg = m.regs.get(command.registrationId);
      if (!reg) return { code: "NOT_FOUND" };
      if (reg.status === "CANCELED") return { events: [] };
      const byParticipant = actor === reg.userId;
      if (byParticipant && now >= START) return { code: "REGISTRATION_CLOSED" };
      const events: SessionEvent[] = [
        {
          type: "RegistrationCanceled",
          data: {
            sessionId,
            registrationId: command.registrationId,
            userId: reg.userId,
            previousStatus: reg.status,
            reason: byParticipant ? "BY_PARTICIPANT" : "BY_STAFF",
            comment: null,
            canceledBy: actor,
            canceledAt: at,
          },
        },
      ];
      const first = m.waitlist[0];
      if (reg.status === "REGISTERED" && first !== undefined && seats - 1 < m.max) {
        events.push(promoted(m, first, "SEAT_FREED", at));
      }
      return { events };
    }
    case "SetSessionAudience": {
      if (m.status === "CANCELED") return { code: "SESSION_CANCELED" };
      const audience = command.audience as { mode: "PUBLIC"; minParticipants: number; maxParticipants: number; waitlistEnabled: boolean };
      if (
        audience.minParticipants === m.min &&
        audience.maxParticipants === m.max &&
        audience.waitlistEnabled === m.waitlistEnabled
      ) {
        return { events: [] };
      }
      if (audience.maxParticipants < audience.minParticipants || audience.maxParticipants < seats) {
        return { code: "VALIDATION" };
      }
      const seated = m.waitlist.slice(0, audience.maxParticipants - seats);
      const events: SessionEvent[] = [
        { type: "SessionAudienceSet", data: { sessionId, audience } },
        ...seated.map((id) => promoted(m, id, "CAPACITY_RAISED", at)),
      ];
      if (m.status === "PLANNED" && seats + seated.length >= audience.minParticipants) {
        events.push(minimumReached(actor, at));
      }
      return { events };
    }
    case "ConfirmAttendance": {
      const id = command.registrationId ?? activeOf(m, command.userId!);
      const reg = id === undefined ? undefined : m.regs.get(id);
      if (!reg || reg.status !== "REGISTERED") return { code: "NOT_A_PARTICIPANT" };
      if (reg.attended) return { events: [] };
      const opens = command.method === "LINK" ? LINK_OPENS : START;
      const closes = command.method === "LINK" ? END : Number.POSITIVE_INFINITY;
      if (now < opens || now > closes) return { code: "OUTSIDE_ATTENDANCE_WINDOW" };
      return {
        events: [
          {
            type: "AttendanceConfirmed",
            data: {
              sessionId,
              registrationId: id!,
              userId: reg.userId,
              method: command.method,
              confirmedBy: actor,
              confirmedAt: at,
            },
          },
        ],
      };
    }
    case "CancelSession": {
      if (m.status === "CANCELED") return { events: [] };
      const cascade = (id: string): SessionEvent => {
        const reg = m.regs.get(id)!;
        return {
          type: "RegistrationCanceled",
          data: {
            sessionId,
            registrationId: id,
            userId: reg.userId,
            previousStatus: reg.status as "REGISTERED" | "WAITLISTED",
            reason: "SESSION_CANCELED",
            comment: CANCEL_REASON,
            canceledBy: actor,
            canceledAt: at,
          },
        };
      };
      return {
        events: [
          {
            type: "SessionCanceled",
            data: { sessionId, from: m.status, to: "CANCELED", reason: CANCEL_REASON, changedBy: actor, changedAt: at },
          },
          // S10: seat holders first, then the waitlist in line order.
          ...registeredIds(m).map(cascade),
          ...m.waitlist.map(cascade),
        ],
      };
    }
    default:
      throw new Error(`unexpected command ${command.type}`);
  }
}

const minimumReached = (by: string, at: string): SessionEvent => ({
  type: "SessionConfirmed",
  data: { sessionId: SESSION_ID, from: "PLANNED", to: "CONFIRMED", reason: "MINIMUM_REACHED", comment: null, changedBy: by, changedAt: at },
});

const promoted = (m: Model, registrationId: string, reason: "SEAT_FREED" | "CAPACITY_RAISED", at: string): SessionEvent => ({
  type: "ParticipantPromotedFromWaitlist",
  data: { sessionId: SESSION_ID, registrationId, userId: m.regs.get(registrationId)!.userId, reason, promotedAt: at },
});

/** S10 fixes the order "seat holders, then waitlist"; among seat holders any order is fine. */
function normalizeSeatHolders(events: SessionEvent[]): SessionEvent[] {
  if (events[0]?.type !== "SessionCanceled") return events;
  const seated = events.filter((e) => e.type === "RegistrationCanceled" && e.data.previousStatus === "REGISTERED");
  const rest = events.filter((e) => !seated.includes(e)).slice(1);
  const key = (e: SessionEvent) => (e.data as { registrationId: string }).registrationId;
  return [events[0], ...seated.sort((a, b) => key(a).localeCompare(key(b))), ...rest];
}

// ---------------------------------------------------------------------------------------------
// Playing a scenario
// ---------------------------------------------------------------------------------------------
const observed = new Map<string, number>();
const see = (what: string) => observed.set(what, (observed.get(what) ?? 0) + 1);

function play(scenario: Scenario): void {
  const audience = {
    mode: "PUBLIC" as const,
    minParticipants: scenario.min,
    maxParticipants: scenario.max,
    waitlistEnabled: scenario.waitlistEnabled,
  };
  const history: SessionEvent[] = [
    created({ audience }),
    scheduleSet(),
    formatSet(),
    planned("DRAFT"),
    ...(scenario.confirmedByOwner ? [confirmed()] : []),
  ];
  let state: SessionState = fold(sessionDecider, history);
  const model: Model = {
    status: scenario.confirmedByOwner ? "CONFIRMED" : "PLANNED",
    min: scenario.min,
    max: scenario.max,
    waitlistEnabled: scenario.waitlistEnabled,
    regs: new Map(),
    order: [],
    waitlist: [],
    minimumReached: 0,
  };
  let phase = 0;
  let canceledSession = false;

  scenario.steps.forEach((step, index) => {
    if (step.kind === "tick") {
      phase = Math.max(phase, step.to);
      return;
    }
    const ctx = (actorId: string) => context({ actorId, now: new Date(PHASES[phase]!), commandId: `cmd-${index}` });
    const user = (n: number) => `u${n % scenario.users}`;
    const existingId = (n: number) => (model.order.length === 0 ? undefined : model.order[n % model.order.length]);
    const base = { sessionId: SESSION_ID };
    let command: SessionCommand;
    switch (step.kind) {
      case "register": {
        const userId = user(step.user);
        command = {
          type: "RegisterForSession",
          ...base,
          context: ctx(step.byStaff ? STAFF : userId),
          registrationId: `reg-${index}`,
          participant: { userId, email: `${userId}@example.com`, country: "BE", teamIds: [] },
        };
        break;
      }
      case "cancel": {
        const id = step.unknown ? undefined : existingId(step.pick);
        const owner = id === undefined ? undefined : model.regs.get(id)!.userId;
        command = {
          type: "CancelRegistration",
          ...base,
          context: ctx(step.byParticipant && owner !== undefined ? owner : STAFF),
          registrationId: id ?? "reg-unknown",
        };
        break;
      }
      case "audience":
        command = {
          type: "SetSessionAudience",
          ...base,
          context: ctx(STAFF),
          audience: { mode: "PUBLIC", minParticipants: model.min, maxParticipants: step.max, waitlistEnabled: step.waitlistEnabled },
        };
        break;
      case "attend": {
        const id = step.byRegistrationId ? existingId(step.pick) : undefined;
        const userId = id === undefined ? user(step.user) : model.regs.get(id)!.userId;
        command = {
          type: "ConfirmAttendance",
          ...base,
          context: ctx(step.method === "LINK" ? userId : STAFF),
          method: step.method,
          ...(id === undefined ? { userId } : { registrationId: id }),
        };
        break;
      }
      case "cancelSession":
        command = { type: "CancelSession", ...base, context: ctx(STAFF), reason: CANCEL_REASON };
        break;
    }

    const expected = expectedOutcome(model, command);
    const before = structuredClone(state);
    let outcome: SessionEvent[] | DomainError;
    try {
      outcome = sessionDecider.decide(command, state);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error; // a crash is never acceptable
      outcome = error;
    }
    expect(state, `${command.type} mutated the state it was given`).toEqual(before);
    const where = `step ${index} ${JSON.stringify(step)} at ${PHASES[phase]}`;

    if (outcome instanceof DomainError) {
      see(`${command.type} → ${outcome.code}`);
      expect(EXPECTED_CODES[step.kind], `${where}: unexpected error ${outcome.code}: ${outcome.message}`).toContain(outcome.code);
      expect("code" in expected ? expected.code : "events", `${where}: ${outcome.message}`).toBe(outcome.code);
      if (canceledSession && command.type === "RegisterForSession") expect(outcome.code).toBe("SESSION_NOT_OPEN");
      return; // a refused command writes nothing: state and model stay as they are
    }

    expect("events" in expected ? "events" : `refused with ${expected.code}`, `${where}: got ${JSON.stringify(outcome)}`).toBe(
      "events",
    );
    if ("events" in expected) {
      expect(normalizeSeatHolders(outcome), where).toEqual(normalizeSeatHolders(expected.events));
    }
    if (canceledSession && command.type === "RegisterForSession") {
      expect.fail(`${where}: a registration on a canceled session was accepted: ${JSON.stringify(outcome)}`);
    }
    for (const event of outcome) {
      see(event.type === "SessionConfirmed" || event.type === "ParticipantPromotedFromWaitlist" ? `${event.type} ${event.data.reason}` : event.type);
      state = sessionDecider.evolve(state, event);
      applyToModel(model, event);
    }
    if (outcome.length === 0) see(`${command.type} → nothing`);
    if (command.type === "CancelSession") canceledSession = true;

    checkInvariants(state, model, outcome, where, scenario);
  });
}

function checkInvariants(state: SessionState, model: Model, stepEvents: SessionEvent[], where: string, scenario: Scenario): void {
  if (state.kind !== "Existing") throw new Error("no session");
  const { session, roster } = state;
  const audience = session.audience;
  if (audience?.mode !== "PUBLIC") throw new Error("the session lost its public audience");
  const seats = registeredIds(model).length;
  const entries = [...roster.entries.values()];

  expect(session.status, `${where}: status`).toBe(model.status);
  // S9: capacity
  expect(roster.registeredCount, `${where}: registeredCount ≤ max`).toBeLessThanOrEqual(audience.maxParticipants);
  expect(roster.registeredCount, `${where}: registeredCount = REGISTERED entries`).toBe(
    entries.filter((e) => e.status === "REGISTERED").length,
  );
  expect(roster.registeredCount, `${where}: registeredCount = the model's seat holders`).toBe(seats);
  // S9: one active registration per person
  const activeUsers = model.order.filter((id) => model.regs.get(id)!.status !== "CANCELED").map((id) => model.regs.get(id)!.userId);
  expect(new Set(activeUsers).size, `${where}: someone holds two active registrations`).toBe(activeUsers.length);
  const srcActive = entries.filter((e) => e.status !== "CANCELED").map((e) => e.userId);
  expect(new Set(srcActive).size, `${where}: the roster has someone active twice`).toBe(srcActive.length);
  expect([...roster.activeByUser.keys()].sort(), `${where}: activeByUser`).toEqual([...activeUsers].sort());
  // S9: a waitlist only when full, first come first served
  if (roster.waitlist.size > 0 && session.status !== "CANCELED") {
    expect(roster.registeredCount, `${where}: people wait while a seat is free`).toBe(audience.maxParticipants);
  }
  expect(roster.waitlist.toArray(), `${where}: waitlist order`).toEqual(model.waitlist);
  expect(entries.filter((e) => e.status === "WAITLISTED").length, `${where}: waiting entries`).toBe(roster.waitlist.size);
  // S4: at most once, only at the minimum, never stays PLANNED at the minimum
  expect(model.minimumReached, `${where}: MINIMUM_REACHED confirmations`).toBeLessThanOrEqual(scenario.confirmedByOwner ? 0 : 1);
  if (stepEvents.some((e) => e.type === "SessionConfirmed" && e.data.reason === "MINIMUM_REACHED")) {
    expect(roster.registeredCount, `${where}: confirmed below the minimum`).toBeGreaterThanOrEqual(audience.minParticipants);
  }
  if (session.status === "PLANNED") {
    expect(roster.registeredCount, `${where}: PLANNED at the minimum without confirming`).toBeLessThan(audience.minParticipants);
  }
  // S10: nobody left on a canceled session
  if (session.status === "CANCELED") {
    expect(roster.registeredCount, `${where}: seats after cancel`).toBe(0);
    expect(roster.waitlist.toArray(), `${where}: waitlist after cancel`).toEqual([]);
    expect(roster.activeByUser.toObject(), `${where}: active after cancel`).toEqual({});
  }
  // S6: attended people are seat holders (or were, before canceling)
  expect(roster.attendedCount, `${where}: attendedCount`).toBe(
    entries.filter((e) => e.attendedAt !== null && e.status !== "CANCELED").length,
  );
}

// ---------------------------------------------------------------------------------------------
describe("S4 S6 S9 S10 registration properties", () => {
  it("random interleavings keep capacity, one registration per person, first-come waitlist, single auto-confirmation", () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => play(scenario)),
      { numRuns: 300 },
    );
    // Guards the generator: the properties only mean something if every path was taken.
    const mustSee = [
      "ParticipantRegistered",
      "ParticipantWaitlisted",
      "ParticipantPromotedFromWaitlist SEAT_FREED",
      "ParticipantPromotedFromWaitlist CAPACITY_RAISED",
      "SessionConfirmed MINIMUM_REACHED",
      "RegistrationCanceled",
      "SessionCanceled",
      "AttendanceConfirmed",
      "RegisterForSession → nothing",
      "CancelRegistration → nothing",
      "ConfirmAttendance → nothing",
      "RegisterForSession → SESSION_NOT_OPEN",
      "RegisterForSession → REGISTRATION_CLOSED",
      "RegisterForSession → SESSION_FULL",
      "CancelRegistration → NOT_FOUND",
      "CancelRegistration → REGISTRATION_CLOSED",
      "SetSessionAudience → VALIDATION",
      "SetSessionAudience → SESSION_CANCELED",
      "ConfirmAttendance → NOT_A_PARTICIPANT",
      "ConfirmAttendance → OUTSIDE_ATTENDANCE_WINDOW",
    ];
    const missing = mustSee.filter((what) => !observed.has(what));
    expect(missing, `never happened: ${missing.join(", ")}\nseen: ${JSON.stringify([...observed])}`).toEqual([]);
  });
});
