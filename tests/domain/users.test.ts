/**
 * The user decider (§0 people): registration and its validation, invitations (single use,
 * expiring, a newer one replaces an older one), passwords, profile and role changes,
 * deactivation, and the status a user is in after each of them. Tenancy: a user of another
 * organization is NOT_FOUND for every command.
 */
import { describe, expect, it } from "vitest";
import { type RegisterUser, type User, type UserCommand, userDecider, userStatus } from "../../src/domain/users/decider.js";
import type { UserEvent, UserRegistered } from "../../src/domain/users/events.js";
import type { Role } from "../../src/domain/users/user.js";
import type { CommandContext } from "../../src/domain/shared/decider.js";
import { fold, spec } from "../support/given-when-then.js";
import { ACTOR_ID, NOW_ISO, ORG_ID, context, unchecked } from "./session-fixtures.js";

const USER_ID = "user-42";
const ADMIN_ID = ACTOR_ID; // the actor of context(): another person than USER_ID
const given = (events: UserEvent[]) => spec(userDecider).given(events);

function register(overrides: Partial<RegisterUser> = {}): RegisterUser {
  return {
    type: "RegisterUser",
    userId: USER_ID,
    context: context(),
    email: "ada@example.com",
    displayName: "Ada Lovelace",
    roles: ["LEARNER"],
    country: "BE",
    isMember: false,
    passwordHash: "scrypt$hash",
    source: "ADDED_BY_STAFF",
    ...overrides,
  };
}

function registered(overrides: Partial<UserRegistered["data"]> = {}): UserRegistered {
  return {
    type: "UserRegistered",
    data: {
      userId: USER_ID,
      organizationId: ORG_ID,
      email: "ada@example.com",
      displayName: "Ada Lovelace",
      roles: ["LEARNER"],
      country: "BE",
      isMember: false,
      passwordHash: "scrypt$hash",
      source: "ADDED_BY_STAFF",
      registeredBy: ADMIN_ID,
      registeredAt: "2026-11-01T08:00:00.000Z",
      ...overrides,
    },
  };
}

/** A user created without a password (waiting for an invitation). */
const passwordless = (overrides: Partial<UserRegistered["data"]> = {}) =>
  registered({ passwordHash: null, source: "INVITED", ...overrides });

const invited = (invitationId = "inv-1", expiresAt = "2026-11-28T10:00:00.000Z"): UserEvent => ({
  type: "UserInvited",
  data: { userId: USER_ID, invitationId, expiresAt, invitedBy: ADMIN_ID, invitedAt: "2026-11-20T10:00:00.000Z" },
});
const accepted = (invitationId = "inv-1"): UserEvent => ({
  type: "UserInvitationAccepted",
  data: { userId: USER_ID, invitationId, passwordHash: "scrypt$chosen", acceptedAt: "2026-11-20T11:00:00.000Z" },
});
const deactivated = (): UserEvent => ({
  type: "UserDeactivated",
  data: { userId: USER_ID, reason: null, deactivatedBy: ADMIN_ID, deactivatedAt: "2026-11-20T12:00:00.000Z" },
});
const reactivated = (): UserEvent => ({
  type: "UserReactivated",
  data: { userId: USER_ID, reactivatedBy: ADMIN_ID, reactivatedAt: "2026-11-20T13:00:00.000Z" },
});
const rolesChanged = (roles: Role[], previousRoles: Role[]): UserEvent => ({
  type: "UserRolesChanged",
  data: { userId: USER_ID, roles, previousRoles, changedBy: ADMIN_ID, changedAt: "2026-11-20T14:00:00.000Z" },
});

const base = (ctx: CommandContext = context()) => ({ userId: USER_ID, context: ctx });
const invite = (invitationId = "inv-1", expiresAt = new Date("2026-11-28T10:00:00Z"), ctx?: CommandContext): UserCommand => ({
  type: "InviteUser",
  ...base(ctx),
  invitationId,
  expiresAt,
});
const accept = (invitationId = "inv-1", now = new Date(NOW_ISO)): UserCommand => ({
  type: "AcceptInvitation",
  ...base(context({ actorId: USER_ID, now })),
  invitationId,
  passwordHash: "scrypt$chosen",
});
const update = (changes: unknown, ctx?: CommandContext): UserCommand => ({ type: "UpdateUser", ...base(ctx), changes });
const changeRoles = (roles: unknown, ctx?: CommandContext): UserCommand => ({ type: "ChangeUserRoles", ...base(ctx), roles });
const deactivate = (ctx?: CommandContext, reason: string | null = "Left the company"): UserCommand => ({
  type: "DeactivateUser",
  ...base(ctx),
  reason,
});
const reactivate = (ctx?: CommandContext): UserCommand => ({ type: "ReactivateUser", ...base(ctx) });
const changePassword = (ctx?: CommandContext): UserCommand => ({ type: "ChangePassword", ...base(ctx), passwordHash: "scrypt$new" });

