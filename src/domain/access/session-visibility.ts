import type { Session } from "../sessions/decider.js";
import type { SessionStatus } from "../sessions/values.js";
import { type Actor, isStaff } from "./actor.js";

/** Statuses a learner can see: DRAFT and LEAD are not open yet (S3). */
export const LEARNER_VISIBLE_STATUSES: readonly SessionStatus[] = ["PLANNED", "CONFIRMED", "CANCELED"];

/** Which sessions a caller sees: staff and API keys see all of their organization's. */
export type SessionVisibility =
  | { kind: "ALL" }
  | { kind: "AUDIENCE"; userId: string; email: string; teamIds: readonly string[] };

export function sessionVisibilityFor(actor: Actor): SessionVisibility {
  if (actor.kind === "API_KEY" || isStaff(actor)) return { kind: "ALL" };
  return { kind: "AUDIENCE", userId: actor.userId, email: actor.email, teamIds: actor.teamIds };
}

/** S5: public sessions are open to everyone; private ones to their targets only (none: nobody). */
export function canSeeSession(actor: Actor, session: Session): boolean {
  if (session.organizationId !== actor.organizationId) return false;
  const visibility = sessionVisibilityFor(actor);
  if (visibility.kind === "ALL") return true;
  if (!LEARNER_VISIBLE_STATUSES.includes(session.status)) return false;
  if (session.mode === "PUBLIC") return true;
  const audience = session.audience;
  if (audience?.mode !== "PRIVATE") return false;
  return (
    audience.targetUserIds.includes(visibility.userId) ||
    audience.invitedEmails.includes(visibility.email.toLowerCase()) ||
    audience.targetTeamIds.some((teamId) => visibility.teamIds.includes(teamId))
  );
}
