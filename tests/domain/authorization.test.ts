/**
 * Authorization is one table (AUTHORIZATION). This file proves that `mayCall`
 * and `authorize` do exactly what each entry says for every operation × every single role,
 * every API-key scope, relations (session assignee, self) and no caller at all; that the table
 * holds the project's access rules (§0 roles: only ADMIN validates and changes settings, AUDITOR reads
 * everything and changes nothing…); the role-grant and staff-management guards; and S5 session
 * visibility (`canSeeSession`) for staff, API keys and learners.
 */
import { describe, expect, it } from "vitest";
import { type Actor, API_KEY_SCOPES, type ApiKeyScope, STAFF_ROLES } from "../../src/domain/access/actor.js";
import {
  AUTHORIZATION,
  authorize,
  authorizeManagingUser,
  authorizeRoleGrant,
  mayCall,
  type Operation,
  type Relation,
  type Permission,
  type Resource,
} from "../../src/domain/access/authorization.js";
import { canSeeSession } from "../../src/domain/access/session-visibility.js";
import { type Session, sessionDecider } from "../../src/domain/sessions/decider.js";
import { sessionAudienceSchema, type SessionAudience, type SessionStatus } from "../../src/domain/sessions/values.js";
import { DomainError } from "../../src/domain/shared/errors.js";
import { ROLES, type Role } from "../../src/domain/users/user.js";
import { fold } from "../support/given-when-then.js";
import { ORG_ID, created } from "./session-fixtures.js";

const OPERATIONS = Object.keys(AUTHORIZATION) as Operation[];
const permissionOf = (operation: Operation): Permission => AUTHORIZATION[operation];
const isPublic = (operation: Operation) => permissionOf(operation).public === true;

const ME = "user-me";
const user = (roles: readonly Role[], overrides: Partial<Extract<Actor, { kind: "USER" }>> = {}): Actor => ({
  kind: "USER",
  userId: ME,
  organizationId: ORG_ID,
  email: "me@example.com",
  roles,
  teamIds: [],
  ...overrides,
});
const apiKey = (scopes: readonly ApiKeyScope[], organizationId = ORG_ID): Actor => ({
  kind: "API_KEY",
  apiKeyId: "key-1",
  organizationId,
  scopes,
});

/** What the entry says about a user holding exactly this one role (no relation). */
function entryAllowsRole(operation: Operation, role: Role): boolean {
  const permission = permissionOf(operation);
  if (permission.public) return true;
  if (permission.roles === "ANY_MEMBER") return true;
  return (permission.roles ?? []).includes(role);
}

/** What the entry says about an API key holding exactly this one scope. */
function entryAllowsScope(operation: Operation, scope: ApiKeyScope): boolean {
  const permission = permissionOf(operation);
  return permission.public === true || (permission.scopes ?? []).includes(scope);
}

function thrown(run: () => void): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error("expected a DomainError, nothing was thrown");
}

// =============================================================================================
describe("the AUTHORIZATION table, entry by entry", () => {
  it("lists every operation once with a known kind", () => {
    expect(OPERATIONS.length).toBeGreaterThan(30);
    for (const operation of OPERATIONS) {
      expect(["query", "mutation", "subscription", "field", "input"], operation).toContain(permissionOf(operation).kind);
      const permission = permissionOf(operation);
      // Either public, or it names who may: a non-public entry without roles would lock everyone out.
      expect(permission.public === true || permission.roles !== undefined, `${operation} names who may call it`).toBe(true);
    }
  });

  it.each(OPERATIONS)("%s: mayCall agrees with the entry for every single role", (operation) => {
    for (const role of ROLES) {
      expect(mayCall(user([role]), operation), `${operation} as ${role}`).toBe(entryAllowsRole(operation, role));
    }
  });

  it.each(OPERATIONS)("%s: mayCall agrees with the entry for every single API-key scope", (operation) => {
    for (const scope of API_KEY_SCOPES) {
      expect(mayCall(apiKey([scope]), operation), `${operation} with scope ${scope}`).toBe(entryAllowsScope(operation, scope));
    }
    expect(mayCall(apiKey([]), operation), `${operation} with a key without scopes`).toBe(isPublic(operation));
    expect(mayCall(apiKey(API_KEY_SCOPES), operation), `${operation} with every scope`).toBe(
      isPublic(operation) || (permissionOf(operation).scopes ?? []).length > 0,
    );
  });

  it.each(OPERATIONS)("%s: a user with several roles gets the union of them", (operation) => {
    for (const a of ROLES) {
      for (const b of ROLES) {
        expect(mayCall(user([a, b]), operation), `${operation} as ${a}+${b}`).toBe(
          entryAllowsRole(operation, a) || entryAllowsRole(operation, b),
        );
      }
    }
  });
});

