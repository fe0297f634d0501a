/**
 * S3 status lifecycle of academy sessions: the full 5 statuses × 5 transition commands matrix,
 * plus the preconditions around transitions (readiness, cancel reason, tenancy, existence).
 */
import { describe, expect, it } from "vitest";
import { sessionDecider } from "../../src/domain/sessions/decider.js";
import type { SessionDocumentAttached, SessionEvent } from "../../src/domain/sessions/events.js";
import type { SessionStatus } from "../../src/domain/sessions/values.js";
import { ValidationError } from "../../src/domain/shared/errors.js";
import { fold, spec } from "../support/given-when-then.js";
import {
  ACTOR_ID,
  ALLOWED_STATUS_CHANGES,
  NOW_ISO,
  PRIVATE_AUDIENCE,
  SCHEDULE,
  SESSION_ID,
  STATUSES,
  TARGET_OF,
  TRANSITION_COMMAND_TYPES,
  type TransitionCommandType,
  audienceSet,
  canceled,
  context,
  created,
  everyCommandOnExistingSession,
  formatSet,
  historyIn,
  isAllowedChange,
  scheduleSet,
  transitionCommand,
  unchecked,
} from "./session-fixtures.js";

const given = (events: SessionEvent[]) => spec(sessionDecider).given(events);
const statusAfter = (events: SessionEvent[]): SessionStatus => {
  const state = fold(sessionDecider, events);
  if (state.kind !== "Existing") throw new Error("the history did not create a session");
  return state.session.status;
};

/** What each transition command sends and what its event must record. */
const TRANSITIONS: Record<
  TransitionCommandType,
  { event: SessionEvent["type"]; reasonSent: string | undefined; reasonRecorded: string }
> = {
  MarkSessionAsLead: { event: "SessionMarkedAsLead", reasonSent: "Requested by Acme", reasonRecorded: "Requested by Acme" },
  ReturnSessionToDraft: { event: "SessionReturnedToDraft", reasonSent: "Needs rework", reasonRecorded: "Needs rework" },
  PlanSession: { event: "SessionPlanned", reasonSent: "Validated", reasonRecorded: "Validated" },
  ConfirmSession: { event: "SessionConfirmed", reasonSent: undefined, reasonRecorded: "VALIDATED_BY_OWNER" },
  CancelSession: { event: "SessionCanceled", reasonSent: "Trainer is ill", reasonRecorded: "Trainer is ill" },
};

type Expectation = "allowed" | "refused" | "no-op";
type Cell = { from: SessionStatus; command: TransitionCommandType; to: SessionStatus; expect: Expectation };

const MATRIX: Cell[] = STATUSES.flatMap((from) =>
  TRANSITION_COMMAND_TYPES.map((command): Cell => {
    const to = TARGET_OF[command];
    const expectation: Expectation = from === to ? "no-op" : isAllowedChange(from, to) ? "allowed" : "refused";
    return { from, command, to, expect: expectation };
  }),
);

