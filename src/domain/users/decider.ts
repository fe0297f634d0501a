import type { CommandContext, Decider } from "../shared/decider.js";
import { assertNever, DomainError, ValidationError } from "../shared/errors.js";
import { optionalText, parseOrThrow } from "../shared/validation.js";
import { type UserEvent, userEventCodec } from "./events.js";
import { type Role, rolesSchema, userChangesSchema, userProfileSchema, type UserSource, type UserStatus } from "./user.js";

type Base = { userId: string; context: CommandContext };

export type RegisterUser = Base & {
  type: "RegisterUser";
  email: string;
  displayName: string;
  roles: Role[];
  country: string | null;
  isMember: boolean;
  passwordHash: string | null;
  source: UserSource;
};
/** Issues a new invitation (a later one replaces an earlier one). */
export type InviteUser = Base & { type: "InviteUser"; invitationId: string; expiresAt: Date };
export type AcceptInvitation = Base & { type: "AcceptInvitation"; invitationId: string; passwordHash: string };
export type ChangePassword = Base & { type: "ChangePassword"; passwordHash: string };
export type UpdateUser = Base & { type: "UpdateUser"; changes: unknown };
export type ChangeUserRoles = Base & { type: "ChangeUserRoles"; roles: unknown };
export type DeactivateUser = Base & { type: "DeactivateUser"; reason: string | null };
export type ReactivateUser = Base & { type: "ReactivateUser" };

export type UserCommand =
  | RegisterUser
  | InviteUser
  | AcceptInvitation
  | ChangePassword
  | UpdateUser
  | ChangeUserRoles
  | DeactivateUser
  | ReactivateUser;

export interface User {
  userId: string;
  organizationId: string;
  email: string;
  displayName: string;
  roles: Role[];
  country: string | null;
  isMember: boolean;
  hasPassword: boolean;
  deactivated: boolean;
  pendingInvitation: { invitationId: string; expiresAt: string } | null;
  acceptedInvitationIds: string[];
  registeredAt: string;
}

export type UserState = { kind: "Initial" } | { kind: "Existing"; user: User };

/** INVITED: waiting for the person to accept an invitation and set a password. */
export function userStatus(user: Pick<User, "deactivated" | "hasPassword" | "pendingInvitation">): UserStatus {
  if (user.deactivated) return "DEACTIVATED";
  return !user.hasPassword && user.pendingInvitation ? "INVITED" : "ACTIVE";
}

export function evolveUser(state: UserState, event: UserEvent): UserState {
  if (event.type === "UserRegistered") {
    const d = event.data;
    return {
      kind: "Existing",
      user: {
        userId: d.userId,
        organizationId: d.organizationId,
        email: d.email,
        displayName: d.displayName,
        roles: d.roles,
        country: d.country,
        isMember: d.isMember,
        hasPassword: d.passwordHash !== null,
        deactivated: false,
        pendingInvitation: null,
        acceptedInvitationIds: [],
        registeredAt: d.registeredAt,
      },
    };
  }
  if (state.kind === "Initial") return state;
  const user = state.user;
  const next = (changes: Partial<User>): UserState => ({ kind: "Existing", user: { ...user, ...changes } });
  switch (event.type) {
    case "UserInvited":
      return next({ pendingInvitation: { invitationId: event.data.invitationId, expiresAt: event.data.expiresAt } });
    case "UserInvitationAccepted":
      return next({
        hasPassword: true,
        pendingInvitation: null,
        acceptedInvitationIds: [...user.acceptedInvitationIds, event.data.invitationId],
      });
    case "UserPasswordChanged":
      return next({ hasPassword: true, pendingInvitation: null });
    case "UserProfileUpdated":
      return next(event.data.changes);
    case "UserRolesChanged":
      return next({ roles: event.data.roles });
    case "UserDeactivated":
      return next({ deactivated: true });
    case "UserReactivated":
      return next({ deactivated: false });
    default:
      return assertNever(event);
  }
}