function userAfter(events: UserEvent[]): User {
  const state = fold(userDecider, events);
  if (state.kind !== "Existing") throw new Error("no user after these events");
  return state.user;
}

const OTHER_ORG = context({ organizationId: "org-2" });

// =============================================================================================
describe("RegisterUser (§0 people)", () => {
  it("registers the user in the actor's organization, e-mail trimmed and lower-cased", () => {
    given([])
      .when(register({ email: "  Ada.Lovelace@Example.COM ", displayName: "  Ada Lovelace  " }))
      .then([
        {
          type: "UserRegistered",
          data: {
            userId: USER_ID,
            organizationId: ORG_ID,
            email: "ada.lovelace@example.com",
            displayName: "Ada Lovelace",
            roles: ["LEARNER"],
            country: "BE",
            isMember: false,
            passwordHash: "scrypt$hash",
            source: "ADDED_BY_STAFF",
            registeredBy: ADMIN_ID,
            registeredAt: NOW_ISO,
          },
        },
      ]);
  });

  it("keeps several roles and drops duplicates", () => {
    const [event] = given([])
      .when(register({ roles: ["TRAINER", "LEARNER", "TRAINER", "HOST", "LEARNER"] }))
      .then([expect.objectContaining({ type: "UserRegistered" }) as UserEvent]);
    expect((event as UserRegistered).data.roles).toEqual(["TRAINER", "LEARNER", "HOST"]);
  });

  it("accepts no country and a member", () => {
    const [event] = given([])
      .when(register({ country: null, isMember: true }))
      .then([expect.objectContaining({ type: "UserRegistered" }) as UserEvent]);
    expect((event as UserRegistered).data).toMatchObject({ country: null, isMember: true });
  });

  it.each([
    ["email", { email: "not-an-email" }],
    ["email", { email: "" }],
    ["displayName", { displayName: "" }],
    ["displayName", { displayName: "    " }],
    ["displayName", { displayName: "x".repeat(201) }],
    ["roles", { roles: [] }],
    ["roles.0", { roles: unchecked<Role[]>(["KING"]) }],
    ["roles.1", { roles: unchecked<Role[]>(["LEARNER", "learner"]) }],
    ["country", { country: "XX" }],
    ["country", { country: "Belgium" }],
  ] as const)("refuses an invalid %s: %j", (field, overrides) => {
    given([])
      .when(register(overrides as Partial<RegisterUser>))
      .thenThrows("VALIDATION", new RegExp(`^${field.replace(".", "\\.")}: `), { field });
  });

  it("is idempotent: registering the same user again in the same organization records nothing", () => {
    given([registered()]).when(register()).thenNothing();
    given([registered()]).when(register({ displayName: "Someone else" })).thenNothing();
  });

  it("refuses a user id that exists in another organization (ALREADY_EXISTS, §0 tenancy)", () => {
    given([registered()]).when(register({ context: OTHER_ORG })).thenThrows("ALREADY_EXISTS");
  });
});