// =============================================================================================
describe("relations: the session's assignee and the user themselves", () => {
  const withRelation = (relation: Relation) => OPERATIONS.filter((op) => permissionOf(op).relations?.includes(relation));
  const names = (operation: Operation, relation: Relation) => permissionOf(operation).relations?.includes(relation) ?? false;
  /** Roles the entry does not allow, so that only the relation can grant. */
  const outsiders = (operation: Operation) => ROLES.filter((role) => !entryAllowsRole(operation, role));

  it("the session-edit operations are granted to the assignee; planSession is not (only ADMIN validates, S3)", () => {
    expect(withRelation("SESSION_ASSIGNEE").sort()).toEqual(
      [
        "attachSessionDocument",
        "cancelSession",
        "confirmSession",
        "editSessionDetails",
        "markSessionAsLead",
        "removeSessionDocument",
        "returnSessionToDraft",
        "setSessionAudience",
        "setSessionFormat",
        "setSessionSchedule",
        "setSessionSurvey",
        // S8–S10, S6: the assignee manages the session's people
        "RegisterForSessionInput.userId",
        "cancelRegistration",
        "markAttendance",
        "Session.attendanceLink",
      ].sort(),
    );
    // A person sees their own private fields wherever their user object is reached.
    expect(withRelation("SELF").sort()).toEqual([
      "User.country",
      "User.email",
      "User.roles",
      "User.status",
      "User.teams",
      "cancelRegistration",
      "registration",
      "updateUser",
      "user",
    ]);
    expect(withRelation("SESSION_TRAINER").sort()).toEqual(["Session.attendanceLink", "markAttendance"]);
  });

  it.each(withRelation("SESSION_TRAINER"))("%s: SESSION_TRAINER grants only to the session's trainer or host", (operation) => {
    expect(outsiders(operation).length).toBeGreaterThan(0);
    for (const role of outsiders(operation)) {
      const actor = user([role]);
      const cases: Array<[Resource, boolean]> = [
        [{ sessionTrainerIds: ["someone-else", ME] }, true],
        [{ sessionTrainerIds: ["someone-else"] }, false],
        [{ sessionTrainerIds: [] }, false],
        [{}, false],
        [{ userId: ME }, names(operation, "SELF")],
      ];
      for (const [resource, expected] of cases) {
        expect(mayCall(actor, operation, resource), `${operation} as ${role} on ${JSON.stringify(resource)}`).toBe(expected);
      }
    }
  });

  it.each(withRelation("SESSION_ASSIGNEE"))("%s: SESSION_ASSIGNEE grants only with the matching assignee", (operation) => {
    expect(outsiders(operation).length).toBeGreaterThan(0);
    for (const role of outsiders(operation)) {
      const actor = user([role]);
      const cases: Array<[Resource, boolean]> = [
        [{ sessionAssigneeId: ME }, true],
        [{ sessionAssigneeId: "someone-else" }, false],
        [{ sessionAssigneeId: null }, false],
        [{}, false],
        [{ userId: ME }, names(operation, "SELF")], // SELF stands in for the assignee only where named
      ];
      for (const [resource, expected] of cases) {
        expect(mayCall(actor, operation, resource), `${operation} as ${role} on ${JSON.stringify(resource)}`).toBe(expected);
      }
      expect(() => authorize(actor, operation, { sessionAssigneeId: ME })).not.toThrow();
      expect(thrown(() => authorize(actor, operation, { sessionAssigneeId: "someone-else" })).code).toBe("FORBIDDEN");
    }
  });

  it.each(withRelation("SELF"))("%s: SELF grants only on the user themselves", (operation) => {
    expect(outsiders(operation).length).toBeGreaterThan(0);
    for (const role of outsiders(operation)) {
      const actor = user([role]);
      const cases: Array<[Resource, boolean]> = [
        [{ userId: ME }, true],
        [{ userId: "someone-else" }, false],
        [{}, false],
        [{ sessionAssigneeId: ME }, names(operation, "SESSION_ASSIGNEE")],
      ];
      for (const [resource, expected] of cases) {
        expect(mayCall(actor, operation, resource), `${operation} as ${role} on ${JSON.stringify(resource)}`).toBe(expected);
      }
    }
  });

  it.each(OPERATIONS.filter((op) => !isPublic(op)))(
    "%s: a relation the entry does not name grants nothing (nor does any relation to an API key)",
    (operation) => {
      const everything: Resource = { sessionAssigneeId: ME, sessionTrainerIds: [ME], userId: ME };
      for (const role of ROLES.filter((r) => !entryAllowsRole(operation, r))) {
        const resource: Resource = {
          ...(names(operation, "SESSION_ASSIGNEE") ? {} : { sessionAssigneeId: ME }),
          ...(names(operation, "SESSION_TRAINER") ? {} : { sessionTrainerIds: [ME] }),
          ...(names(operation, "SELF") ? {} : { userId: ME }),
        };
        expect(mayCall(user([role]), operation, resource), `${operation} as ${role}`).toBe(false);
      }
      for (const scope of API_KEY_SCOPES) {
        expect(mayCall(apiKey([scope]), operation, everything)).toBe(entryAllowsScope(operation, scope));
      }
    },
  );
});

