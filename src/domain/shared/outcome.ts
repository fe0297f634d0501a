import type { Decision } from "./command-handler.js";

/**
 * What a use case answers: what it decided (events, position, revision) and the answer it built
 * from that decision with the context's own functions. A resolver maps the answer; it waits for
 * `position` when it reads the read model (read-your-writes).
 */
export interface Outcome<Event, Answer> {
  /** The events the command appended; [] when it was already applied. */
  events: Event[];
  position: bigint | null;
  revision: bigint | null;
  answer: Answer;
}

export function outcomeOf<Event, State, Answer>(decision: Decision<Event, State>, answer: Answer): Outcome<Event, Answer> {
  return { events: decision.events, position: decision.position, revision: decision.revision, answer };
}