describe("S3 transition matrix (5 statuses × 5 commands)", () => {
  it("the test table covers all 25 cells exactly once, with 9 allowed, 5 no-op and 11 refused", () => {
    expect(MATRIX).toHaveLength(25);
    expect(new Set(MATRIX.map((c) => `${c.from}/${c.command}`)).size).toBe(25);
    const count = (e: Expectation) => MATRIX.filter((c) => c.expect === e).length;
    expect({ allowed: count("allowed"), noop: count("no-op"), refused: count("refused") }).toEqual({
      allowed: 9,
      noop: 5,
      refused: 11,
    });
    expect(ALLOWED_STATUS_CHANGES).toHaveLength(9);
    // Every allowed change in the spec is reachable with exactly one command.
    for (const [from, to] of ALLOWED_STATUS_CHANGES) {
      expect(MATRIX.filter((c) => c.from === from && c.to === to && c.expect === "allowed")).toHaveLength(1);
    }
  });

  it.each(STATUSES)("the history used for %s really reaches that status", (status) => {
    expect(statusAfter(historyIn(status))).toBe(status);
  });

  const cells = (e: Expectation) => MATRIX.filter((c) => c.expect === e);

  it.each(cells("allowed"))("$from + $command → $to: emits the transition event", ({ from, command, to }) => {
    const { event, reasonSent, reasonRecorded } = TRANSITIONS[command];
    const events = given(historyIn(from))
      .when(transitionCommand(command, { reason: reasonSent }))
      .then([
        unchecked<SessionEvent>({
          type: event,
          data: {
            sessionId: SESSION_ID,
            from,
            to,
            reason: reasonRecorded,
            // A confirmation keeps what the owner said apart from its reason code.
            ...(event === "SessionConfirmed" ? { comment: null } : {}),
            changedBy: ACTOR_ID,
            changedAt: NOW_ISO,
          },
        }),
      ]);
    expect(statusAfter([...historyIn(from), ...events])).toBe(to);
  });

  it.each(cells("refused"))("$from + $command → $to: refused with INVALID_TRANSITION", ({ from, command, to }) => {
    const error = given(historyIn(from))
      .when(transitionCommand(command, { reason: TRANSITIONS[command].reasonSent }))
      .thenThrows("INVALID_TRANSITION", undefined, { from, to });
    expect(error.message).toContain(from);
    expect(error.message).toContain(to);
  });

  it.each(cells("no-op"))("$from + $command: already $to, so nothing happens (idempotent)", ({ from, command }) => {
    given(historyIn(from))
      .when(transitionCommand(command, { reason: TRANSITIONS[command].reasonSent }))
      .thenNothing();
  });
});

describe("transition reasons", () => {
  it("ConfirmSession records VALIDATED_BY_OWNER (S4 manual confirmation)", () => {
    const [event] = given(historyIn("PLANNED")).when(transitionCommand("ConfirmSession")).then([
      {
        type: "SessionConfirmed",
        data: { sessionId: SESSION_ID, from: "PLANNED", to: "CONFIRMED", reason: "VALIDATED_BY_OWNER", comment: null, changedBy: ACTOR_ID, changedAt: NOW_ISO },
      },
    ]);
    const state = fold(sessionDecider, [...historyIn("PLANNED"), event!]);
    expect(state.kind === "Existing" && state.session.statusReason).toBe("VALIDATED_BY_OWNER");
  });

  it("ConfirmSession keeps the reason the owner gives as the confirmation's comment", () => {
    given(historyIn("PLANNED")).when(transitionCommand("ConfirmSession", { reason: "  Trainer booked " })).then([
      {
        type: "SessionConfirmed",
        data: { sessionId: SESSION_ID, from: "PLANNED", to: "CONFIRMED", reason: "VALIDATED_BY_OWNER", comment: "Trainer booked", changedBy: ACTOR_ID, changedAt: NOW_ISO },
      },
    ]);
  });

  it.each(["", "   "])("an optional reason given as %j is recorded as null", (reason) => {
    given(historyIn("DRAFT")).when(transitionCommand("MarkSessionAsLead", { reason })).then([
      {
        type: "SessionMarkedAsLead",
        data: { sessionId: SESSION_ID, from: "DRAFT", to: "LEAD", reason: null, changedBy: ACTOR_ID, changedAt: NOW_ISO },
      },
    ]);
  });

  it("an omitted optional reason is recorded as null", () => {
    given(historyIn("LEAD")).when(transitionCommand("ReturnSessionToDraft")).then([
      {
        type: "SessionReturnedToDraft",
        data: { sessionId: SESSION_ID, from: "LEAD", to: "DRAFT", reason: null, changedBy: ACTOR_ID, changedAt: NOW_ISO },
      },
    ]);
  });

  it("records the acting user and the command time, not the creator's", () => {
    const ctx = context({ actorId: "manager-7", now: new Date("2026-11-22T15:30:00+01:00") });
    given(historyIn("DRAFT")).when(transitionCommand("PlanSession", { context: ctx })).then([
      {
        type: "SessionPlanned",
        data: {
          sessionId: SESSION_ID,
          from: "DRAFT",
          to: "PLANNED",
          reason: null,
          changedBy: "manager-7",
          changedAt: "2026-11-22T14:30:00.000Z",
        },
      },
    ]);
  });
});