// =============================================================================================
describe("no caller, wrong caller", () => {
  it("exactly the sign-up / sign-in operations are public", () => {
    expect(OPERATIONS.filter(isPublic).sort()).toEqual(
      ["acceptInvitation", "createOrganization", "refreshAccessToken", "signIn", "signUp", "signUpAndRegister"].sort(),
    );
  });

  it.each(OPERATIONS.filter(isPublic))("%s is open to a caller without a token", (operation) => {
    expect(mayCall(null, operation)).toBe(true);
    expect(() => authorize(null, operation)).not.toThrow();
  });

  it.each(OPERATIONS.filter((op) => !isPublic(op)))("%s refuses a caller without a token (UNAUTHENTICATED)", (operation) => {
    expect(mayCall(null, operation)).toBe(false);
    expect(mayCall(null, operation, { sessionAssigneeId: ME, userId: ME })).toBe(false);
    expect(thrown(() => authorize(null, operation)).code).toBe("UNAUTHENTICATED");
  });

  it.each(OPERATIONS.filter((op) => !isPublic(op)))("%s refuses every role it does not list with FORBIDDEN naming it", (operation) => {
    for (const role of ROLES) {
      const actor = user([role]);
      if (entryAllowsRole(operation, role)) {
        expect(() => authorize(actor, operation), `${operation} as ${role}`).not.toThrow();
        continue;
      }
      const error = thrown(() => authorize(actor, operation));
      expect(error.code, `${operation} as ${role}`).toBe("FORBIDDEN");
      expect(error.message).toContain(operation);
      expect(error.details).toEqual({ operation });
    }
  });

  it.each(OPERATIONS.filter((op) => !isPublic(op)))("%s refuses an API key without a listed scope with FORBIDDEN naming it", (operation) => {
    for (const scope of API_KEY_SCOPES) {
      if (entryAllowsScope(operation, scope)) {
        expect(() => authorize(apiKey([scope]), operation)).not.toThrow();
        continue;
      }
      const error = thrown(() => authorize(apiKey([scope]), operation));
      expect(error.code).toBe("FORBIDDEN");
      expect(error.message).toContain(operation);
      expect(error.details).toEqual({ operation });
    }
  });
});

