import { randomUUID } from "node:crypto";
import { hashPassword, verifyPassword } from "../../adapters/auth/passwords.js";
import type { RegisterForSession } from "../../domain/sessions/commands.js";
import type { CommandContext } from "../../domain/shared/decider.js";
import { DomainError } from "../../domain/shared/errors.js";
import { deterministicUuid } from "../../domain/shared/event-metadata.js";
import { countryCodeSchema, emailSchema, nonEmptyText, parseOrThrow } from "../../domain/shared/validation.js";
import { passwordSchema } from "../../domain/users/user.js";
import { signUpRegistrationId } from "../../domain/workflows/sign-up-seat-release.js";
import type { GraphQLContext } from "../context.js";
import type { SignUpInput } from "../inputs/identity.input.js";

/** A sign-up checked and ready to record: nothing is written yet. */
export interface PreparedSignUp {
  organizationId: string;
  email: string;
  displayName: string;
  country: string | null;
  passwordHash: string;
}

/** Validates a sign-up, applies the per-IP limit and hashes the password. */
export async function prepareSignUp(context: GraphQLContext, input: SignUpInput): Promise<PreparedSignUp> {
  const email = parseOrThrow(emailSchema, input.email, "email");
  const displayName = parseOrThrow(nonEmptyText(200), input.displayName, "displayName");
  const country = input.country == null ? null : parseOrThrow(countryCodeSchema, input.country, "country");
  parseOrThrow(passwordSchema, input.password, "password");
  await context.app.signInLimiter.beforeAttempt(email, context.clientIp);
  const organization = context.app.identityQueries.organization(input.organizationId);
  if (!organization) throw new DomainError("NOT_FOUND", `Organization ${input.organizationId} was not found`);
  return { organizationId: organization.id, email, displayName, country, passwordHash: await hashPassword(input.password) };
}

/**
 * S8, the public session link: the seat (or place in line) of a person whose account does not
 * exist yet. Its registration id marks it as a sign-up's, so that the sign-up-seat-release
 * workflow gives it back when the account is never recorded.
 */
export function signUpSeat(sessionId: string, userId: string, signUp: PreparedSignUp, context: CommandContext): RegisterForSession {
  return {
    type: "RegisterForSession",
    sessionId,
    registrationId: signUpRegistrationId(userId),
    participant: { userId, email: signUp.email, country: signUp.country, teamIds: [] },
    context,
  };
}

/**
 * Records the LEARNER account (unique e-mail per organization) and waits until it can sign in.
 * Answers whether it was recorded now (false: a retry found it recorded already).
 */
export async function recordLearner(
  context: GraphQLContext,
  signUp: PreparedSignUp,
  userId: string,
  commandId: string = randomUUID(),
): Promise<boolean> {
  const { organizationId, passwordHash, email, displayName, country } = signUp;
  const result = await context.app.userRegistration.register({
    type: "RegisterUser",
    userId,
    email,
    displayName,
    country,
    roles: ["LEARNER"],
    isMember: false,
    passwordHash,
    source: "SIGN_UP",
    context: { commandId, organizationId, actorId: userId, now: context.app.clock.now(), correlationId: context.requestId },
  });
  await context.app.caughtUp(result.position);
  return result.events.length > 0;
}

/**
 * With an idempotency key, one account per key and e-mail in the organization: a retry finds it
 * recorded and is answered only when it brings the password of that account (a sign-in).
 */
export async function signUpLearner(context: GraphQLContext, input: SignUpInput): Promise<{ userId: string; organizationId: string }> {
  const signUp = await prepareSignUp(context, input);
  const key = input.idempotencyKey;
  const fromKey = (kind: string) => (key ? deterministicUuid(`${kind}/${signUp.organizationId}/${signUp.email}/${key}`) : randomUUID());
  const userId = fromKey("sign-up");
  const recorded = await recordLearner(context, signUp, userId, fromKey("sign-up-command"));
  if (!recorded) {
    const user = context.app.identityQueries.userById(userId);
    const usable = user?.passwordHash && user.status !== "DEACTIVATED" && (await verifyPassword(input.password, user.passwordHash));
    if (!usable) {
      await context.app.signInLimiter.recordFailure(signUp.email);
      throw new DomainError("ALREADY_EXISTS", "An account was already created with this idempotency key and e-mail: sign in", {
        field: "idempotencyKey",
      });
    }
  }
  return { userId, organizationId: signUp.organizationId };
}