describe("CancelSession requires a reason", () => {
  it.each([
    ["empty", ""],
    ["blank", "   "],
    ["missing", undefined],
  ])("a %s reason is refused with VALIDATION on field reason", (_, reason) => {
    const error = given(historyIn("PLANNED"))
      .when({ type: "CancelSession", sessionId: SESSION_ID, context: context(), reason: unchecked<string>(reason) })
      .thenThrows("VALIDATION", /reason/, { field: "reason" });
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).field).toBe("reason");
  });

  it("the reason is trimmed and kept as the status reason", () => {
    const [event] = given(historyIn("CONFIRMED"))
      .when(transitionCommand("CancelSession", { reason: "  Venue flooded  " }))
      .then([
        {
          type: "SessionCanceled",
          data: { sessionId: SESSION_ID, from: "CONFIRMED", to: "CANCELED", reason: "Venue flooded", changedBy: ACTOR_ID, changedAt: NOW_ISO },
        },
      ]);
    const state = fold(sessionDecider, [...historyIn("CONFIRMED"), event!]);
    expect(state.kind === "Existing" && state.session.statusReason).toBe("Venue flooded");
  });
});

describe("PlanSession needs schedule, format and (public) audience", () => {
  it.each(["DRAFT", "LEAD"] as const)("a bare public %s session lists all three as missing", (status) => {
    given([created({ status })])
      .when(transitionCommand("PlanSession"))
      .thenThrows("SESSION_INCOMPLETE", /schedule.*format.*audience/, { missing: ["schedule", "format", "audience"] });
  });

  it.each([
    { missing: "schedule", history: [created(), formatSet(), audienceSet()] },
    { missing: "format", history: [created(), scheduleSet(), audienceSet()] },
    { missing: "audience", history: [created(), scheduleSet(), formatSet()] },
  ])("only $missing missing → SESSION_INCOMPLETE naming it", ({ missing, history }) => {
    given(history)
      .when(transitionCommand("PlanSession"))
      .thenThrows("SESSION_INCOMPLETE", new RegExp(missing), { missing: [missing] });
  });

  it("a private session can be planned without an audience", () => {
    given([created({ mode: "PRIVATE" }), scheduleSet(), formatSet()])
      .when(transitionCommand("PlanSession"))
      .then([
        {
          type: "SessionPlanned",
          data: { sessionId: SESSION_ID, from: "DRAFT", to: "PLANNED", reason: null, changedBy: ACTOR_ID, changedAt: NOW_ISO },
        },
      ]);
  });

  it("a private session without schedule reports only the schedule missing", () => {
    given([created({ mode: "PRIVATE", audience: PRIVATE_AUDIENCE }), formatSet()])
      .when(transitionCommand("PlanSession"))
      .thenThrows("SESSION_INCOMPLETE", /schedule/, { missing: ["schedule"] });
  });

  it("a session made private through SetSessionAudience no longer needs a public audience", () => {
    given([created({ mode: "PUBLIC" }), scheduleSet(), formatSet(), audienceSet(PRIVATE_AUDIENCE)])
      .when(transitionCommand("PlanSession"))
      .then([
        {
          type: "SessionPlanned",
          data: { sessionId: SESSION_ID, from: "DRAFT", to: "PLANNED", reason: null, changedBy: ACTOR_ID, changedAt: NOW_ISO },
        },
      ]);
  });
});

