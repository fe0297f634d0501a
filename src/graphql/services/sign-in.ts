import { randomUUID } from "node:crypto";
import { signInStreamName, type SignInMethod } from "../../domain/access/sign-in.js";
import { DomainError } from "../../domain/shared/errors.js";
import type { GraphQLContext } from "../context.js";
import type { AuthPayload } from "../types/user.type.js";
import { toOrganizationView, toUserView } from "../types/user.view.js";

/** Starts a sign-in (a refresh-token family) and returns its first access and refresh tokens. */
export async function startSignIn(
  context: GraphQLContext,
  user: { id: string; organizationId: string },
  method: SignInMethod,
): Promise<AuthPayload> {
  const { app } = context;
  const now = app.clock.now();
  const signInId = randomUUID();
  const expiresAt = new Date(now.getTime() + app.config.refreshTokenTtlSeconds * 1000);
  await app.signIns.handle(signInStreamName(signInId), {
    type: "StartSignIn",
    signInId,
    userId: user.id,
    method,
    expiresAt,
    context: { commandId: randomUUID(), organizationId: user.organizationId, actorId: user.id, now, correlationId: context.requestId },
  });
  return issueTokens(context, user, signInId, 0, expiresAt);
}

export async function issueTokens(
  context: GraphQLContext,
  user: { id: string; organizationId: string },
  signInId: string,
  generation: number,
  refreshTokenExpiresAt: Date,
): Promise<AuthPayload> {
  const { identityQueries, tokens, refreshTokens } = context.app;
  const record = identityQueries.usersByIds(user.organizationId, [user.id]).get(user.id);
  const organization = identityQueries.organization(user.organizationId);
  if (!record || !organization) {
    throw new DomainError("CONCURRENCY_CONFLICT", "The account is still being set up: try again in a moment");
  }
  const { token, expiresAt } = await tokens.issue({ userId: user.id, organizationId: user.organizationId, signInId }, context.app.clock.now());
  return {
    token,
    expiresAt,
    refreshToken: refreshTokens.sign([user.organizationId, signInId, String(generation)]),
    refreshTokenExpiresAt,
    user: toUserView(record),
    organization: toOrganizationView(organization),
  };
}
