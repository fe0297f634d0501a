import { z } from "zod";
import { eventCodec } from "../shared/event-codec.js";
import { ROLES, type Role, type UserChanges, USER_SOURCES, type UserSource } from "./user.js";

/** Stream of one user: `user-<id>`. */
export const USER_CATEGORY = "user";
export const userStreamName = (userId: string) => `${USER_CATEGORY}-${userId}`;

export type UserRegistered = {
  type: "UserRegistered";
  data: {
    userId: string;
    organizationId: string;
    email: string;
    displayName: string;
    roles: Role[];
    country: string | null;
    isMember: boolean;
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

const text = z.string();
const roles = z.array(z.enum(ROLES));

export const userEventCodec = eventCodec<UserEvent>(
  {
    UserRegistered: z.object({
      userId: text,
      organizationId: text,
      email: text,
      displayName: text,
      roles,
      country: text.nullable(),
      isMember: z.boolean(),
      passwordHash: text.nullable(),
      source: z.enum(USER_SOURCES).optional(),
      registeredBy: text,
      registeredAt: text,
    }),
    UserInvited: z.object({ userId: text, invitationId: text, expiresAt: text, invitedBy: text, invitedAt: text }),
    UserInvitationAccepted: z.object({ userId: text, invitationId: text, passwordHash: text, acceptedAt: text }),
    UserPasswordChanged: z.object({ userId: text, passwordHash: text, changedBy: text, changedAt: text }),
    UserProfileUpdated: z.object({
      userId: text,
      changes: z.object({ displayName: text.optional(), country: text.nullable().optional(), isMember: z.boolean().optional() }),
      updatedBy: text,
      updatedAt: text,
    }),
    UserRolesChanged: z.object({ userId: text, roles, previousRoles: roles, changedBy: text, changedAt: text }),
    UserDeactivated: z.object({ userId: text, reason: text.nullable(), deactivatedBy: text, deactivatedAt: text }),
    UserReactivated: z.object({ userId: text, reactivatedBy: text, reactivatedAt: text }),
  },
  {
    // Schema version 1: people registered before country and membership were recorded had neither.
    UserRegistered: { 1: (data) => ({ country: null, isMember: false, ...data }) },
  },
);

export const USER_EVENT_TYPES = userEventCodec.types;
