import { apiKeysProjection } from "./api-keys.projection.js";
import { eventLogProjection } from "./event-log.projection.js";
import { organizationsProjection, usersProjection } from "./identity.projection.js";
import type { Projection } from "./projection.js";
import { registrationsProjection } from "./registrations.projection.js";
import { sessionsProjection } from "./sessions.projection.js";
import { sideEffectsProjection } from "./side-effects.projection.js";
import { signInsProjection } from "./sign-ins.projection.js";
import { teamsProjection } from "./teams.projection.js";
import { webhooksProjection } from "./webhooks.projection.js";

export const ALL_PROJECTIONS: readonly Projection[] = [
  organizationsProjection,
  usersProjection,
  teamsProjection,
  apiKeysProjection,
  signInsProjection,
  sessionsProjection,
  registrationsProjection,
  webhooksProjection,
  sideEffectsProjection,
  eventLogProjection,
];
