import { randomUUID } from "node:crypto";
import { Arg, Ctx, Mutation, Resolver } from "type-graphql";
import { decoyPasswordHash, hashPassword, verifyPassword } from "../../adapters/auth/passwords.js";
import { signInStreamName } from "../../domain/access/sign-in.js";
import type { CommandContext } from "../../domain/shared/decider.js";
import { DomainError, ValidationError } from "../../domain/shared/errors.js";
import { emailSchema, nonEmptyText, parseOrThrow } from "../../domain/shared/validation.js";
import { passwordSchema, userStreamName } from "../../domain/users/user.js";
import type { UserRecord } from "../../projections/identity.queries.js";
import { authorize, requireUser, type GraphQLContext } from "../context.js";
import {
  AcceptInvitationInput,
  ChangePasswordInput,
  RefreshAccessTokenInput,
  SignInInput,
  SignOutInput,
  SignUpInput,
} from "../inputs/identity.input.js";
import { readInvitationToken } from "../services/invitations.js";
import { issueTokens, startSignIn } from "../services/sign-in.js";
import { signUpLearner } from "../services/sign-up.js";
import { AuthPayload } from "../types/user.type.js";

const WRONG_CREDENTIALS = "The e-mail or password is incorrect";

/** Signing up, in and out, refreshing tokens, accepting invitations, changing one's password. */
@Resolver()
export class AuthResolver {
  @Mutation(() => AuthPayload, { description: "Exchange an e-mail and password for an access and a refresh token" })
  async signIn(@Arg("input", () => SignInInput) input: SignInInput, @Ctx() context: GraphQLContext): Promise<AuthPayload> {
    authorize(context, "signIn");
    const email = parseOrThrow(emailSchema, input.email, "email");
    const limiter = context.app.signInLimiter;
    await limiter.beforeAttempt(email, context.clientIp);
    const candidates = context.app.identityQueries
      .usersByEmail(email)
      .filter((user) => !input.organizationId || user.organizationId === input.organizationId);
    const matches: UserRecord[] = [];
    for (const user of candidates) {
      if (user.passwordHash && (await verifyPassword(input.password, user.passwordHash))) matches.push(user);
    }
    // Unknown e-mail: spend the same time as a real check, so timing does not tell.
    if (candidates.length === 0) await verifyPassword(input.password, await decoyPasswordHash());
    // A deactivated account gets the same answer as a wrong password: nothing tells it exists.
    const usable = matches.filter((user) => user.status !== "DEACTIVATED");
    if (usable.length === 0) {
      await limiter.recordFailure(email);
      throw new DomainError("UNAUTHENTICATED", WRONG_CREDENTIALS);
    }
    if (usable.length > 1) {
      throw new ValidationError("organizationId", "is needed: this account exists in several organizations");
    }
    await limiter.recordSuccess(email);
    return startSignIn(context, usable[0]!, "PASSWORD");
  }

  @Mutation(() => AuthPayload, { description: "Create your own LEARNER account in an organization and sign in" })
  async signUp(@Arg("input", () => SignUpInput) input: SignUpInput, @Ctx() context: GraphQLContext): Promise<AuthPayload> {
    authorize(context, "signUp");
    const { userId, organizationId } = await signUpLearner(context, input);
    return startSignIn(context, { id: userId, organizationId }, "SIGN_UP");
  }

  @Mutation(() => AuthPayload, {
    description: "A new access token (and a new refresh token: each refresh token works once)",
  })
  async refreshAccessToken(
    @Arg("input", () => RefreshAccessTokenInput) input: RefreshAccessTokenInput,
    @Ctx() context: GraphQLContext,
  ): Promise<AuthPayload> {
    authorize(context, "refreshAccessToken");
    const invalid = () => new DomainError("UNAUTHENTICATED", "The refresh token is not valid: sign in again");
    const parts = context.app.refreshTokens.verify(input.refreshToken.trim(), 3);
    if (!parts || !/^\d{1,9}$/.test(parts[2]!)) throw invalid();
    const [organizationId, signInId] = parts as [string, string, string];
    const now = context.app.clock.now();
    const expiresAt = new Date(now.getTime() + context.app.config.refreshTokenTtlSeconds * 1000);
    const result = await context.app.signIns.handle(signInStreamName(signInId), (state) => {
      if (state.kind === "Initial" || state.organizationId !== organizationId) throw invalid();
      return {
        type: "RefreshSignIn",
        signInId,
        generation: Number(parts[2]),
        expiresAt,
        context: { commandId: randomUUID(), organizationId, actorId: `sign-in:${signInId}`, now, correlationId: context.requestId },
      };
    });
    const state = result.state;
    if (state.kind !== "Active") {
      await context.app.caughtUp(result.position);
      throw new DomainError("UNAUTHENTICATED", "This refresh token was already used, so its sign-in has ended: sign in again");
    }
    const user = context.app.identityQueries.userById(state.userId);
    if (!user || user.status === "DEACTIVATED") throw new DomainError("UNAUTHENTICATED", "This account is deactivated");
    return issueTokens(context, user, signInId, state.generation, new Date(state.expiresAt));
  }

