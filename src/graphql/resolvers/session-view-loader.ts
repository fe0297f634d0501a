import { canSeeSession } from "../../domain/access/session-visibility.js";
import type { SessionState } from "../../domain/sessions/decider.js";
import { rosterCounts } from "../../domain/sessions/roster.js";
import type { CommandResult } from "../../domain/shared/command-handler.js";
import type { GraphQLContext } from "../context.js";
import { notFound } from "../errors.js";
import type { Session } from "../types/session.type.js";
import { toSessionView } from "../types/session.view.js";

/** A session as the API shows it, read from the read model (NOT_FOUND for another tenant's). */
export async function loadSessionView(context: GraphQLContext, id: string): Promise<Session> {
  const record = await context.loaders.sessionById.load(id);
  // Invisible is the same as absent: nothing tells a learner a draft exists.
  if (!record || !context.actor || !canSeeSession(context.actor, record.session)) throw notFound("Session", id);
  return toSessionView(record.session, record);
}

/** After a command: the read-model row once caught up, else the state the command produced. */
export function sessionAfterCommand(
  context: GraphQLContext,
  sessionId: string,
  result: CommandResult<SessionState>,
  caughtUp: boolean,
): Session {
  const organizationId = context.actor!.organizationId;
  const record = caughtUp ? context.app.sessionQueries.byId(organizationId, sessionId) : null;
  if (record) return toSessionView(record.session, record);
  const { state, revision } = result;
  if (state.kind === "Initial" || revision === null) throw notFound("Session", sessionId);
  return toSessionView(state.session, { revision, updatedAt: context.app.clock.now().toISOString(), counts: rosterCounts(state.roster) });
}