// =============================================================================================
describe("the access rules (§0 roles), written out by hand", () => {
  const writes = ["mutation", "input"];
  const mutations = OPERATIONS.filter((op) => writes.includes(permissionOf(op).kind) && !isPublic(op));
  const reads = OPERATIONS.filter((op) => !writes.includes(permissionOf(op).kind) && !isPublic(op));

  it("AUDITOR changes nothing: the only mutations it may call are signing out and its own password", () => {
    const auditorMutations = mutations.filter((op) => mayCall(user(["AUDITOR"]), op));
    expect(auditorMutations).toEqual(["signOut", "changePassword"]);
    const anyMemberMutations = mutations.filter((op) => permissionOf(op).roles === "ANY_MEMBER");
    expect(anyMemberMutations).toEqual(["signOut", "changePassword"]);
  });

  it("AUDITOR reads everything of its organization (every query, field and subscription)", () => {
    for (const operation of reads) expect(mayCall(user(["AUDITOR"]), operation), operation).toBe(true);
  });

  it("only ADMIN validates sessions, changes settings, roles, activation and API keys", () => {
    for (const operation of [
      "planSession",
      "updateOrganizationSettings",
      "changeUserRoles",
      "deactivateUser",
      "reactivateUser",
      "createApiKey",
      "revokeApiKey",
    ] as const) {
      const allowed = ROLES.filter((role) => mayCall(user([role]), operation, { sessionAssigneeId: ME, userId: ME }));
      expect(allowed, operation).toEqual(["ADMIN"]);
      expect(mayCall(apiKey(API_KEY_SCOPES), operation), `${operation} with an API key`).toBe(false);
    }
  });

  it("ADMIN may call every operation", () => {
    for (const operation of OPERATIONS) expect(mayCall(user(["ADMIN"]), operation), operation).toBe(true);
  });

  it("a MANAGER edits a session only as its assignee", () => {
    expect(mayCall(user(["MANAGER"]), "editSessionDetails", { sessionAssigneeId: "other" })).toBe(false);
    expect(mayCall(user(["MANAGER"]), "editSessionDetails", { sessionAssigneeId: ME })).toBe(true);
    expect(mayCall(user(["MANAGER"]), "planSession", { sessionAssigneeId: ME })).toBe(false);
    expect(mayCall(user(["MANAGER"]), "createSession")).toBe(true);
  });

  it("a LEARNER reads sessions and itself but no private note, assignee, people, teams or keys", () => {
    const learner = user(["LEARNER"]);
    for (const operation of ["me", "session", "sessions", "sessionStatusChanged", "organization", "signOut", "changePassword"] as const) {
      expect(mayCall(learner, operation), operation).toBe(true);
    }
    for (const operation of ["Session.privateNote", "Session.assignee", "users", "teams", "team", "apiKeys", "createSession"] as const) {
      expect(mayCall(learner, operation), operation).toBe(false);
    }
    expect(mayCall(learner, "user", { userId: ME })).toBe(true);
    expect(mayCall(learner, "user", { userId: "other" })).toBe(false);
  });

  it("API keys never act as a person (me, sign out, own password) nor manage keys", () => {
    for (const operation of ["me", "signOut", "changePassword", "apiKeys", "createApiKey", "revokeApiKey"] as const) {
      expect(mayCall(apiKey(API_KEY_SCOPES), operation), operation).toBe(false);
      expect(thrown(() => authorize(apiKey(API_KEY_SCOPES), operation)).message).toMatch(/API keys cannot use/);
    }
  });

  it("an API key's refusal names the scopes it needs", () => {
    const error = thrown(() => authorize(apiKey(["events:read"]), "createSession"));
    expect(error.message).toMatch(/sessions:write/);
    expect(error.message).toContain("createSession");
  });
});