const docAttached: SessionDocumentAttached = {
  type: "SessionDocumentAttached",
  data: { sessionId: SESSION_ID, document: { documentId: "doc-1", name: "Slides", url: "https://x.example/s.pdf" } },
};

describe("commands on a session that is not there", () => {
  const label = (c: { type: string }) => c.type;

  it.each(everyCommandOnExistingSession().map((c) => [label(c), c] as const))(
    "%s on a nonexistent session → NOT_FOUND",
    (_, command) => {
      spec(sessionDecider).given([]).when(command).thenThrows("NOT_FOUND", /session-1 was not found/);
    },
  );

  it.each(everyCommandOnExistingSession(context({ organizationId: "org-2" })).map((c) => [label(c), c] as const))(
    "%s on another organization's session → NOT_FOUND, reported exactly like a missing one",
    (_, command) => {
      const error = given([...historyIn("DRAFT"), docAttached]).when(command).thenThrows("NOT_FOUND");
      const missing = spec(sessionDecider).given([]).when(command).thenThrows("NOT_FOUND");
      expect(error.message).toBe(missing.message);
      expect(error.details).toEqual(missing.details);
    },
  );
});

describe("a CANCELED session can no longer be edited", () => {
  const edits = everyCommandOnExistingSession().filter(
    (c) => !(TRANSITION_COMMAND_TYPES as readonly string[]).includes(c.type),
  );

  it("checks all 7 edit commands", () => expect(edits).toHaveLength(7));

  it.each(edits.map((c) => [c.type, c] as const))("%s → SESSION_CANCELED", (_, command) => {
    given([...readyThenAttachedThenCanceled()])
      .when(command)
      .thenThrows("SESSION_CANCELED", /canceled/);
  });
});

function readyThenAttachedThenCanceled(): SessionEvent[] {
  return [...historyIn("PLANNED"), docAttached, canceled("PLANNED")];
}

describe("S3: a session that has ended can no longer be planned or confirmed (SESSION_ENDED)", () => {
  const endsAt = Date.parse(SCHEDULE.endsAt);
  const at = (ms: number) => context({ now: new Date(ms) });

  it.each(["DRAFT", "LEAD"] as const)("PlanSession on a %s session whose end has passed → SESSION_ENDED, nothing written", (status) => {
    given(historyIn(status))
      .when(transitionCommand("PlanSession", { context: at(endsAt + 60_000) }))
      .thenThrows("SESSION_ENDED", /ended.*can no longer be planned/, { endsAt: SCHEDULE.endsAt });
  });

  it("PlanSession at the very instant it ends is refused; a millisecond before, it is planned", () => {
    given(historyIn("DRAFT"))
      .when(transitionCommand("PlanSession", { context: at(endsAt) }))
      .thenThrows("SESSION_ENDED");
    given(historyIn("DRAFT"))
      .when(transitionCommand("PlanSession", { context: at(endsAt - 1) }))
      .then([expect.objectContaining({ type: "SessionPlanned" })]);
  });

  it("ConfirmSession after the end → SESSION_ENDED; while it runs, it is confirmed", () => {
    given(historyIn("PLANNED"))
      .when(transitionCommand("ConfirmSession", { context: at(endsAt + 3_600_000) }))
      .thenThrows("SESSION_ENDED");
    given(historyIn("PLANNED"))
      .when(transitionCommand("ConfirmSession", { context: at(Date.parse(SCHEDULE.startsAt) + 60_000) }))
      .then([expect.objectContaining({ type: "SessionConfirmed" })]);
  });

  it("staff may still cancel an ended session", () => {
    given(historyIn("PLANNED"))
      .when(transitionCommand("CancelSession", { context: at(endsAt + 86_400_000) }))
      .then([expect.objectContaining({ type: "SessionCanceled" })]);
  });

  it("an already PLANNED session asked to be planned again after its end is still a no-op", () => {
    given(historyIn("PLANNED")).when(transitionCommand("PlanSession", { context: at(endsAt + 60_000) })).then([]);
  });
});
