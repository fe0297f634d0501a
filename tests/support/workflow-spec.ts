/**
 * Given / when / then for a pure workflow, fed as the runner feeds it:
 *
 *   workflowSpec(workflow).given([loggedEvent, timePassed(…), …]).when(timePassed(…)).then([command])
 *
 * A logged event goes through `route` to its instance; a TimePassed goes to every instance
 * known so far. `given` folds with `evolve` from `initialState()` (the commands decided on the
 * way count as sent); `when` runs `decide` once per instance it reaches and returns the
 * commands, checking that decide leaves the states as they were.
 */
import { expect } from "vitest";
import type { LoggedEvent, TimePassed, Workflow } from "../../src/domain/workflows/workflow.js";

export type Step = LoggedEvent | TimePassed;

export const timePassed = (now: string | Date): TimePassed => ({ type: "TimePassed", now: new Date(now) });

const isTime = (step: Step): step is TimePassed => step.type === "TimePassed" && !("streamName" in step);

export function workflowSpec<Input, State, Output>(workflow: Workflow<Input, State, Output>) {
  /** The instances and the inputs a step gives them. */
  const deliver = (states: Map<string, State>, step: Step): [string, Input | TimePassed][] => {
    if (isTime(step)) return [...states.keys()].map((id) => [id, step]);
    const routed = workflow.route(step);
    return routed ? [[routed.instanceId, routed.input]] : [];
  };
  const fold = (history: readonly Step[]) => {
    const states = new Map<string, State>();
    for (const step of history) {
      for (const [id, input] of deliver(states, step)) states.set(id, workflow.evolve(states.get(id) ?? workflow.initialState(), input));
    }
    return states;
  };

  const given = (history: readonly Step[]) => ({
    /** The state of each instance after the history. */
    states: () => fold(history),
    when(step: Step) {
      const run = (): Output[] => {
        const states = fold(history);
        const outputs: Output[] = [];
        for (const [id, input] of deliver(states, step)) {
          const state = states.get(id) ?? workflow.initialState();
          const before = structuredClone(state);
          outputs.push(...workflow.decide(input, state));
          expect(state, "decide must not mutate the state it is given").toEqual(before);
        }
        return outputs;
      };
      return {
        then(expected: Output[]): Output[] {
          const outputs = run();
          expect(outputs).toEqual(expected);
          return outputs;
        },
        thenNothing(): void {
          expect(run()).toEqual([]);
        },
      };
    },
  });
  return { given };
}
