import { ORGANIZATION_EVENT_TYPES } from "../organizations/events.js";
import { REGISTRATION_EVENT_TYPES } from "../sessions/events.js";
import { SESSION_LIFECYCLE_EVENT_TYPES } from "../sessions/events.js";
import { TEAM_EVENT_TYPES } from "../teams/events.js";
import { USER_EVENT_TYPES } from "../users/events.js";

/**
 * Event types integrators may receive by webhook (N2). Internal bookkeeping (sign-ins, API
 * keys, e-mail claims, side effects, webhooks themselves) is not offered: a webhook about a
 * webhook delivery would feed itself.
 */
export const INTEGRATOR_EVENT_TYPES: readonly string[] = [
  ...SESSION_LIFECYCLE_EVENT_TYPES,
  ...REGISTRATION_EVENT_TYPES,
  ...USER_EVENT_TYPES,
  ...TEAM_EVENT_TYPES,
  ...ORGANIZATION_EVENT_TYPES,
];
