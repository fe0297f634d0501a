import { organizationsProjection, usersProjection } from "./identity.projection.js";
import type { Projection } from "./projection.js";
import { sessionsProjection } from "./sessions.projection.js";

export const ALL_PROJECTIONS: readonly Projection[] = [organizationsProjection, usersProjection, sessionsProjection];
