import { DomainError } from "../shared/errors.js";
import type { Role } from "../users/user.js";
import { type Actor, type ApiKeyScope, STAFF_ROLES } from "./actor.js";

/** A relation between the caller and the thing acted on that grants access without the role. */
export type Relation = "SESSION_ASSIGNEE" | "SELF";

export interface Permission {
  kind: "query" | "mutation" | "subscription" | "field";
  /** Anyone, signed in or not (sign-in, sign-up…). */
  public?: true;
  /** Roles allowed; "ANY_MEMBER" = every signed-in user of the organization. */
  roles?: readonly Role[] | "ANY_MEMBER";
  /** A user who holds this relation to the resource is allowed too. */
  relation?: Relation;
  /** An API key holding one of these scopes is allowed; none listed = API keys never are. */
  scopes?: readonly ApiKeyScope[];
  /** What else limits it, in words (shown in the README's table). */
  note?: string;
}

const STAFF = STAFF_ROLES;
const PEOPLE_MANAGERS: readonly Role[] = ["ADMIN", "MANAGER", "EMPLOYEE"];
const SESSION_EDIT: Permission = {
  kind: "mutation",
  roles: ["ADMIN"],
  relation: "SESSION_ASSIGNEE",
  scopes: ["sessions:write"],
};
const PUBLIC = (kind: Permission["kind"], note?: string): Permission => ({ kind, public: true, ...(note ? { note } : {}) });
const LEARNER_VISIBILITY =
  "LEARNERs see only PLANNED, CONFIRMED and CANCELED sessions, public ones and private ones that target them, one of their teams or their e-mail (S5)";

/**
 * Who may do what: the one place authorization is decided. Every GraphQL operation must appear
 * here (a test walks the schema), and the README's table is generated from it.
 * AUDITOR reads everything of its organization and changes nothing.
 */
export const AUTHORIZATION = {
  // Identity
  createOrganization: PUBLIC("mutation", "creates a new organization and its first ADMIN"),
  signUp: PUBLIC("mutation", "creates a LEARNER account in the organization named"),
  signIn: PUBLIC("mutation", "rate-limited per e-mail and per IP; never tells whether an e-mail exists"),
  refreshAccessToken: PUBLIC("mutation", "needs a refresh token; a reused one ends its sign-in"),
  acceptInvitation: PUBLIC("mutation", "needs the invitation token sent by e-mail (single use, expires)"),
  me: { kind: "query", roles: "ANY_MEMBER" },
  signOut: { kind: "mutation", roles: "ANY_MEMBER" },
  changePassword: { kind: "mutation", roles: "ANY_MEMBER", note: "own password, needs the current one" },
  // Organization
  organization: { kind: "query", roles: "ANY_MEMBER", scopes: ["sessions:read", "people:read", "events:read"] },
  updateOrganizationSettings: { kind: "mutation", roles: ["ADMIN"] },
  // People
  users: { kind: "query", roles: STAFF, scopes: ["people:read"] },
  user: { kind: "query", roles: STAFF, relation: "SELF", scopes: ["people:read"] },
  createUser: {
    kind: "mutation",
    roles: PEOPLE_MANAGERS,
    scopes: ["people:write"],
    note: "only ADMIN gives roles other than LEARNER",
  },
  inviteUser: {
    kind: "mutation",
    roles: PEOPLE_MANAGERS,
    scopes: ["people:write"],
    note: "only ADMIN gives roles other than LEARNER",
  },
  sendInvitation: { kind: "mutation", roles: PEOPLE_MANAGERS, scopes: ["people:write"], note: "non-ADMINs: LEARNERs only" },
  updateUser: {
    kind: "mutation",
    roles: PEOPLE_MANAGERS,
    relation: "SELF",
    scopes: ["people:write"],
    note: "non-ADMINs: LEARNERs only; a user edits their own name and country, not their membership",
  },
  changeUserRoles: { kind: "mutation", roles: ["ADMIN"], note: "an ADMIN cannot remove their own ADMIN role" },
  deactivateUser: { kind: "mutation", roles: ["ADMIN"], note: "not oneself; the user can no longer sign in, history is kept" },
  reactivateUser: { kind: "mutation", roles: ["ADMIN"] },
  // Teams (learner groups)
  teams: { kind: "query", roles: STAFF, scopes: ["people:read"] },
  team: { kind: "query", roles: STAFF, scopes: ["people:read"] },
  createTeam: { kind: "mutation", roles: PEOPLE_MANAGERS, scopes: ["people:write"] },
  renameTeam: { kind: "mutation", roles: PEOPLE_MANAGERS, scopes: ["people:write"] },
  addTeamMember: { kind: "mutation", roles: PEOPLE_MANAGERS, scopes: ["people:write"] },
  removeTeamMember: { kind: "mutation", roles: PEOPLE_MANAGERS, scopes: ["people:write"] },
  // API keys
  apiKeys: { kind: "query", roles: ["ADMIN", "AUDITOR"] },
  createApiKey: { kind: "mutation", roles: ["ADMIN"], note: "the secret is shown once; only its hash is stored" },
  revokeApiKey: { kind: "mutation", roles: ["ADMIN"] },
  // Sessions
  session: { kind: "query", roles: "ANY_MEMBER", scopes: ["sessions:read"], note: LEARNER_VISIBILITY },
  sessions: { kind: "query", roles: "ANY_MEMBER", scopes: ["sessions:read"], note: LEARNER_VISIBILITY },
  "Session.privateNote": { kind: "field", roles: STAFF, scopes: ["sessions:read"], note: "null for everyone else" },
  "Session.assignee": {
    kind: "field",
    roles: STAFF,
    scopes: ["sessions:read"],
    note: "assignee and assigneeId: null for everyone else, who cannot filter on them either",
  },
  "Session.audience": {
    kind: "field",
    roles: STAFF,
    scopes: ["sessions:read"],
    note: "everyone else sees, of a private audience, only the entries naming them",
  },
  createSession: {
    kind: "mutation",
    roles: ["ADMIN", "MANAGER"],
    scopes: ["sessions:write"],
    note: "a MANAGER who names no assignee becomes it",
  },
  editSessionDetails: SESSION_EDIT,
  setSessionFormat: SESSION_EDIT,
  setSessionAudience: SESSION_EDIT,
  setSessionSchedule: SESSION_EDIT,
  attachSessionDocument: SESSION_EDIT,
  removeSessionDocument: SESSION_EDIT,
  setSessionSurvey: SESSION_EDIT,
  markSessionAsLead: SESSION_EDIT,
  returnSessionToDraft: SESSION_EDIT,
  planSession: { kind: "mutation", roles: ["ADMIN"], note: "validating a session (DRAFT/LEAD → PLANNED) is the ADMIN's" },
  confirmSession: SESSION_EDIT,
  cancelSession: SESSION_EDIT,
  sessionStatusChanged: { kind: "subscription", roles: "ANY_MEMBER", scopes: ["events:read"], note: LEARNER_VISIBILITY },
} as const satisfies Record<string, Permission>;

