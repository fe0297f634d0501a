import { randomUUID } from "node:crypto";
import { Arg, Ctx, Mutation, Query, Resolver } from "type-graphql";
import { decoyPasswordHash, hashPassword, verifyPassword } from "../../adapters/auth/passwords.js";
import { organizationProfileSchema, organizationStreamName } from "../../domain/organizations/organization.js";
import type { CommandContext } from "../../domain/shared/decider.js";
import { DomainError, ValidationError } from "../../domain/shared/errors.js";
import { emailSchema, nonEmptyText, parseOrThrow } from "../../domain/shared/validation.js";
import { passwordSchema, userStreamName } from "../../domain/users/user.js";
import type { UserRecord } from "../../projections/identity.queries.js";
import { requirePrincipal, type GraphQLContext } from "../context.js";
import { notFound } from "../errors.js";
import { CreateOrganizationInput, SignInInput } from "../inputs/identity.input.js";
import { AuthPayload, Organization, User } from "../types/user.type.js";
import { toOrganizationView, toUserView } from "../types/user.view.js";

const WRONG_CREDENTIALS = "The e-mail or password is incorrect";

@Resolver()
export class IdentityResolver {
  @Mutation(() => AuthPayload, { description: "Create an organization and its first admin; signs the admin in" })
  async createOrganization(
    @Arg("input", () => CreateOrganizationInput) input: CreateOrganizationInput,
    @Ctx() context: GraphQLContext,
  ): Promise<AuthPayload> {
    const profile = parseOrThrow(organizationProfileSchema, input);
    const email = parseOrThrow(emailSchema, input.adminEmail, "adminEmail");
    const displayName = parseOrThrow(nonEmptyText(200), input.adminName ?? email.split("@")[0], "adminName");
    parseOrThrow(passwordSchema, input.password, "password");

    const organizationId = randomUUID();
    const userId = randomUUID();
    const commandContext: CommandContext = {
      commandId: randomUUID(),
      organizationId,
      actorId: userId,
      now: new Date(),
      correlationId: context.requestId,
    };
    const { app } = context;
    await app.organizations.handle(organizationStreamName(organizationId), {
      type: "CreateOrganization",
      organizationId,
      ...profile,
      context: commandContext,
    });
    const registered = await app.users.handle(userStreamName(userId), {
      type: "RegisterUser",
      userId,
      email,
      displayName,
      roles: ["ADMIN"],
      passwordHash: await hashPassword(input.password),
      context: { ...commandContext, commandId: randomUUID() },
    });
    await app.caughtUp(registered.position);
    return this.signedIn(context, organizationId, userId);
  }

  @Mutation(() => AuthPayload, { description: "Exchange an e-mail and password for an access token" })
  async signIn(@Arg("input", () => SignInInput) input: SignInInput, @Ctx() context: GraphQLContext): Promise<AuthPayload> {
    const email = parseOrThrow(emailSchema, input.email, "email");
    const candidates = context.app.identityQueries
      .usersByEmail(email)
      .filter((user) => !input.organizationId || user.organizationId === input.organizationId);
    const matches: UserRecord[] = [];
    for (const user of candidates) {
      if (await verifyPassword(input.password, user.passwordHash)) matches.push(user);
    }
    // Unknown e-mail: spend the same time as a real check, so timing does not tell.
    if (candidates.length === 0) await verifyPassword(input.password, await decoyPasswordHash());
    if (matches.length === 0) throw new DomainError("UNAUTHENTICATED", WRONG_CREDENTIALS);
    if (matches.length > 1) {
      throw new ValidationError("organizationId", "is needed: this account exists in several organizations");
    }
    return this.signedIn(context, matches[0]!.organizationId, matches[0]!.id);
  }

  @Query(() => User, { description: "The signed-in user" })
  async me(@Ctx() context: GraphQLContext): Promise<User> {
    const principal = requirePrincipal(context);
    const user = await context.loaders.userById.load(principal.userId);
    if (!user) throw notFound("User", principal.userId);
    return toUserView(user);
  }

  @Query(() => Organization, { description: "The signed-in user's organization" })
  organization(@Ctx() context: GraphQLContext): Organization {
    const principal = requirePrincipal(context);
    const organization = context.app.identityQueries.organization(principal.organizationId);
    if (!organization) throw notFound("Organization", principal.organizationId);
    return toOrganizationView(organization);
  }

  private async signedIn(context: GraphQLContext, organizationId: string, userId: string): Promise<AuthPayload> {
    const { identityQueries, tokens } = context.app;
    const user = identityQueries.usersByIds(organizationId, [userId]).get(userId);
    const organization = identityQueries.organization(organizationId);
    if (!user || !organization) throw new Error(`Read model is missing user ${userId} or organization ${organizationId}`);
    const { token, expiresAt } = await tokens.issue(
      { userId, organizationId, email: user.email, roles: user.roles },
      new Date(),
    );
    return { token, expiresAt, user: toUserView(user), organization: toOrganizationView(organization) };
  }
}
