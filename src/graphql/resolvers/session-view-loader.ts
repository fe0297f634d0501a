import { canSeeSession } from "../../domain/access/session-visibility.js";
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
