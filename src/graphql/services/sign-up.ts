import { randomUUID } from "node:crypto";
import { hashPassword } from "../../adapters/auth/passwords.js";
import { DomainError } from "../../domain/shared/errors.js";
import { countryCodeSchema, emailSchema, nonEmptyText, parseOrThrow } from "../../domain/shared/validation.js";
import { passwordSchema } from "../../domain/users/user.js";
import type { GraphQLContext } from "../context.js";
import type { SignUpInput } from "../inputs/identity.input.js";

export interface SignUpFields {
  email: string;
  displayName: string;
  country: string | null;
}

/** Checks what a sign-up sends, before anything is written. */
export function parseSignUp(input: SignUpInput): SignUpFields {
  const fields = {
    email: parseOrThrow(emailSchema, input.email, "email"),
    displayName: parseOrThrow(nonEmptyText(200), input.displayName, "displayName"),
    country: input.country == null ? null : parseOrThrow(countryCodeSchema, input.country, "country"),
  };
  parseOrThrow(passwordSchema, input.password, "password");
  return fields;
}

/** Registers a LEARNER account (unique e-mail per organization) and waits until it can sign in. */
export async function signUpLearner(
  context: GraphQLContext,
  input: SignUpInput,
  userId: string = randomUUID(),
): Promise<{ userId: string; organizationId: string } & SignUpFields> {
  const fields = parseSignUp(input);
  await context.app.signInLimiter.beforeAttempt(fields.email, context.clientIp);
  const organization = context.app.identityQueries.organization(input.organizationId);
  if (!organization) throw new DomainError("NOT_FOUND", `Organization ${input.organizationId} was not found`);
  const result = await context.app.userRegistration.register({
    type: "RegisterUser",
    userId,
    ...fields,
    roles: ["LEARNER"],
    isMember: false,
    passwordHash: await hashPassword(input.password),
    source: "SIGN_UP",
    context: { commandId: randomUUID(), organizationId: organization.id, actorId: userId, now: new Date(), correlationId: context.requestId },
  });
  await context.app.caughtUp(result.position);
  return { userId, organizationId: organization.id, ...fields };
}