  @Mutation(() => AuthPayload, { description: "Set your password from an invitation e-mail and sign in" })
  async acceptInvitation(
    @Arg("input", () => AcceptInvitationInput) input: AcceptInvitationInput,
    @Ctx() context: GraphQLContext,
  ): Promise<AuthPayload> {
    authorize(context, "acceptInvitation");
    const invitation = readInvitationToken(context, input.token);
    const user = invitation ? context.app.identityQueries.userById(invitation.userId) : null;
    if (!invitation || !user) throw new DomainError("INVALID_INVITATION", "This invitation is not valid", { reason: "UNKNOWN" });
    parseOrThrow(passwordSchema, input.password, "password");
    const displayName = input.displayName == null ? null : parseOrThrow(nonEmptyText(200), input.displayName, "displayName");
    const selfContext = this.selfContext(context, user.organizationId, user.id);
    let result = await context.app.users.handle(userStreamName(user.id), {
      type: "AcceptInvitation",
      userId: user.id,
      invitationId: invitation.invitationId,
      passwordHash: await hashPassword(input.password),
      context: selfContext,
    });
    if (displayName) {
      result = await context.app.users.handle(userStreamName(user.id), {
        type: "UpdateUser",
        userId: user.id,
        changes: { displayName },
        context: { ...selfContext, commandId: randomUUID() },
      });
    }
    await context.app.caughtUp(result.position);
    return startSignIn(context, user, "INVITATION");
  }

  @Mutation(() => Boolean, { description: "End this sign-in: its access and refresh tokens stop working" })
  async signOut(
    @Ctx() context: GraphQLContext,
    @Arg("input", () => SignOutInput, { nullable: true }) _input?: SignOutInput | null,
  ): Promise<boolean> {
    const actor = requireUser(context, "signOut");
    if (!context.signInId) return true;
    const result = await context.app.signIns.handle(signInStreamName(context.signInId), {
      type: "EndSignIn",
      signInId: context.signInId,
      userId: actor.userId,
      context: this.selfContext(context, actor.organizationId, actor.userId),
    });
    // Once this returns, the sign-in's access tokens are refused too.
    await context.app.caughtUp(result.position);
    return true;
  }

  @Mutation(() => Boolean, { description: "Change your own password (needs the current one)" })
  async changePassword(
    @Arg("input", () => ChangePasswordInput) input: ChangePasswordInput,
    @Ctx() context: GraphQLContext,
  ): Promise<boolean> {
    const actor = requireUser(context, "changePassword");
    parseOrThrow(passwordSchema, input.newPassword, "newPassword");
    await context.app.signInLimiter.beforeAttempt(actor.email, context.clientIp);
    const user = context.app.identityQueries.userById(actor.userId);
    if (!user?.passwordHash || !(await verifyPassword(input.currentPassword, user.passwordHash))) {
      // A retry (same key) of a change that was applied: the new password is already the current one.
      if (input.idempotencyKey && user?.passwordHash && (await verifyPassword(input.newPassword, user.passwordHash))) return true;
      await context.app.signInLimiter.recordFailure(actor.email);
      throw new ValidationError("currentPassword", "is not your current password");
    }
    const result = await context.app.users.handle(userStreamName(actor.userId), {
      type: "ChangePassword",
      userId: actor.userId,
      passwordHash: await hashPassword(input.newPassword),
      context: this.selfContext(context, actor.organizationId, actor.userId),
    });
    await context.app.caughtUp(result.position);
    return true;
  }

  private selfContext(context: GraphQLContext, organizationId: string, userId: string): CommandContext {
    return { commandId: randomUUID(), organizationId, actorId: userId, now: context.app.clock.now(), correlationId: context.requestId };
  }
}
