import { z } from "zod";
import { eventCodec } from "../shared/event-codec.js";

/**
 * One sign-in (a refresh-token family). Each refresh rotates the token to the next
 * generation; presenting an older generation means it leaked, so the sign-in ends.
 */
export const SIGN_IN_CATEGORY = "signin";
export const signInStreamName = (signInId: string) => `${SIGN_IN_CATEGORY}-${signInId}`;

export const SIGN_IN_METHODS = ["PASSWORD", "SIGN_UP", "INVITATION", "ORGANIZATION_CREATED"] as const;
export type SignInMethod = (typeof SIGN_IN_METHODS)[number];
export const SIGN_IN_END_REASONS = ["SIGNED_OUT", "REFRESH_TOKEN_REUSED"] as const;
export type SignInEndReason = (typeof SIGN_IN_END_REASONS)[number];

export type SignInStarted = {
  type: "SignInStarted";
  data: { signInId: string; userId: string; organizationId: string; method: SignInMethod; expiresAt: string; startedAt: string };
};
export type SignInRefreshed = {
  type: "SignInRefreshed";
  data: { signInId: string; generation: number; expiresAt: string; refreshedAt: string };
};
export type SignInEnded = { type: "SignInEnded"; data: { signInId: string; reason: SignInEndReason; endedAt: string } };
export type SignInEvent = SignInStarted | SignInRefreshed | SignInEnded;

export const signInEventCodec = eventCodec<SignInEvent>({
  SignInStarted: z.object({
    signInId: z.string(),
    userId: z.string(),
    organizationId: z.string(),
    method: z.enum(SIGN_IN_METHODS),
    expiresAt: z.string(),
    startedAt: z.string(),
  }),
  SignInRefreshed: z.object({ signInId: z.string(), generation: z.number().int(), expiresAt: z.string(), refreshedAt: z.string() }),
  SignInEnded: z.object({ signInId: z.string(), reason: z.enum(SIGN_IN_END_REASONS), endedAt: z.string() }),
});
