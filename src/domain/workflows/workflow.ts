import { deterministicUuid } from "../shared/event-metadata.js";
import type { CommandContext } from "../shared/decider.js";
import type { RecordedEvent } from "../shared/event-store.js";

/** An event of the log, as a workflow reads it. */
export type LoggedEvent = Pick<RecordedEvent, "id" | "type" | "streamName" | "data" | "metadata">;

/** What the clock says, given to an instance whose deadline has come: a workflow never reads a clock. */
export type TimePassed = { type: "TimePassed"; now: Date };

/** Which instance of a workflow an event of the log is for, and what it tells that instance. */
export type Routed<Input> = { instanceId: string; input: Input };

/**
 * A process that spans streams (Emmett's workflow): the events it reads, routed to one
 * instance each, and the passing of time are its inputs; the commands to send are its outputs.
 * Pure: "now" arrives in TimePassed, and command ids are derived from the ids of the events
 * that caused them, so sending the same output again (a replay, another replica) is one command.
 * An instance back in its initial state has nothing left to do: the runner forgets it.
 */
export interface Workflow<Input, State, Output> {
  /** Names the workflow in the runner's checkpoints and stored states. */
  name: string;
  /** The only event types `route` can accept (the runner reads the log filtered on them). */
  eventTypes: readonly string[];
  route: (event: LoggedEvent) => Routed<Input> | null;
  initialState: () => State;
  evolve: (state: State, input: Input | TimePassed) => State;
  decide: (input: Input | TimePassed, state: State) => Output[];
  /** When the instance next wants a TimePassed; null when it waits for nothing. */
  deadline: (state: State) => Date | null;
}

/** The actor of the commands workflows send (events record it as who acted). */
export const WORKFLOW_ACTOR = "system:workflows";

/** An ISO deadline `ms` after an ISO instant. */
export function deadlineAfter(instant: string, ms: number): string {
  return new Date(Date.parse(instant) + ms).toISOString();
}

/** True once `now` has reached the ISO `deadline`. */
export function reached(deadline: string, now: Date): boolean {
  return now.getTime() >= Date.parse(deadline);
}

/** The correlation id an event was written under (its own id when it has none). */
export function correlationOf(event: LoggedEvent): string {
  const correlationId = event.metadata.correlationId;
  return typeof correlationId === "string" ? correlationId : event.id;
}

/** The context of a command a workflow sends: its id derives from the event that caused it, so a replay sends it once. */
export function workflowCommandContext(
  workflow: string,
  cause: { eventId: string; organizationId: string; correlationId: string },
  now: Date,
): CommandContext {
  return {
    commandId: deterministicUuid(`${workflow}/${cause.eventId}`),
    organizationId: cause.organizationId,
    actorId: WORKFLOW_ACTOR,
    now,
    correlationId: cause.correlationId,
    causationId: cause.eventId,
  };
}