// =============================================================================================
describe("userStatus", () => {
  it("is ACTIVE for a user registered with a password", () => {
    expect(userStatus(userAfter([registered()]))).toBe("ACTIVE");
  });

  it("is ACTIVE for a user without a password who was never invited (e.g. an external identity)", () => {
    expect(userStatus(userAfter([registered({ passwordHash: null, source: "EXTERNAL_IDENTITY" })]))).toBe("ACTIVE");
  });

  it("is INVITED while an invitation waits and no password is set", () => {
    expect(userStatus(userAfter([passwordless(), invited()]))).toBe("INVITED");
    expect(userStatus(userAfter([passwordless(), invited("inv-1"), invited("inv-2")]))).toBe("INVITED");
  });

  it("is ACTIVE once the invitation is accepted", () => {
    const user = userAfter([passwordless(), invited(), accepted()]);
    expect(userStatus(user)).toBe("ACTIVE");
    expect(user).toMatchObject({ hasPassword: true, pendingInvitation: null, acceptedInvitationIds: ["inv-1"] });
  });

  it("is ACTIVE once a password is set another way while invited", () => {
    const changed: UserEvent = {
      type: "UserPasswordChanged",
      data: { userId: USER_ID, passwordHash: "p", changedBy: USER_ID, changedAt: NOW_ISO },
    };
    const user = userAfter([passwordless(), invited(), changed]);
    expect(userStatus(user)).toBe("ACTIVE");
    expect(user.pendingInvitation).toBeNull();
  });

  it("is DEACTIVATED after deactivation, whatever else, and back after reactivation", () => {
    expect(userStatus(userAfter([registered(), deactivated()]))).toBe("DEACTIVATED");
    expect(userStatus(userAfter([passwordless(), invited(), deactivated()]))).toBe("DEACTIVATED");
    expect(userStatus(userAfter([registered(), deactivated(), reactivated()]))).toBe("ACTIVE");
    expect(userStatus(userAfter([passwordless(), invited(), deactivated(), reactivated()]))).toBe("INVITED");
  });
});

// =============================================================================================
describe("every command but RegisterUser and AcceptInvitation needs a user of the organization", () => {
  const commands = (ctx: CommandContext): UserCommand[] => [
    invite("inv-9", new Date("2026-12-01T00:00:00Z"), ctx),
    changePassword(ctx),
    update({ displayName: "New" }, ctx),
    changeRoles(["TRAINER"], ctx),
    deactivate(ctx),
    reactivate(ctx),
  ];

  it.each(commands(context()).map((c) => [c.type, c] as const))("%s on no user → NOT_FOUND", (_type, command) => {
    given([]).when(command).thenThrows("NOT_FOUND", /User user-42 was not found/);
  });

  it.each(commands(OTHER_ORG).map((c) => [c.type, c] as const))(
    "%s on a user of another organization → NOT_FOUND (§0 tenancy)",
    (_type, command) => {
      given([registered(), deactivated()]).when(command).thenThrows("NOT_FOUND", /User user-42 was not found/);
    },
  );
});

// =============================================================================================
describe("InviteUser", () => {
  it("records the invitation with its expiry", () => {
    given([passwordless()])
      .when(invite("inv-1", new Date("2026-11-28T10:00:00Z")))
      .then([
        {
          type: "UserInvited",
          data: {
            userId: USER_ID,
            invitationId: "inv-1",
            expiresAt: "2026-11-28T10:00:00.000Z",
            invitedBy: ADMIN_ID,
            invitedAt: NOW_ISO,
          },
        },
      ]);
  });

  it("is a no-op for the invitation already pending (same id)", () => {
    given([passwordless(), invited("inv-1")]).when(invite("inv-1")).thenNothing();
  });

  it("records a new invitation that replaces the pending one", () => {
    given([passwordless(), invited("inv-1")])
      .when(invite("inv-2"))
      .then([expect.objectContaining({ type: "UserInvited", data: expect.objectContaining({ invitationId: "inv-2" }) }) as UserEvent]);
    expect(userAfter([passwordless(), invited("inv-1"), invited("inv-2")]).pendingInvitation?.invitationId).toBe("inv-2");
  });

  it("refuses a deactivated user", () => {
    given([passwordless(), deactivated()]).when(invite()).thenThrows("VALIDATION", /deactivated/, { field: "userId" });
  });

  it("refuses a user who already has a password", () => {
    given([registered()]).when(invite()).thenThrows("VALIDATION", /already has a password/, { field: "userId" });
    given([passwordless(), invited(), accepted()]).when(invite("inv-2")).thenThrows("VALIDATION", /already has a password/, {
      field: "userId",
    });
  });
});

