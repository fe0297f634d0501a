import { Arg, Ctx, Mutation, Resolver } from "type-graphql";
import type { RequestFacts } from "../../domain/sign-ins/use-cases.js";
import { answerAfterWrite } from "../after-write.js";
import { requireActor, type GraphQLContext } from "../context.js";
import {
  AcceptInvitationInput,
  ChangePasswordInput,
  RefreshAccessTokenInput,
  SignInInput,
  SignOutInput,
  SignUpInput,
} from "../inputs/identity.input.js";
import { AuthPayload, toAuthPayload } from "../types/user.type.js";

/**
 * Signing up, in and out, refreshing tokens, accepting invitations, changing one's password. A sign-in
 * is answered with what it decided: its account was read once the read model showed it.
 */
@Resolver()
export class AuthResolver {
  @Mutation(() => AuthPayload, { description: "Exchange an e-mail and password for an access and a refresh token" })
  async signIn(@Arg("input", () => SignInInput) input: SignInInput, @Ctx() context: GraphQLContext): Promise<AuthPayload> {
    const outcome = await context.app.useCases.signIns.signIn(context.actor, input, requestFacts(context));
    return toAuthPayload(outcome.answer);
  }

  @Mutation(() => AuthPayload, { description: "Create your own LEARNER account in an organization and sign in" })
  async signUp(@Arg("input", () => SignUpInput) input: SignUpInput, @Ctx() context: GraphQLContext): Promise<AuthPayload> {
    const outcome = await context.app.useCases.users.signUp(context.actor, input, requestFacts(context));
    return toAuthPayload(outcome.answer);
  }

  @Mutation(() => AuthPayload, {
    description: "A new access token (and a new refresh token: each refresh token works once)",
  })
  async refreshAccessToken(
    @Arg("input", () => RefreshAccessTokenInput) input: RefreshAccessTokenInput,
    @Ctx() context: GraphQLContext,
  ): Promise<AuthPayload> {
    const outcome = await context.app.useCases.signIns.refreshAccessToken(context.actor, input, requestFacts(context));
    return toAuthPayload(outcome.answer);
  }

  @Mutation(() => AuthPayload, { description: "Set your password from an invitation e-mail and sign in" })
  async acceptInvitation(
    @Arg("input", () => AcceptInvitationInput) input: AcceptInvitationInput,
    @Ctx() context: GraphQLContext,
  ): Promise<AuthPayload> {
    const outcome = await context.app.useCases.signIns.acceptInvitation(context.actor, input, requestFacts(context));
    return toAuthPayload(outcome.answer);
  }

  @Mutation(() => Boolean, { description: "End this sign-in: its access and refresh tokens stop working" })
  async signOut(
    @Ctx() context: GraphQLContext,
    @Arg("input", () => SignOutInput, { nullable: true }) _input?: SignOutInput | null,
  ): Promise<boolean> {
    const outcome = await context.app.useCases.signIns.signOut(requireActor(context), context.signInId, context.requestId);
    // Once this answers, the sign-in's access tokens are refused too.
    return answerAfterWrite(context, outcome, () => true, () => true);
  }

  @Mutation(() => Boolean, { description: "Change your own password (needs the current one)" })
  async changePassword(
    @Arg("input", () => ChangePasswordInput) input: ChangePasswordInput,
    @Ctx() context: GraphQLContext,
  ): Promise<boolean> {
    const outcome = await context.app.useCases.signIns.changePassword(requireActor(context), input, requestFacts(context));
    return answerAfterWrite(context, outcome, () => true, () => true);
  }
}

/** What a public operation needs of the request. */
export function requestFacts(context: GraphQLContext): RequestFacts {
  return { clientIp: context.clientIp, requestId: context.requestId };
}