export type Operation = keyof typeof AUTHORIZATION;

/** What the caller stands in relation to (only what the operation's rule needs). */
export interface Resource {
  sessionAssigneeId?: string | null;
  userId?: string;
}

/** The role-and-scope part of the rule: may this caller call the operation at all? */
export function mayCall(actor: Actor | null, operation: Operation, resource: Resource = {}): boolean {
  const permission: Permission = AUTHORIZATION[operation];
  if (permission.public) return true;
  if (!actor) return false;
  if (actor.kind === "API_KEY") return permission.scopes?.some((scope) => actor.scopes.includes(scope)) ?? false;
  const roles = permission.roles;
  if (roles === "ANY_MEMBER" || roles?.some((role) => actor.roles.includes(role))) return true;
  switch (permission.relation) {
    case "SESSION_ASSIGNEE":
      return resource.sessionAssigneeId != null && resource.sessionAssigneeId === actor.userId;
    case "SELF":
      return resource.userId === actor.userId;
    case undefined:
      return false;
  }
}

/** Throws UNAUTHENTICATED without a caller, FORBIDDEN when the table does not allow it. */
export function authorize(actor: Actor | null, operation: Operation, resource: Resource = {}): void {
  if (mayCall(actor, operation, resource)) return;
  if (!actor) throw new DomainError("UNAUTHENTICATED", "Sign in first: send an access token as `Authorization: Bearer <token>`");
  const permission: Permission = AUTHORIZATION[operation];
  if (actor.kind === "API_KEY") {
    throw new DomainError(
      "FORBIDDEN",
      permission.scopes
        ? `This API key needs one of the scopes ${permission.scopes.join(", ")} for ${operation}`
        : `API keys cannot use ${operation}`,
      { operation },
    );
  }
  throw new DomainError("FORBIDDEN", `You are not allowed to use ${operation}`, { operation });
}

/** Only an ADMIN gives roles other than LEARNER (no one can promote themselves through staff rights). */
export function authorizeRoleGrant(actor: Actor, roles: readonly Role[]): void {
  if (actor.kind === "USER" && actor.roles.includes("ADMIN")) return;
  const privileged = roles.filter((role) => role !== "LEARNER");
  if (privileged.length > 0) {
    throw new DomainError("FORBIDDEN", `Only an ADMIN can give the roles ${privileged.join(", ")}`, { field: "roles" });
  }
}

/** Non-ADMIN people managers manage LEARNERs only. */
export function authorizeManagingUser(actor: Actor, targetRoles: readonly Role[], targetUserId: string): void {
  if (actor.kind === "USER" && (actor.roles.includes("ADMIN") || actor.userId === targetUserId)) return;
  if (targetRoles.some((role) => role !== "LEARNER")) {
    throw new DomainError("FORBIDDEN", "Only an ADMIN can manage staff accounts");
  }
}