// =============================================================================================
describe("AcceptInvitation (single use, expiring)", () => {
  const EXPIRES = "2026-11-28T10:00:00.000Z";
  const pending = () => [passwordless(), invited("inv-1", EXPIRES)];

  it("sets the password while the invitation is valid", () => {
    given(pending())
      .when(accept("inv-1", new Date("2026-11-28T09:59:59.999Z")))
      .then([
        {
          type: "UserInvitationAccepted",
          data: { userId: USER_ID, invitationId: "inv-1", passwordHash: "scrypt$chosen", acceptedAt: "2026-11-28T09:59:59.999Z" },
        },
      ]);
  });

  it("UNKNOWN when there is no such user", () => {
    given([]).when(accept()).thenThrows("INVALID_INVITATION", undefined, { reason: "UNKNOWN" });
  });

  it("USED when the invitation was already accepted", () => {
    given([...pending(), accepted("inv-1")]).when(accept("inv-1")).thenThrows("INVALID_INVITATION", /already been used/, {
      reason: "USED",
    });
  });

  it("REPLACED when a newer invitation was sent", () => {
    given([...pending(), invited("inv-2", EXPIRES)]).when(accept("inv-1")).thenThrows("INVALID_INVITATION", /replaced/, {
      reason: "REPLACED",
    });
  });

  it("REPLACED (not accepted) for an id that was never issued to this user", () => {
    given(pending()).when(accept("inv-other")).thenThrows("INVALID_INVITATION", undefined, { reason: "REPLACED" });
  });

  it("EXPIRED after its expiry", () => {
    given(pending())
      .when(accept("inv-1", new Date("2026-11-28T10:00:00.001Z")))
      .thenThrows("INVALID_INVITATION", /expired/, { reason: "EXPIRED" });
  });

  it("EXPIRED at exactly its expiry instant: expiresAt is the first instant it no longer works (as JWT exp, RFC 7519 §4.1.4)", () => {
    given(pending())
      .when(accept("inv-1", new Date(EXPIRES)))
      .thenThrows("INVALID_INVITATION", /expired/, { reason: "EXPIRED" });
  });

  it("UNKNOWN for a deactivated user (reveals nothing about the account)", () => {
    given([...pending(), deactivated()]).when(accept("inv-1")).thenThrows("INVALID_INVITATION", undefined, { reason: "UNKNOWN" });
  });
});

// =============================================================================================
describe("ChangePassword", () => {
  it("records the new hash, stamped with who did it", () => {
    given([registered()])
      .when(changePassword(context({ actorId: USER_ID })))
      .then([{ type: "UserPasswordChanged", data: { userId: USER_ID, passwordHash: "scrypt$new", changedBy: USER_ID, changedAt: NOW_ISO } }]);
  });

  it("is refused for a deactivated account (FORBIDDEN)", () => {
    given([registered(), deactivated()]).when(changePassword()).thenThrows("FORBIDDEN", /deactivated/);
  });
});

// =============================================================================================
describe("UpdateUser", () => {
  it("records only the fields that differ", () => {
    given([registered()])
      .when(update({ displayName: "Ada King", country: "BE", isMember: true }))
      .then([
        {
          type: "UserProfileUpdated",
          data: { userId: USER_ID, changes: { displayName: "Ada King", isMember: true }, updatedBy: ADMIN_ID, updatedAt: NOW_ISO },
        },
      ]);
  });

  it("can clear the country", () => {
    const [event] = given([registered()])
      .when(update({ country: null }))
      .then([expect.objectContaining({ type: "UserProfileUpdated" }) as UserEvent]);
    expect(event!.data).toMatchObject({ changes: { country: null } });
    expect(userAfter([registered(), event!]).country).toBeNull();
  });

  it("records nothing when nothing changes (trimmed name equal, same country, nothing given)", () => {
    given([registered()]).when(update({ displayName: "  Ada Lovelace ", country: "BE", isMember: false })).thenNothing();
    given([registered()]).when(update({})).thenNothing();
  });

  it("never changes the e-mail (the sign-in name) nor the roles", () => {
    given([registered()]).when(update({ email: "eve@example.com", roles: ["ADMIN"] })).thenNothing();
    const user = userAfter([registered()]);
    expect(user.email).toBe("ada@example.com");
    expect(user.roles).toEqual(["LEARNER"]);
  });

  it.each([
    ["displayName", { displayName: "" }],
    ["displayName", { displayName: "x".repeat(201) }],
    ["country", { country: "ZZ" }],
    ["isMember", { isMember: "yes" }],
  ] as const)("refuses an invalid %s: %j", (field, changes) => {
    given([registered()]).when(update(changes)).thenThrows("VALIDATION", undefined, { field });
  });
});

