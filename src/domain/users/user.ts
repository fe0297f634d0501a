import { z } from "zod";
import { countryCodeSchema, emailSchema, nonEmptyText } from "../shared/validation.js";

export const ROLES = ["ADMIN", "MANAGER", "TRAINER", "HOST", "EMPLOYEE", "LEARNER", "AUDITOR"] as const;
export type Role = (typeof ROLES)[number];

export const USER_STATUSES = ["ACTIVE", "INVITED", "DEACTIVATED"] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

/** How the account came to be. */
export const USER_SOURCES = ["ORGANIZATION_CREATED", "SIGN_UP", "ADDED_BY_STAFF", "INVITED", "EXTERNAL_IDENTITY"] as const;
export type UserSource = (typeof USER_SOURCES)[number];

/** Passwords a person can type and remember, not trivially guessed. */
export const passwordSchema = z
  .string()
  .min(10, "must be at least 10 characters")
  .max(200, "must be at most 200 characters")
  .refine((p) => /[a-zA-Z]/.test(p) && /[^a-zA-Z]/.test(p), "must mix letters with digits or symbols");

export const rolesSchema = z
  .array(z.enum(ROLES, { error: `must be one of ${ROLES.join(", ")}` }))
  .min(1, "must hold at least one role")
  .transform((roles) => [...new Set(roles)]);

export const userProfileSchema = z.object({
  email: emailSchema,
  displayName: nonEmptyText(200),
  roles: rolesSchema,
  country: countryCodeSchema.nullable(),
  isMember: z.boolean(),
});
export type UserProfile = z.output<typeof userProfileSchema>;

/** What a user or staff may change later (e-mail is the sign-in name: it stays). */
export const userChangesSchema = z.object({
  displayName: nonEmptyText(200).optional(),
  country: countryCodeSchema.nullable().optional(),
  isMember: z.boolean().optional(),
});
export type UserChanges = z.output<typeof userChangesSchema>;

export const DEFAULT_INVITATION_TTL_HOURS = 7 * 24;