// =============================================================================================
describe("authorizeRoleGrant: only an ADMIN gives roles other than LEARNER", () => {
  const nonLearnerRoles = ROLES.filter((role) => role !== "LEARNER");

  it("an ADMIN gives any roles", () => {
    expect(() => authorizeRoleGrant(user(["ADMIN"]), ROLES)).not.toThrow();
  });

  it.each(STAFF_ROLES.filter((role) => role !== "ADMIN"))("a %s gives LEARNER only", (role) => {
    expect(() => authorizeRoleGrant(user([role]), ["LEARNER"])).not.toThrow();
    expect(() => authorizeRoleGrant(user([role]), ["LEARNER", "LEARNER"])).not.toThrow();
    for (const granted of nonLearnerRoles) {
      const error = thrown(() => authorizeRoleGrant(user([role]), ["LEARNER", granted]));
      expect(error.code).toBe("FORBIDDEN");
      expect(error.details).toEqual({ field: "roles" });
      expect(error.message).toContain(granted);
      expect(error.message).not.toContain("LEARNER");
    }
  });

  it("an API key gives LEARNER only", () => {
    expect(() => authorizeRoleGrant(apiKey(["people:write"]), ["LEARNER"])).not.toThrow();
    expect(thrown(() => authorizeRoleGrant(apiKey(["people:write"]), ["ADMIN"])).code).toBe("FORBIDDEN");
  });
});

describe("authorizeManagingUser: non-ADMIN people managers manage LEARNERs only", () => {
  it("an ADMIN manages anyone", () => {
    expect(() => authorizeManagingUser(user(["ADMIN"]), ["ADMIN", "TRAINER"], "other")).not.toThrow();
  });

  it.each(["MANAGER", "EMPLOYEE"] as const)("a %s manages a LEARNER but no staff account", (role) => {
    expect(() => authorizeManagingUser(user([role]), ["LEARNER"], "other")).not.toThrow();
    for (const target of STAFF_ROLES) {
      expect(thrown(() => authorizeManagingUser(user([role]), [target], "other")).code, target).toBe("FORBIDDEN");
      expect(thrown(() => authorizeManagingUser(user([role]), ["LEARNER", target], "other")).code, target).toBe("FORBIDDEN");
    }
  });

  it("anyone manages themselves (the table decides which operations)", () => {
    expect(() => authorizeManagingUser(user(["MANAGER"]), ["MANAGER"], ME)).not.toThrow();
    expect(() => authorizeManagingUser(user(["TRAINER"]), ["TRAINER"], ME)).not.toThrow();
  });

  it("an API key manages LEARNERs only", () => {
    expect(() => authorizeManagingUser(apiKey(["people:write"]), ["LEARNER"], "other")).not.toThrow();
    expect(thrown(() => authorizeManagingUser(apiKey(["people:write"]), ["HOST"], "other")).code).toBe("FORBIDDEN");
  });
});