export function decideUser(command: UserCommand, state: UserState): UserEvent[] {
  const { context, userId } = command;
  const at = context.now.toISOString();
  if (command.type === "RegisterUser") {
    if (state.kind === "Existing") {
      // A retry of the same registration changes nothing; anything else is another user.
      const sameEmail = command.email.trim().toLowerCase() === state.user.email;
      if (state.user.organizationId !== context.organizationId || !sameEmail) {
        throw new DomainError("ALREADY_EXISTS", `User ${userId} already exists`, { field: "userId" });
      }
      return [];
    }
    const profile = parseOrThrow(userProfileSchema, command);
    return [
      {
        type: "UserRegistered",
        data: {
          userId,
          organizationId: context.organizationId,
          ...profile,
          passwordHash: command.passwordHash,
          source: command.source,
          registeredBy: context.actorId,
          registeredAt: at,
        },
      },
    ];
  }
  if (command.type === "AcceptInvitation") return acceptInvitation(command, state);

  const user = existingUser(state, context.organizationId, userId);
  switch (command.type) {
    case "InviteUser": {
      if (user.deactivated) throw new ValidationError("userId", "is deactivated: reactivate the user first");
      if (user.hasPassword) throw new ValidationError("userId", "already has a password and can sign in");
      if (user.pendingInvitation?.invitationId === command.invitationId) return [];
      return [
        {
          type: "UserInvited",
          data: {
            userId,
            invitationId: command.invitationId,
            expiresAt: command.expiresAt.toISOString(),
            invitedBy: context.actorId,
            invitedAt: at,
          },
        },
      ];
    }
    case "ChangePassword":
      if (user.deactivated) throw new DomainError("FORBIDDEN", "This account is deactivated");
      return [
        {
          type: "UserPasswordChanged",
          data: { userId, passwordHash: command.passwordHash, changedBy: context.actorId, changedAt: at },
        },
      ];
    case "UpdateUser": {
      const changes = parseOrThrow(userChangesSchema, command.changes);
      const differing = Object.fromEntries(
        Object.entries(changes).filter(([key, value]) => value !== undefined && user[key as keyof User] !== value),
      );
      if (Object.keys(differing).length === 0) return [];
      return [{ type: "UserProfileUpdated", data: { userId, changes: differing, updatedBy: context.actorId, updatedAt: at } }];
    }
    case "ChangeUserRoles": {
      const roles = parseOrThrow(rolesSchema, command.roles, "roles");
      if (roles.length === user.roles.length && roles.every((role) => user.roles.includes(role))) return [];
      if (context.actorId === userId && user.roles.includes("ADMIN") && !roles.includes("ADMIN")) {
        throw new DomainError("FORBIDDEN", "You cannot remove your own ADMIN role: ask another ADMIN", { field: "roles" });
      }
      return [
        {
          type: "UserRolesChanged",
          data: { userId, roles, previousRoles: user.roles, changedBy: context.actorId, changedAt: at },
        },
      ];
    }
    case "DeactivateUser": {
      if (user.deactivated) return [];
      if (context.actorId === userId) throw new DomainError("FORBIDDEN", "You cannot deactivate yourself");
      const reason = parseOrThrow(optionalText(500), command.reason, "reason");
      return [{ type: "UserDeactivated", data: { userId, reason, deactivatedBy: context.actorId, deactivatedAt: at } }];
    }
    case "ReactivateUser":
      if (!user.deactivated) return [];
      return [{ type: "UserReactivated", data: { userId, reactivatedBy: context.actorId, reactivatedAt: at } }];
    default:
      return assertNever(command);
  }
}

function acceptInvitation(command: Extract<UserCommand, { type: "AcceptInvitation" }>, state: UserState): UserEvent[] {
  const invalid = (reason: string, message: string) => new DomainError("INVALID_INVITATION", message, { reason });
  if (state.kind === "Initial") throw invalid("UNKNOWN", "This invitation is not valid");
  const user = state.user;
  if (user.acceptedInvitationIds.includes(command.invitationId)) {
    throw invalid("USED", "This invitation has already been used: sign in with your password");
  }
  if (user.deactivated) throw invalid("UNKNOWN", "This invitation is not valid");
  if (user.pendingInvitation?.invitationId !== command.invitationId) {
    throw invalid("REPLACED", "This invitation was replaced by a newer one: use the link in the latest e-mail");
  }
  if (command.context.now.toISOString() >= user.pendingInvitation.expiresAt) {
    throw invalid("EXPIRED", "This invitation has expired: ask for a new one");
  }
  return [
    {
      type: "UserInvitationAccepted",
      data: {
        userId: user.userId,
        invitationId: command.invitationId,
        passwordHash: command.passwordHash,
        acceptedAt: command.context.now.toISOString(),
      },
    },
  ];
}

/** The user of the organization (NOT_FOUND for an unknown one or another organization's). */
export function existingUser(state: UserState, organizationId: string, userId: string): User {
  if (state.kind === "Initial" || state.user.organizationId !== organizationId) {
    throw new DomainError("NOT_FOUND", `User ${userId} was not found`);
  }
  return state.user;
}

export const initialUserState = (): UserState => ({ kind: "Initial" });

export const userDecider: Decider<UserCommand, UserEvent, UserState> = {
  codec: userEventCodec,
  initialState: initialUserState,
  evolve: evolveUser,
  decide: decideUser,
};
