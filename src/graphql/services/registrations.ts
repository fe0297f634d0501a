import type { Actor } from "../../domain/access/actor.js";
import type { Resource } from "../../domain/access/authorization.js";
import { canSeeSession } from "../../domain/access/session-visibility.js";
import type { RegistrationCommand } from "../../domain/sessions/commands.js";
import type { Session, SessionState } from "../../domain/sessions/decider.js";
import { sessionStreamName } from "../../domain/sessions/events.js";
import { registrationSnapshot } from "../../domain/sessions/registration-snapshot.js";
import type { RosterEntry } from "../../domain/sessions/roster.js";
import type { CommandResult } from "../../domain/shared/command-handler.js";
import { DomainError } from "../../domain/shared/errors.js";
import { idSchema, parseOrThrow } from "../../domain/shared/validation.js";
import type { GraphQLContext } from "../context.js";
import { notFound } from "../errors.js";
import type { Registration } from "../types/registration.type.js";
import { toRegistrationView } from "../types/registration.view.js";

/** What the authorization table's relations need to know about a session. */
export function sessionResource(session: Session): Resource {
  return { sessionAssigneeId: session.details.assigneeId, sessionTrainerIds: trainerIdsOf(session.format) };
}

/** The trainer and host a session's format names. */
export function trainerIdsOf(format: { trainerId?: string | null; hostId?: string | null } | null): string[] {
  const ids = [format?.trainerId, format?.hostId];
  return ids.filter((id): id is string => typeof id === "string");
}

type Check = (session: Session, entry: (registrationId: string) => RosterEntry | undefined) => void;

/**
 * Runs a registration command on the session's stream. The session must be visible to the caller
 * (NOT_FOUND otherwise, like a missing one); `check` authorizes on the state the decision uses.
 */
export function runRegistrationCommand(
  context: GraphQLContext,
  actor: Actor | null,
  sessionId: string,
  command: RegistrationCommand,
  check?: Check,
): Promise<CommandResult<SessionState>> {
  return context.app.sessions.handle(sessionStreamName(parseOrThrow(idSchema, sessionId, "sessionId")), command, (state) => {
    if (state.kind === "Initial" || (actor && !canSeeSession(actor, state.session))) throw notFound("Session", sessionId);
    check?.(state.session, (registrationId) => state.roster.entries.get(registrationId));
  });
}

/** The session a registration belongs to (NOT_FOUND for another organization's or an unknown one). */
export function sessionOfRegistration(
  context: GraphQLContext,
  organizationId: string,
  id: string,
): { sessionId: string; registrationId: string } {
  const registrationId = parseOrThrow(idSchema, id, "registrationId");
  const record = context.app.registrationQueries.byIds(organizationId, [registrationId]).get(registrationId);
  if (!record) throw new DomainError("NOT_FOUND", `Registration ${registrationId} was not found`);
  return { sessionId: record.sessionId, registrationId };
}

/**
 * After a command: the registration as the read model shows it once it has caught up; if it has
 * not in time, as the decided state tells it (a recorded write is never answered as a failure).
 */
export async function registrationAfterCommand(
  context: GraphQLContext,
  organizationId: string,
  registrationId: string,
  result: CommandResult<SessionState>,
): Promise<Registration> {
  const caughtUp = await context.app.caughtUp(result.position);
  const record = caughtUp ? context.app.registrationQueries.byIds(organizationId, [registrationId]).get(registrationId) : undefined;
  if (record) return toRegistrationView(record);
  const snapshot = registrationSnapshot(result.state, registrationId);
  if (!snapshot) throw notFound("Registration", registrationId);
  return toRegistrationView({ ...snapshot, id: snapshot.registrationId });
}
