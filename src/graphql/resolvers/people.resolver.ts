import { randomUUID } from "node:crypto";
import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import { hashPassword } from "../../adapters/auth/passwords.js";
import { authorizeManagingUser, authorizeRoleGrant, mayCall } from "../../domain/access/authorization.js";
import type { UserCommand } from "../../domain/users/commands.js";
import { DomainError, ValidationError } from "../../domain/shared/errors.js";
import { emailSchema, parseOrThrow } from "../../domain/shared/validation.js";
import { teamStreamName } from "../../domain/teams/team.js";
import { passwordSchema, type Role, userProfileSchema, userStreamName } from "../../domain/users/user.js";
import type { UserRecord } from "../../projections/identity.queries.js";
import { authorize, commandContext, requireUser, type GraphQLContext } from "../context.js";
import { notFound } from "../errors.js";
import {
  ChangeUserRolesInput,
  CreateUserInput,
  DeactivateUserInput,
  InviteUserInput,
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
    const user = await this.register(context, input, input.password ? await hashPassword(input.password) : null, "ADDED_BY_STAFF");
    return toUserView(user);
  }

  @Mutation(() => User, { description: "Add a person and e-mail them a link to choose their password" })
  async inviteUser(@Arg("input", () => InviteUserInput) input: InviteUserInput, @Ctx() context: GraphQLContext): Promise<User> {
    const actor = authorize(context, "inviteUser");
    authorizeRoleGrant(actor, input.roles);
    const email = parseOrThrow(emailSchema, input.email, "email");
    const user = await this.register(context, { ...input, displayName: input.displayName ?? email.split("@")[0]! }, null, "INVITED");
    const position = await inviteAndEmail(context, user, commandContext(context, "inviteUser"));
    await context.app.caughtUp(position);
    return toUserView(await this.reload(context, user.id));
  }

  @Mutation(() => User, { description: "(Re)send an invitation: earlier links stop working" })
  async sendInvitation(@Arg("userId", () => ID) userId: string, @Ctx() context: GraphQLContext): Promise<User> {
    const actor = authorize(context, "sendInvitation");
    const user = await this.load(context, userId);
    authorizeManagingUser(actor, user.roles, user.id);
    const position = await inviteAndEmail(context, user, commandContext(context, "sendInvitation"));
    await context.app.caughtUp(position);
    return toUserView(await this.reload(context, userId));
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
    return this.run(context, user.id, "updateUser", (ctx) => ({ type: "UpdateUser", userId: user.id, changes, context: ctx }));
  }

  @Mutation(() => User, { description: "Replace a user's roles (ADMIN)" })
  async changeUserRoles(
    @Arg("input", () => ChangeUserRolesInput) input: ChangeUserRolesInput,
    @Ctx() context: GraphQLContext,
  ): Promise<User> {
    authorize(context, "changeUserRoles");
    const user = await this.load(context, input.userId);
    return this.run(context, user.id, "changeUserRoles", (ctx) => ({
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
    return this.run(context, user.id, "deactivateUser", (ctx) => ({
      type: "DeactivateUser",
      userId: user.id,
      reason: input.reason ?? null,
      context: ctx,
    }));
  }

  @Mutation(() => User, { description: "Let a deactivated user sign in again (ADMIN)" })
  async reactivateUser(@Arg("userId", () => ID) userId: string, @Ctx() context: GraphQLContext): Promise<User> {
    authorize(context, "reactivateUser");
    const user = await this.load(context, userId);
    return this.run(context, user.id, "reactivateUser", (ctx) => ({ type: "ReactivateUser", userId: user.id, context: ctx }));
  }

  private async register(
    context: GraphQLContext,
    input: { email: string; displayName: string; roles: Role[]; country?: string | null; isMember: boolean; teamIds?: string[] | null },
    passwordHash: string | null,
    source: "ADDED_BY_STAFF" | "INVITED",
  ): Promise<UserRecord> {
    // Checked before the e-mail is claimed, so bad input leaves no trace.
    const profile = parseOrThrow(userProfileSchema, { ...input, country: input.country ?? null });
    const teamIds = [...new Set(input.teamIds ?? [])];
    const teams = await context.loaders.teamById.loadMany(teamIds);
    teams.forEach((team, i) => {
      if (!team || team instanceof Error) throw notFound("Team", teamIds[i]!);
    });
    const userId = randomUUID();
    const ctx = commandContext(context, source);
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
        context: { ...ctx, commandId: randomUUID() },
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
    build: (ctx: ReturnType<typeof commandContext>) => UserCommand,
  ): Promise<User> {
    const result = await context.app.users.handle(userStreamName(userId), build(commandContext(context, operation)));
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
