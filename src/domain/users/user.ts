import { z } from "zod";
import type { CommandContext, Decider } from "../shared/decider.js";
import { assertNever, DomainError } from "../shared/errors.js";
import { emailSchema, nonEmptyText, parseOrThrow } from "../shared/validation.js";

export const USER_CATEGORY = "user";
export const userStreamName = (userId: string) => `${USER_CATEGORY}-${userId}`;

export const ROLES = ["ADMIN", "MANAGER", "TRAINER", "HOST", "EMPLOYEE", "LEARNER", "AUDITOR"] as const;
export type Role = (typeof ROLES)[number];

/** Passwords a person can type and remember, not trivially guessed. */
export const passwordSchema = z
  .string()
  .min(10, "must be at least 10 characters")
  .max(200, "must be at most 200 characters")
  .refine((p) => /[a-zA-Z]/.test(p) && /[^a-zA-Z]/.test(p), "must mix letters with digits or symbols");

export const userProfileSchema = z.object({
  email: emailSchema,
  displayName: nonEmptyText(200),
  roles: z.array(z.enum(ROLES)).min(1, "must hold at least one role"),
});

export type UserRegistered = {
  type: "UserRegistered";
  data: {
    userId: string;
    organizationId: string;
    email: string;
    displayName: string;
    roles: Role[];
    /** scrypt hash (never the password): the handler hashes before the command. */
    passwordHash: string;
    registeredBy: string;
    registeredAt: string;
  };
};
export type UserEvent = UserRegistered;

export type RegisterUser = {
  type: "RegisterUser";
  userId: string;
  email: string;
  displayName: string;
  roles: Role[];
  passwordHash: string;
  context: CommandContext;
};
export type UserCommand = RegisterUser;

export type UserState =
  | { kind: "Initial" }
  | { kind: "Existing"; userId: string; organizationId: string; email: string; roles: Role[] };

export const userDecider: Decider<UserCommand, UserEvent, UserState> = {
  initialState: () => ({ kind: "Initial" }),
  evolve: (_state, event) => {
    switch (event.type) {
      case "UserRegistered": {
        const { userId, organizationId, email, roles } = event.data;
        return { kind: "Existing", userId, organizationId, email, roles };
      }
      default:
        return assertNever(event.type);
    }
  },
  decide: (command, state) => {
    switch (command.type) {
      case "RegisterUser": {
        if (state.kind === "Existing") {
          if (state.organizationId !== command.context.organizationId) {
            throw new DomainError("ALREADY_EXISTS", `User ${command.userId} already exists`);
          }
          return [];
        }
        const profile = parseOrThrow(userProfileSchema, command);
        return [
          {
            type: "UserRegistered",
            data: {
              userId: command.userId,
              organizationId: command.context.organizationId,
              ...profile,
              passwordHash: command.passwordHash,
              registeredBy: command.context.actorId,
              registeredAt: command.context.now.toISOString(),
            },
          },
        ];
      }
      default:
        return assertNever(command.type);
    }
  },
};
