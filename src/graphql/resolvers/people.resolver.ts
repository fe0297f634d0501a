import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import { hashPassword } from "../../adapters/auth/passwords.js";
import { authorizeManagingUser, authorizeRoleGrant, mayCall } from "../../domain/access/authorization.js";
import type { CommandContext } from "../../domain/shared/decider.js";
import type { UserCommand } from "../../domain/users/commands.js";
import { DomainError, ValidationError } from "../../domain/shared/errors.js";
import { emailSchema, parseOrThrow } from "../../domain/shared/validation.js";
import { teamStreamName } from "../../domain/teams/team.js";
import { passwordSchema, type Role, userProfileSchema, userStreamName } from "../../domain/users/user.js";
import type { UserRecord } from "../../projections/identity.queries.js";
import { authorize, commandContext, requireUser, type GraphQLContext } from "../context.js";
import { notFound } from "../errors.js";
import { createdId, followUpContext, refuseReusedKey } from "../idempotency-keys.js";
import {
  ChangeUserRolesInput,
  CreateUserInput,
  DeactivateUserInput,
  InviteUserInput,
  ReactivateUserInput,
  SendInvitationInput,
  UpdateUserInput,
  UserFilterInput,
} from "../inputs/people.input.js";
import { inviteAndEmail } from "../services/invitations.js";
import { ListPage, type PageRequest, pageOf, toConnection } from "../types/connection.js";
import { UserConnection } from "../types/people-connection.type.js";
import { Team, toTeamView } from "../types/team.type.js";
import { User } from "../types/user.type.js";
import { toUserView } from "../types/user.view.js";

@Resolver(() => User)
export class PeopleResolver {
  @Query(() => User, { description: "The signed-in user" })
  async me(@Ctx() context: GraphQLContext): Promise<User> {
    const actor = requireUser(context, "me");
    const user = await context.loaders.userById.load(actor.userId);
    if (!user) throw notFound("User", actor.userId);
    // The roles the caller acts with (an external identity provider's token decides them).
    return { ...toUserView(user), roles: [...actor.roles] };
  }

  @Query(() => User, { description: "One user of your organization (staff; anyone for themselves)" })
  async user(@Arg("id", () => ID) id: string, @Ctx() context: GraphQLContext): Promise<User> {
    authorize(context, "user", { userId: id });
    return toUserView(await this.load(context, id));
  }

  @Query(() => UserConnection, { description: "People of your organization, ordered by name" })
  users(
    @Ctx() context: GraphQLContext,
    @Args(() => ListPage) pageArgs: PageRequest,
    @Arg("filter", () => UserFilterInput, { nullable: true }) filter?: UserFilterInput | null,
  ): UserConnection {
    const actor = authorize(context, "users");
    const { first, after } = pageOf(pageArgs, ListPage);
    const page = context.app.identityQueries.listUsers(
      actor.organizationId,
      {
        roles: filter?.role ?? undefined,
        statuses: filter?.status ?? undefined,
        isMember: filter?.isMember ?? undefined,
        teamId: filter?.teamId ?? undefined,
        search: filter?.search ?? undefined,
      },
      first,
      after ?? undefined,
    );
    for (const record of page.records) context.loaders.userById.prime(record.id, record);
    return toConnection(page, after, toUserView);
  }

  @FieldResolver(() => [Team], { description: "Teams (learner groups) the user belongs to" })
  async teams(@Root() user: User, @Ctx() context: GraphQLContext): Promise<Team[]> {
    const teamIds = await context.loaders.teamIdsByUserId.load(user.id);
    const teams = await context.loaders.teamById.loadMany(teamIds);
    return teams.flatMap((team) => (team && !(team instanceof Error) ? [toTeamView(team)] : []));
  }

  @Mutation(() => User, { description: "Add a person (staff). Without a password they sign in after an invitation." })
  async createUser(@Arg("input", () => CreateUserInput) input: CreateUserInput, @Ctx() context: GraphQLContext): Promise<User> {
    const actor = authorize(context, "createUser");
    authorizeRoleGrant(actor, input.roles);
    if (input.password != null) parseOrThrow(passwordSchema, input.password, "password");
    // The key is bound to a hash of the input: the password takes no part in it (only whether one is set).
    const hashed: CreateUserInput = { ...input, password: input.password == null ? null : "(set)" };
    const ctx = commandContext(context, "createUser", hashed);
    const user = await this.register(context, input, input.password ? await hashPassword(input.password) : null, "ADDED_BY_STAFF", ctx);
    return toUserView(user);
  }

  @Mutation(() => User, { description: "Add a person and e-mail them a link to choose their password" })
  async inviteUser(@Arg("input", () => InviteUserInput) input: InviteUserInput, @Ctx() context: GraphQLContext): Promise<User> {
    const actor = authorize(context, "inviteUser");
    authorizeRoleGrant(actor, input.roles);
    const email = parseOrThrow(emailSchema, input.email, "email");
    const ctx = commandContext(context, "inviteUser", input);
    const user = await this.register(context, { ...input, displayName: input.displayName ?? email.split("@")[0]! }, null, "INVITED", ctx);
    const position = await inviteAndEmail(context, user, followUpContext(ctx, "invitation"), input.idempotencyKey != null);
    await context.app.caughtUp(position);
    return toUserView(await this.reload(context, user.id));
  }

