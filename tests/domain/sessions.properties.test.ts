/**
 * Property tests of the S3 lifecycle: random sequences of transition commands (mixed with the
 * set-ups that make a session plannable) applied to a fresh session.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { SessionCommand } from "../../src/domain/sessions/decider.js";
import { type Session, sessionDecider } from "../../src/domain/sessions/decider.js";
import type { SessionEvent } from "../../src/domain/sessions/events.js";
import type { SessionMode } from "../../src/domain/sessions/values.js";
import { DomainError } from "../../src/domain/shared/errors.js";
import { fold } from "../support/given-when-then.js";
import {
  PRIVATE_AUDIENCE,
  PUBLIC_AUDIENCE,
  SCHEDULE,
  SESSION_ID,
  TARGET_OF,
  TRANSITION_COMMAND_TYPES,
  WEBINAR,
  type TransitionCommandType,
  context,
  created,
  isAllowedChange,
  transitionCommand,
} from "./session-fixtures.js";

type Step =
  | { kind: "transition"; command: TransitionCommandType; reason: string }
  | { kind: "setup"; what: "schedule" | "format" | "public audience" | "private audience" };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("transition" as const),
      command: fc.constantFrom(...TRANSITION_COMMAND_TYPES),
      reason: fc.constantFrom("", "   ", "Client request"),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("setup" as const),
      what: fc.constantFrom("schedule" as const, "format" as const, "public audience" as const, "private audience" as const),
    }),
  },
);

type Scenario = { start: "DRAFT" | "LEAD"; mode: SessionMode; preset: Array<Extract<Step, { kind: "setup" }>["what"]>; steps: Step[] };

const scenarioArb: fc.Arbitrary<Scenario> = fc.record({
  start: fc.constantFrom("DRAFT" as const, "LEAD" as const),
  mode: fc.constantFrom<SessionMode>("PUBLIC", "PRIVATE"),
  // Set-ups applied before the steps, so that most runs can reach PLANNED, CONFIRMED and CANCELED.
  preset: fc.subarray(["schedule", "format", "public audience"] as const),
  steps: fc.array(stepArb, { maxLength: 30, size: "max" }),
});

function toCommand(step: Step): SessionCommand {
  const base = { sessionId: SESSION_ID, context: context() };
  if (step.kind === "transition") return transitionCommand(step.command, { reason: step.reason });
  switch (step.what) {
    case "schedule":
      return { type: "SetSessionSchedule", ...base, schedule: SCHEDULE };
    case "format":
      return { type: "SetSessionFormat", ...base, format: WEBINAR };
    case "public audience":
      return { type: "SetSessionAudience", ...base, audience: PUBLIC_AUDIENCE };
    case "private audience":
      return { type: "SetSessionAudience", ...base, audience: PRIVATE_AUDIENCE };
  }
}

function sessionOf(history: SessionEvent[]): Session {
  const state = fold(sessionDecider, history);
  if (state.kind !== "Existing") throw new Error("no session");
  return state.session;
}

/** Runs the steps; after each decide, `check` sees the session before and after, and the outcome. */
function play(
  scenario: Scenario,
  check: (step: Step, before: Session, outcome: SessionEvent[] | DomainError, after: Session) => void,
): void {
  const history: SessionEvent[] = [created({ status: scenario.start, mode: scenario.mode })];
  for (const what of scenario.preset) {
    history.push(...sessionDecider.decide(toCommand({ kind: "setup", what }), fold(sessionDecider, history)));
  }
  for (const step of scenario.steps) {
    const before = sessionOf(history);
    let outcome: SessionEvent[] | DomainError;
    try {
      outcome = sessionDecider.decide(toCommand(step), fold(sessionDecider, history));
    } catch (error) {
      if (!(error instanceof DomainError)) throw error; // a crash is never acceptable
      outcome = error;
    }
    if (Array.isArray(outcome)) history.push(...outcome);
    check(step, before, outcome, sessionOf(history));
  }
}

const isStatusEvent = (event: SessionEvent): event is Extract<SessionEvent, { data: { from: unknown } }> =>
  "from" in event.data;

/** What S3 says a transition command must do, written from docs/rules.md (not from src/). */
function expectedOutcome(before: Session, step: Extract<Step, { kind: "transition" }>): string {
  const to = TARGET_OF[step.command];
  if (before.status === to) return "no-op";
  if (!isAllowedChange(before.status, to)) return "INVALID_TRANSITION";
  if (to === "PLANNED") {
    const ready = before.schedule !== null && before.format !== null && (before.mode === "PRIVATE" || before.audience !== null);
    if (!ready) return "SESSION_INCOMPLETE";
  }
  if (step.command === "CancelSession" && step.reason.trim() === "") return "VALIDATION";
  return `-> ${to}`;
}

describe("S3 lifecycle properties", () => {
  it("never leaves the allowed table, a CANCELED session never changes, every `from` is the status before", () => {
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        play(scenario, (_step, before, outcome, after) => {
          if (before.status === "CANCELED") {
            expect(after, "a CANCELED session changed").toEqual(before);
          }
          if (outcome instanceof DomainError) {
            expect(after, `a refused command (${outcome.code}) changed the session`).toEqual(before);
            return;
          }
          let status = before.status;
          for (const event of outcome.filter(isStatusEvent)) {
            expect(event.data.from, `${event.type}.data.from`).toBe(status);
            expect(isAllowedChange(event.data.from, event.data.to), `${event.data.from} → ${event.data.to} is not in S3`).toBe(true);
            status = event.data.to;
          }
          expect(after.status, "the status after evolve").toBe(status);
          if (after.status !== before.status) expect(isAllowedChange(before.status, after.status)).toBe(true);
        });
      }),
      { numRuns: 500 },
    );
  });

  it("every transition command does exactly what the S3 model predicts (all 25 cells exercised)", () => {
    const exercised = new Set<string>();
    fc.assert(
      fc.property(scenarioArb, (scenario) => {
        play(scenario, (step, before, outcome, after) => {
          if (step.kind !== "transition") return;
          exercised.add(`${before.status}/${step.command}`);
          const expected = expectedOutcome(before, step);
          const actual =
            outcome instanceof DomainError
              ? outcome.code
              : outcome.length === 0
                ? "no-op"
                : `-> ${outcome.length === 1 && isStatusEvent(outcome[0]!) ? outcome[0].data.to : JSON.stringify(outcome)}`;
          expect(actual, `${step.command} on a ${before.status} session`).toBe(expected);
          expect(after.status).toBe(expected.startsWith("-> ") ? TARGET_OF[step.command] : before.status);
        });
      }),
      { numRuns: 500 },
    );
    // Guards the generator itself: the properties are only meaningful if every status × command is hit.
    expect(exercised.size, `cells exercised: ${[...exercised].sort().join(", ")}`).toBe(25);
  });
});
