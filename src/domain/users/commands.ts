import type { CommandContext } from "../shared/decider.js";
import type { Role, UserSource } from "./user.js";

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