// =============================================================================================
describe("ChangeUserRoles", () => {
  const admin = (roles: Role[] = ["ADMIN", "TRAINER"]) => registered({ roles });

  it("records the new roles and the previous ones, without duplicates", () => {
    given([registered()])
      .when(changeRoles(["TRAINER", "LEARNER", "TRAINER"]))
      .then([
        {
          type: "UserRolesChanged",
          data: { userId: USER_ID, roles: ["TRAINER", "LEARNER"], previousRoles: ["LEARNER"], changedBy: ADMIN_ID, changedAt: NOW_ISO },
        },
      ]);
  });

  it("records nothing for the same set of roles in another order (or with duplicates)", () => {
    given([admin(["ADMIN", "TRAINER"])]).when(changeRoles(["TRAINER", "ADMIN"])).thenNothing();
    given([admin(["ADMIN", "TRAINER"])]).when(changeRoles(["TRAINER", "ADMIN", "TRAINER"])).thenNothing();
  });

  it("refuses an ADMIN removing their own ADMIN role (FORBIDDEN)", () => {
    given([admin()])
      .when(changeRoles(["TRAINER"], context({ actorId: USER_ID })))
      .thenThrows("FORBIDDEN", /your own ADMIN role/, { field: "roles" });
  });

  it("lets an ADMIN change their other roles, and another ADMIN remove their ADMIN role", () => {
    given([admin()])
      .when(changeRoles(["ADMIN", "HOST"], context({ actorId: USER_ID })))
      .then([expect.objectContaining({ type: "UserRolesChanged" }) as UserEvent]);
    given([admin()]).when(changeRoles(["TRAINER"])).then([expect.objectContaining({ type: "UserRolesChanged" }) as UserEvent]);
  });

  it("refuses no role at all and unknown roles (VALIDATION)", () => {
    given([registered()]).when(changeRoles([])).thenThrows("VALIDATION", /at least one role/, { field: "roles" });
    given([registered()]).when(changeRoles(["KING"])).thenThrows("VALIDATION", undefined, { field: "roles.0" });
    given([registered()]).when(changeRoles("ADMIN")).thenThrows("VALIDATION", undefined, { field: "roles" });
  });

  it("evolves to the new roles", () => {
    expect(userAfter([registered(), rolesChanged(["HOST", "TRAINER"], ["LEARNER"])]).roles).toEqual(["HOST", "TRAINER"]);
  });
});

// =============================================================================================
describe("DeactivateUser / ReactivateUser", () => {
  it("deactivates with a reason (trimmed)", () => {
    given([registered()])
      .when(deactivate(context(), "  Left the company "))
      .then([
        {
          type: "UserDeactivated",
          data: { userId: USER_ID, reason: "Left the company", deactivatedBy: ADMIN_ID, deactivatedAt: NOW_ISO },
        },
      ]);
  });

  it("deactivates without a reason", () => {
    given([registered()])
      .when(deactivate(context(), null))
      .then([{ type: "UserDeactivated", data: { userId: USER_ID, reason: null, deactivatedBy: ADMIN_ID, deactivatedAt: NOW_ISO } }]);
  });

  it("refuses a reason longer than 500 characters", () => {
    given([registered()]).when(deactivate(context(), "x".repeat(501))).thenThrows("VALIDATION", undefined, { field: "reason" });
  });

  it("refuses deactivating oneself (FORBIDDEN)", () => {
    given([registered()]).when(deactivate(context({ actorId: USER_ID }))).thenThrows("FORBIDDEN", /yourself/);
  });

  it("records nothing the second time", () => {
    given([registered(), deactivated()]).when(deactivate()).thenNothing();
  });

  it("reactivates a deactivated user, and records nothing for an active one", () => {
    given([registered(), deactivated()])
      .when(reactivate())
      .then([{ type: "UserReactivated", data: { userId: USER_ID, reactivatedBy: ADMIN_ID, reactivatedAt: NOW_ISO } }]);
    given([registered()]).when(reactivate()).thenNothing();
    given([registered(), deactivated(), reactivated()]).when(reactivate()).thenNothing();
  });
});