  @Mutation(() => User, { description: "(Re)send an invitation: earlier links stop working" })
  async sendInvitation(
    @Arg("input", () => SendInvitationInput) input: SendInvitationInput,
    @Ctx() context: GraphQLContext,
  ): Promise<User> {
    const actor = authorize(context, "sendInvitation");
    const user = await this.load(context, input.userId);
    authorizeManagingUser(actor, user.roles, user.id);
    const position = await inviteAndEmail(context, user, commandContext(context, "sendInvitation", input), input.idempotencyKey != null);
    await context.app.caughtUp(position);
    return toUserView(await this.reload(context, user.id));
  }

  @Mutation(() => User, { description: "Change a user's name, country or membership" })
  async updateUser(@Arg("input", () => UpdateUserInput) input: UpdateUserInput, @Ctx() context: GraphQLContext): Promise<User> {
    const actor = authorize(context, "updateUser", { userId: input.userId });
    const user = await this.load(context, input.userId);
    authorizeManagingUser(actor, user.roles, user.id);
    if (input.isMember != null && !mayCall(actor, "updateUser")) {
      throw new DomainError("FORBIDDEN", "Only staff change a membership", { field: "isMember" });
    }
    if (input.displayName === null) throw new ValidationError("displayName", "cannot be removed");
    if (input.isMember === null) throw new ValidationError("isMember", "cannot be removed");
    const changes = Object.fromEntries(
      Object.entries({ displayName: input.displayName, country: input.country, isMember: input.isMember }).filter(
        ([, value]) => value !== undefined,
      ),
    );
    return this.run(context, user.id, "updateUser", input, (ctx) => ({ type: "UpdateUser", userId: user.id, changes, context: ctx }));
  }

  @Mutation(() => User, { description: "Replace a user's roles (ADMIN)" })
  async changeUserRoles(
    @Arg("input", () => ChangeUserRolesInput) input: ChangeUserRolesInput,
    @Ctx() context: GraphQLContext,
  ): Promise<User> {
    authorize(context, "changeUserRoles");
    const user = await this.load(context, input.userId);
    return this.run(context, user.id, "changeUserRoles", input, (ctx) => ({
      type: "ChangeUserRoles",
      userId: user.id,
      roles: input.roles,
      context: ctx,
    }));
  }

  @Mutation(() => User, { description: "The user can no longer sign in; their history is kept (ADMIN)" })
  async deactivateUser(
    @Arg("input", () => DeactivateUserInput) input: DeactivateUserInput,
    @Ctx() context: GraphQLContext,
  ): Promise<User> {
    authorize(context, "deactivateUser");
    const user = await this.load(context, input.userId);
    return this.run(context, user.id, "deactivateUser", input, (ctx) => ({
      type: "DeactivateUser",
      userId: user.id,
      reason: input.reason ?? null,
      context: ctx,
    }));
  }

  @Mutation(() => User, { description: "Let a deactivated user sign in again (ADMIN)" })
  async reactivateUser(
    @Arg("input", () => ReactivateUserInput) input: ReactivateUserInput,
    @Ctx() context: GraphQLContext,
  ): Promise<User> {
    authorize(context, "reactivateUser");
    const user = await this.load(context, input.userId);
    return this.run(context, user.id, "reactivateUser", input, (ctx) => ({ type: "ReactivateUser", userId: user.id, context: ctx }));
  }

  private async register(
    context: GraphQLContext,
    input: {
      email: string;
      displayName: string;
      roles: Role[];
      country?: string | null;
      isMember: boolean;
      teamIds?: string[] | null;
      idempotencyKey?: string | null;
    },
    passwordHash: string | null,
    source: "ADDED_BY_STAFF" | "INVITED",
    ctx: CommandContext,
  ): Promise<UserRecord> {
    // Checked before the e-mail is claimed, so bad input leaves no trace.
    const profile = parseOrThrow(userProfileSchema, { ...input, country: input.country ?? null });
    const teamIds = [...new Set(input.teamIds ?? [])];
    const teams = await context.loaders.teamById.loadMany(teamIds);
    teams.forEach((team, i) => {
      if (!team || team instanceof Error) throw notFound("Team", teamIds[i]!);
    });
    // A key sent before with another input is refused before the e-mail is claimed.
    await refuseReusedKey(context, ctx);
    // Keys are per operation: createUser and inviteUser with the same words are two people.
    const userId = createdId(context, source === "INVITED" ? "invited-user" : "user", input);
    const result = await context.app.userRegistration.register({
      type: "RegisterUser",
      userId,
      ...profile,
      passwordHash,
      source,
      context: ctx,
    });
    let position = result.position;
    for (const teamId of teamIds) {
      const added = await context.app.teams.handle(teamStreamName(teamId), {
        type: "AddTeamMember",
        teamId,
        userId,
        context: followUpContext(ctx, `team/${teamId}`),
      });
      position = added.position ?? position;
    }
    await context.app.caughtUp(position);
    return this.reload(context, userId);
  }

  private async run(
    context: GraphQLContext,
    userId: string,
    operation: string,
    input: { idempotencyKey?: string | null },
    build: (ctx: CommandContext) => UserCommand,
  ): Promise<User> {
    const result = await context.app.users.handle(userStreamName(userId), build(commandContext(context, operation, input)));
    await context.app.caughtUp(result.position);
    return toUserView(await this.reload(context, userId));
  }

  private async load(context: GraphQLContext, userId: string): Promise<UserRecord> {
    const user = await context.loaders.userById.load(userId);
    if (!user) throw notFound("User", userId);
    return user;
  }

  private async reload(context: GraphQLContext, userId: string): Promise<UserRecord> {
    context.loaders.userById.clear(userId);
    return this.load(context, userId);
  }
}
