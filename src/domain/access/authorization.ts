import { DomainError } from "../shared/errors.js";
import { ROLES, type Role } from "../users/user.js";
import { type Actor, type ApiKeyScope, STAFF_ROLES } from "./actor.js";

/** A relation between the caller and the thing acted on that grants access without the role. */
export type Relation = "SESSION_ASSIGNEE" | "SESSION_TRAINER" | "SELF";

export interface Permission {
  /** "input": a field of a mutation's input that needs more than the mutation itself. */
  kind: "query" | "mutation" | "subscription" | "field" | "input";
  /** Anyone, signed in or not (sign-in, sign-up…). */
  public?: true;
  /** Roles allowed; "ANY_MEMBER" = every signed-in user of the organization. */
  roles?: readonly Role[] | "ANY_MEMBER";
  /** A user who holds one of these relations to the resource is allowed too. */
  relations?: readonly Relation[];
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
  relations: ["SESSION_ASSIGNEE"],
  scopes: ["sessions:write"],
};
/** Front desk work on a session's people (S8–S10, S6): the ADMIN, EMPLOYEEs, the assignee. */
const PARTICIPANT_MANAGERS: readonly Role[] = ["ADMIN", "EMPLOYEE"];
/** Who can take part in a session: everyone but the AUDITOR, who changes nothing. */
const PARTICIPANTS: readonly Role[] = ROLES.filter((role) => role !== "AUDITOR");
const PUBLIC = (kind: Permission["kind"], note?: string): Permission => ({ kind, public: true, ...(note ? { note } : {}) });
/**
 * A person's details beyond their id and displayName, wherever the person is reached (a root
 * query or a relation): staff, the person themself, directory keys.
 */