// =============================================================================================
describe("S5 canSeeSession", () => {
  const STATUSES: SessionStatus[] = ["DRAFT", "LEAD", "PLANNED", "CONFIRMED", "CANCELED"];
  const LEARNER_VISIBLE: SessionStatus[] = ["PLANNED", "CONFIRMED", "CANCELED"];
  const base: Session = (() => {
    const state = fold(sessionDecider, [created()]);
    if (state.kind !== "Existing") throw new Error("no session");
    return state.session;
  })();
  const privateAudience = (targets: { teams?: string[]; users?: string[]; emails?: string[] } = {}): SessionAudience =>
    sessionAudienceSchema.parse({
      mode: "PRIVATE",
      targetTeamIds: targets.teams ?? [],
      targetUserIds: targets.users ?? [],
      invitedEmails: targets.emails ?? [],
    });
  const session = (status: SessionStatus, audience: SessionAudience | null, organizationId = ORG_ID, mode = audience?.mode): Session => ({
    ...base,
    organizationId,
    status,
    mode: mode ?? "PUBLIC",
    audience,
  });
  const PUBLIC: SessionAudience = { mode: "PUBLIC", minParticipants: 1, maxParticipants: 10, waitlistEnabled: true };
  const learner = (overrides: Partial<Extract<Actor, { kind: "USER" }>> = {}) =>
    user(["LEARNER"], { email: "Ada.Lovelace@Example.COM", teamIds: ["team-a"], ...overrides });

  const audiences: Array<[string, SessionAudience | null, "PUBLIC" | "PRIVATE"]> = [
    ["public", PUBLIC, "PUBLIC"],
    ["public, audience not set yet", null, "PUBLIC"],
    ["private without targets", privateAudience(), "PRIVATE"],
    ["private for others", privateAudience({ teams: ["team-x"], users: ["other"], emails: ["eve@example.com"] }), "PRIVATE"],
    ["private, audience not set yet", null, "PRIVATE"],
  ];

  it.each(STAFF_ROLES)("a %s sees every session of its organization in every status", (role) => {
    for (const status of STATUSES) {
      for (const [label, audience, mode] of audiences) {
        expect(canSeeSession(user([role]), session(status, audience, ORG_ID, mode)), `${status} ${label}`).toBe(true);
        expect(canSeeSession(user([role, "LEARNER"]), session(status, audience, ORG_ID, mode)), `${status} ${label}`).toBe(true);
      }
    }
  });

  it("an API key sees every session of its organization, whatever its scopes", () => {
    for (const status of STATUSES) {
      for (const [label, audience, mode] of audiences) {
        expect(canSeeSession(apiKey(["events:read"]), session(status, audience, ORG_ID, mode)), `${status} ${label}`).toBe(true);
      }
    }
  });

  it("nobody sees another organization's session (§0)", () => {
    const targeted = privateAudience({ users: [ME], teams: ["team-a"], emails: ["ada.lovelace@example.com"] });
    for (const status of STATUSES) {
      for (const audience of [PUBLIC, targeted]) {
        const theirs = session(status, audience, "org-2");
        expect(canSeeSession(user(["ADMIN"]), theirs)).toBe(false);
        expect(canSeeSession(user(["AUDITOR"]), theirs)).toBe(false);
        expect(canSeeSession(apiKey(API_KEY_SCOPES), theirs)).toBe(false);
        expect(canSeeSession(learner(), theirs)).toBe(false);
      }
    }
  });

  it("a learner sees public sessions only once PLANNED, CONFIRMED or CANCELED (never DRAFT or LEAD, S3)", () => {
    for (const status of STATUSES) {
      expect(canSeeSession(learner(), session(status, PUBLIC)), status).toBe(LEARNER_VISIBLE.includes(status));
    }
  });

  it.each([
    ["its user id", privateAudience({ users: ["other", ME] })],
    ["one of its teams", privateAudience({ teams: ["team-x", "team-a"] })],
    ["its e-mail, compared case-insensitively", privateAudience({ emails: ["ADA.LOVELACE@example.com"] })],
  ])("a learner sees a private session targeting %s, in the visible statuses only", (_target, audience) => {
    for (const status of STATUSES) {
      expect(canSeeSession(learner(), session(status, audience)), status).toBe(LEARNER_VISIBLE.includes(status));
    }
  });

  it("a learner does not see a private session without targets, or targeting others, in any status", () => {
    for (const status of STATUSES) {
      for (const [label, audience, mode] of audiences.filter(([, , mode]) => mode === "PRIVATE")) {
        expect(canSeeSession(learner(), session(status, audience, ORG_ID, mode)), `${status} ${label}`).toBe(false);
      }
    }
  });

  it("a learner in no team is not matched by an empty team list", () => {
    const audience = privateAudience({ teams: ["team-a"] });
    expect(canSeeSession(learner({ teamIds: [] }), session("PLANNED", audience))).toBe(false);
    expect(canSeeSession(learner({ teamIds: ["team-a"] }), session("PLANNED", audience))).toBe(true);
  });
});
