import type { SessionStatus } from "./values.js";

/** S3: the only status changes allowed. Staying in the same status is an idempotent no-op. */
export const ALLOWED_TRANSITIONS: Record<SessionStatus, readonly SessionStatus[]> = {
  DRAFT: ["LEAD", "PLANNED", "CANCELED"],
  LEAD: ["PLANNED", "DRAFT", "CANCELED"],
  PLANNED: ["CONFIRMED", "CANCELED"],
  CONFIRMED: ["CANCELED"],
  CANCELED: [],
};

export function isTransitionAllowed(from: SessionStatus, to: SessionStatus): boolean {
  return ALLOWED_TRANSITIONS[from].includes(to);
}
