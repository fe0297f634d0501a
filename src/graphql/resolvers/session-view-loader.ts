import type { Session as DomainSession, SessionState } from "../../domain/sessions/decider.js";
import type { GraphQLContext } from "../context.js";
import { notFound } from "../errors.js";
import type { Session } from "../types/session.type.js";
import { toSessionView } from "../types/session.view.js";

/** A session as the API shows it, read from the read model (NOT_FOUND for another tenant's). */
export async function loadSessionView(context: GraphQLContext, id: string): Promise<Session> {
  const record = await context.loaders.sessionById.load(id);
  if (!record) throw notFound("Session", id);
  return toSessionView(record.session, record);
}

/** After a command: the read-model row once caught up, else the state the command produced. */
export async function sessionAfterCommand(
  context: GraphQLContext,
  sessionId: string,
  state: SessionState,
  caughtUp: boolean,
): Promise<Session> {
  const organizationId = context.principal!.organizationId;
  const record = caughtUp ? context.app.sessionQueries.byId(organizationId, sessionId) : null;
  if (record) return toSessionView(record.session, record);
  if (state.kind === "Initial") throw notFound("Session", sessionId);
  const session: DomainSession = state.session;
  return toSessionView(session, { revision: -1n, updatedAt: new Date().toISOString() });
}
