import type { Outcome } from "../domain/shared/outcome.js";
import type { GraphQLContext } from "./context.js";

/**
 * The one read-after-write policy of every mutation: the answer as the read model shows it once it
 * has caught up with the decision; if it has not in time, as the decision itself tells it. A write
 * that was recorded is never answered as a failure.
 */
export async function answerAfterWrite<Answer, View>(
  context: GraphQLContext,
  outcome: Outcome<unknown, Answer>,
  fromReadModel: () => View | null | undefined,
  fromDecision: (answer: Answer, outcome: Outcome<unknown, Answer>) => View,
): Promise<View> {
  const caughtUp = await context.app.caughtUp(outcome.position);
  const read = caughtUp ? fromReadModel() : null;
  return read ?? fromDecision(outcome.answer, outcome);
}
