import type { Role, UserChanges, UserSource } from "./user.js";

export type UserRegistered = {
  type: "UserRegistered";
  data: {
    userId: string;
    organizationId: string;
    email: string;
    displayName: string;
    roles: Role[];
    country?: string | null;
    isMember?: boolean;
    /** scrypt hash (never the password), null until the person sets one. */
    passwordHash: string | null;
    source?: UserSource;
    registeredBy: string;
    registeredAt: string;
  };
};

/** An invitation e-mail's token: only its id is recorded; the token is an HMAC of it. */
export type UserInvited = {
  type: "UserInvited";
  data: { userId: string; invitationId: string; expiresAt: string; invitedBy: string; invitedAt: string };
};

export type UserInvitationAccepted = {
  type: "UserInvitationAccepted";
  data: { userId: string; invitationId: string; passwordHash: string; acceptedAt: string };
};

export type UserPasswordChanged = {
  type: "UserPasswordChanged";
  data: { userId: string; passwordHash: string; changedBy: string; changedAt: string };
};

export type UserProfileUpdated = {
  type: "UserProfileUpdated";
  data: { userId: string; changes: UserChanges; updatedBy: string; updatedAt: string };
};

export type UserRolesChanged = {
  type: "UserRolesChanged";
  data: { userId: string; roles: Role[]; previousRoles: Role[]; changedBy: string; changedAt: string };
};

export type UserDeactivated = {
  type: "UserDeactivated";
  data: { userId: string; reason: string | null; deactivatedBy: string; deactivatedAt: string };
};

export type UserReactivated = {
  type: "UserReactivated";
  data: { userId: string; reactivatedBy: string; reactivatedAt: string };
};

export type UserEvent =
  | UserRegistered
  | UserInvited
  | UserInvitationAccepted
  | UserPasswordChanged
  | UserProfileUpdated
  | UserRolesChanged
  | UserDeactivated
  | UserReactivated;

export const USER_EVENT_TYPES: readonly UserEvent["type"][] = [
  "UserRegistered",
  "UserInvited",
  "UserInvitationAccepted",
  "UserPasswordChanged",
  "UserProfileUpdated",
  "UserRolesChanged",
  "UserDeactivated",
  "UserReactivated",
];
