import type { Role } from "../users/user.js";

export const API_KEY_SCOPES = ["sessions:read", "sessions:write", "people:read", "people:write", "events:read", "webhooks:manage"] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** Roles that work for the organization; everyone else (LEARNER only) sees the learner portal. */
export const STAFF_ROLES: readonly Role[] = ["ADMIN", "MANAGER", "TRAINER", "HOST", "EMPLOYEE", "AUDITOR"];

/** Who is calling, once authenticated: a person of the organization or an integrator's API key. */
export type Actor =
  | {
      kind: "USER";
      userId: string;
      organizationId: string;
      email: string;
      roles: readonly Role[];
      /** Teams the user belongs to (private-session visibility, S5). */
      teamIds: readonly string[];
    }
  | { kind: "API_KEY"; apiKeyId: string; organizationId: string; scopes: readonly ApiKeyScope[] };

/** The id written as `actorId` in event metadata. */
export const actorIdOf = (actor: Actor): string => (actor.kind === "USER" ? actor.userId : `api-key:${actor.apiKeyId}`);

export const hasRole = (actor: Actor, ...roles: Role[]): boolean =>
  actor.kind === "USER" && actor.roles.some((role) => roles.includes(role));

export const isStaff = (actor: Actor): boolean => actor.kind === "API_KEY" || hasRole(actor, ...STAFF_ROLES);