const PERSON_DETAILS = { kind: "field", roles: STAFF, relations: ["SELF"], scopes: ["people:read"] } as const satisfies Permission;
const LEARNER_VISIBILITY =
  "LEARNERs see only PLANNED, CONFIRMED and CANCELED sessions, public ones and private ones that target them, one of their teams or their e-mail";

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
  user: { kind: "query", roles: STAFF, relations: ["SELF"], scopes: ["people:read"] },
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
    relations: ["SELF"],
    scopes: ["people:write"],
    note: "non-ADMINs: LEARNERs only; a user edits their own name and country, not their membership",
  },
  changeUserRoles: { kind: "mutation", roles: ["ADMIN"], note: "an ADMIN cannot remove their own ADMIN role" },
  deactivateUser: { kind: "mutation", roles: ["ADMIN"], note: "not oneself; the user can no longer sign in, history is kept" },
  reactivateUser: { kind: "mutation", roles: ["ADMIN"] },
  "User.email": {
    ...PERSON_DETAILS,
    note: "everyone who may see a user (a learner their session's trainer, a `sessions:read` key a participant) sees its id and displayName; the e-mail is null for everyone else",
  },
  "User.roles": { ...PERSON_DETAILS, note: "null for everyone else" },
  "User.status": {
    ...PERSON_DETAILS,
    note: "status, hasPassword, invitationExpiresAt, createdAt and updatedAt (the account's life): null for everyone else",
  },
  "User.country": { ...PERSON_DETAILS, note: "country and isMember (membership): null for everyone else" },
  "User.teams": {
    ...PERSON_DETAILS,
    note: "the teams a person belongs to; FORBIDDEN for everyone else (the list is null, the rest of the answer stays)",
  },
  // Teams (learner groups)
  teams: { kind: "query", roles: STAFF, scopes: ["people:read"] },
  team: { kind: "query", roles: STAFF, scopes: ["people:read"] },
  "Team.members": {
    kind: "field",
    roles: STAFF,
    scopes: ["people:read"],
    note: "FORBIDDEN for everyone else, a learner reading their own team included (the list is null; memberCount stays)",
  },
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
    note: "everyone else sees, of a private audience, only the entries naming them; its invited e-mails need `User.email` too (an API key: `people:read`)",
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
  // Registrations and attendance (S4, S6, S8–S10)
  registerForSession: {
    kind: "mutation",
    roles: PARTICIPANTS,
    scopes: ["sessions:write"],
    note: "registers the caller; naming someone else (`userId`, required for API keys) needs `RegisterForSessionInput.userId`",
  },
  "RegisterForSessionInput.userId": {
    kind: "input",
    roles: PARTICIPANT_MANAGERS,
    relations: ["SESSION_ASSIGNEE"],
    scopes: ["sessions:write"],
    note: "registering another person, who must still be in the session's audience and countries",
  },
  signUpAndRegister: PUBLIC("mutation", "public session link: creates a LEARNER account, registers it and signs in"),
  cancelRegistration: {
    kind: "mutation",
    roles: PARTICIPANT_MANAGERS,
    relations: ["SELF", "SESSION_ASSIGNEE"],
    scopes: ["sessions:write"],
    note: "participants cancel their own until the session starts; the first waiting person takes the seat",
  },
  markAttendance: {
    kind: "mutation",
    roles: PARTICIPANT_MANAGERS,
    relations: ["SESSION_ASSIGNEE", "SESSION_TRAINER"],
    scopes: ["sessions:write"],
    note: "from the session's start on",
  },
  confirmAttendance: {
    kind: "mutation",
    roles: PARTICIPANTS,
    note: "needs the session's signed attendance link, opened by a registered participant while it is valid (S6)",
  },
  registration: { kind: "query", roles: STAFF, relations: ["SELF"], scopes: ["sessions:read"] },
  mySessions: { kind: "query", roles: "ANY_MEMBER", note: "the caller's own registrations" },
  "Session.participants": {
    kind: "field",
    roles: STAFF,
    scopes: ["sessions:read"],
    note: "participants and waitlist; FORBIDDEN for everyone else (the field is null, the rest of the answer stays), who see the counts and their own registration",
  },
  "Session.attendanceLink": {
    kind: "field",
    roles: [...PARTICIPANT_MANAGERS, "AUDITOR"],
    relations: ["SESSION_ASSIGNEE", "SESSION_TRAINER"],
    scopes: ["sessions:write"],
    note: "the link and QR code to show in the room; null for everyone else",
  },
  // History for auditors (N3)
  eventHistory: { kind: "query", roles: ["ADMIN", "AUDITOR"], scopes: ["events:read"], note: "secrets in events are redacted" },
  "AuditEvent.personalData": {
    kind: "field",
    roles: STAFF,
    scopes: ["people:read"],
    note: "people's e-mails, roles, country and membership in events' data (eventHistory, events): `[redacted]` for everyone else, e.g. a key with only `events:read`",
  },
  sessionAsOf: { kind: "query", roles: ["ADMIN", "AUDITOR"], scopes: ["events:read"] },
  verifyEventHistory: { kind: "query", roles: ["ADMIN", "AUDITOR"], scopes: ["events:read"] },
  events: {
    kind: "subscription",
    roles: ["ADMIN", "AUDITOR"],
    scopes: ["events:read"],
    note: "Replays from a position, then live; secrets in events are redacted",
  },
  webhooks: { kind: "query", roles: ["ADMIN", "AUDITOR"], scopes: ["webhooks:manage"] },
  webhook: { kind: "query", roles: ["ADMIN", "AUDITOR"], scopes: ["webhooks:manage"], note: "with its deliveries" },
  webhookEventTypes: { kind: "query", roles: ["ADMIN", "AUDITOR"], scopes: ["webhooks:manage"] },
  registerWebhook: {
    kind: "mutation",
    roles: ["ADMIN"],
    scopes: ["webhooks:manage"],
    note: "the signing secret is shown once",
  },
  updateWebhook: { kind: "mutation", roles: ["ADMIN"], scopes: ["webhooks:manage"] },
  rotateWebhookSecret: { kind: "mutation", roles: ["ADMIN"], scopes: ["webhooks:manage"], note: "the new secret is shown once" },
  deleteWebhook: { kind: "mutation", roles: ["ADMIN"], scopes: ["webhooks:manage"] },
  replayWebhook: { kind: "mutation", roles: ["ADMIN"], scopes: ["webhooks:manage"] },
  registrationChanged: {
    kind: "subscription",
    roles: "ANY_MEMBER",
    scopes: ["events:read"],
    note: "staff and API keys receive every registration of the session, everyone else only their own",
  },
} as const satisfies Record<string, Permission>;

export type Operation = keyof typeof AUTHORIZATION;

/** What the caller stands in relation to (only what the operation's rule needs). */
export interface Resource {
  sessionAssigneeId?: string | null;
  /** The session's trainer and host. */
  sessionTrainerIds?: readonly string[];
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
  return (permission.relations ?? []).some((relation) => holds(actor.userId, relation, resource));
}

function holds(userId: string, relation: Relation, resource: Resource): boolean {
  switch (relation) {
    case "SESSION_ASSIGNEE":
      return resource.sessionAssigneeId != null && resource.sessionAssigneeId === userId;
    case "SESSION_TRAINER":
      return resource.sessionTrainerIds?.includes(userId) ?? false;
    case "SELF":
      return resource.userId === userId;
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
