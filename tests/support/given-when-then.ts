/**
 * Emmett-style given / when / then for any pure decider:
 *
 *   spec(decider).given(events).when(command).then(expectedEvents)
 *   spec(decider).given(events).when(command).thenThrows("NOT_FOUND", /was not found/, { field: "x" })
 *   spec(decider).given(events).when(command).thenNothing()
 *
 * `given` events are folded with `decider.evolve` from `decider.initialState()`, then
 * `decider.decide(command, state)` runs once. Every `then*` returns what it observed
 * (the events or the error) so a test can assert more on it.
 */
import { assert, expect } from "vitest";
import type { Decider } from "../../src/domain/shared/decider.js";
import type { DomainEvent } from "../../src/domain/shared/event-codec.js";
import { DomainError, type DomainErrorCode } from "../../src/domain/shared/errors.js";

type Outcome<Event> = { kind: "events"; events: Event[] } | { kind: "error"; error: unknown };

export interface Then<Event> {
  /** decide returned exactly these events (deep equality, in order). */
  then(expected: Event[]): Event[];
  /**
   * decide threw a DomainError with this code; optionally its message matches `message`
   * and its `details` equal `details` exactly.
   */
  thenThrows(code: DomainErrorCode, message?: RegExp, details?: Record<string, unknown>): DomainError;
  /** decide returned [] (the command is already applied: idempotent no-op). */
  thenNothing(): [];
}

export interface When<Command, Event> {
  when(command: Command): Then<Event>;
}

export interface Given<Command, Event> extends When<Command, Event> {
  given(events: Event[]): When<Command, Event>;
}

/** Folds events into a state with the decider's evolve. */
export function fold<Command, Event extends DomainEvent, State>(decider: Decider<Command, Event, State>, events: readonly Event[]): State {
  return events.reduce((state, event) => decider.evolve(state, event), decider.initialState());
}

export function spec<Command, Event extends DomainEvent, State>(decider: Decider<Command, Event, State>): Given<Command, Event> {
  const when =
    (history: readonly Event[]) =>
    (command: Command): Then<Event> => {
      const run = (): Outcome<Event> => {
        const state = fold(decider, history);
        const before = snapshot(state);
        let outcome: Outcome<Event>;
        try {
          outcome = { kind: "events", events: decider.decide(command, state) };
        } catch (error) {
          outcome = { kind: "error", error };
        }
        if (before !== undefined) {
          expect(state, "decide must not mutate the state it is given").toEqual(before);
        }
        return outcome;
      };

      return {
        then(expected) {
          const outcome = run();
          if (outcome.kind === "error") {
            assert.fail(
              `Expected decide to return ${pretty(expected)}\nbut it threw ${describeError(outcome.error)}\n` +
                `command: ${pretty(command)}`,
            );
          }
          expect(outcome.events, `events decided for ${label(command)}`).toEqual(expected);
          return outcome.events;
        },

        thenThrows(code, message, details) {
          const outcome = run();
          if (outcome.kind === "events") {
            assert.fail(
              `Expected decide to throw DomainError ${code}\nbut it returned ${pretty(outcome.events)}\n` +
                `command: ${pretty(command)}`,
            );
          }
          const error = outcome.error;
          if (!(error instanceof DomainError)) {
            assert.fail(`Expected DomainError ${code} but decide threw ${describeError(error)}`);
          }
          expect(error.code, `error code of ${describeError(error)}`).toBe(code);
          if (message) expect(error.message, "error message").toMatch(message);
          if (details) expect(error.details, `details of ${describeError(error)}`).toEqual(details);
          return error;
        },

        thenNothing() {
          const outcome = run();
          if (outcome.kind === "error") {
            assert.fail(`Expected decide to return [] (no-op)\nbut it threw ${describeError(outcome.error)}`);
          }
          expect(outcome.events, `events decided for ${label(command)} (expected a no-op)`).toEqual([]);
          return [];
        },
      };
    };

  return {
    given: (events) => ({ when: when([...events]) }),
    when: when([]),
  };
}

function label(command: unknown): string {
  const type = (command as { type?: unknown } | null)?.type;
  return typeof type === "string" ? type : "the command";
}

/** JSON that still shows `undefined` fields and vitest matchers such as expect.objectContaining(…). */
function pretty(value: unknown): string {
  return JSON.stringify(
    value,
    (_key, v: unknown) => {
      if (v === undefined) return "<undefined>";
      if (isAsymmetricMatcher(v)) return `<${v.toString()} ${JSON.stringify(v.sample) ?? ""}>`.replace(" >", ">");
      return v;
    },
    2,
  );
}

function isAsymmetricMatcher(v: unknown): v is { asymmetricMatch: unknown; sample?: unknown; toString(): string } {
  return typeof v === "object" && v !== null && typeof (v as { asymmetricMatch?: unknown }).asymmetricMatch === "function";
}

function describeError(error: unknown): string {
  if (error instanceof DomainError) {
    return `${error.name} [${error.code}] "${error.message}" details=${JSON.stringify(error.details)}`;
  }
  if (error instanceof Error) return `${error.name}: ${error.message}\n${error.stack ?? ""}`;
  return `a non-Error value ${pretty(error)}`;
}

/** A deep copy to detect mutation by decide; undefined when the state cannot be cloned. */
function snapshot<T>(state: T): T | undefined {
  try {
    return structuredClone(state);
  } catch {
    return undefined;
  }
}
