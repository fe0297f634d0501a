import type { SessionState } from "./decider.js";
import { activeRegistrationOf, type RosterEntry, waitlistPositionOf } from "./roster.js";

/** A registration as the session's stream tells it, for an answer that cannot wait for the read model. */
export interface RegistrationSnapshot extends RosterEntry {
  sessionId: string;
  /** 1 = next to get a seat; null unless waiting. */
  waitlistPosition: number | null;
}

export function registrationSnapshot(state: SessionState, registrationId: string): RegistrationSnapshot | null {
  if (state.kind === "Initial") return null;
  const entry = state.roster.entries.get(registrationId);
  if (!entry) return null;
  return { ...entry, sessionId: state.session.id, waitlistPosition: waitlistPositionOf(state.roster, registrationId) };
}

/**
 * The registration a person's "register" request stands for: their active one (S9: at most one),
 * else this very request's (retried after they canceled it); null when neither exists.
 */
export function registrationOfRequest(state: SessionState, userId: string, requestRegistrationId: string): string | null {
  if (state.kind === "Initial") return null;
  return activeRegistrationOf(state.roster, userId)?.registrationId ?? (state.roster.entries.has(requestRegistrationId) ? requestRegistrationId : null);
}
