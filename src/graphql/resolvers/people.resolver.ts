import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import { DateTimeResolver } from "graphql-scalars";
import { mayCall, type Operation } from "../../domain/access/authorization.js";
import type { UserOutcome } from "../../domain/users/use-cases.js";
import type { UserRecord } from "../../projections/identity.queries.js";
import { answerAfterWrite } from "../after-write.js";
import { authorize, commandContext, requireActor, requireUser, type GraphQLContext } from "../context.js";
import { notFound } from "../errors.js";
import { createdId } from "../idempotency-keys.js";
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
import { ListPage, type PageRequest, pageOf, toConnection } from "../types/connection.js";
import { Role, UserStatus } from "../types/enums.js";
import { TeamConnection, UserConnection } from "../types/people-connection.type.js";
import { toTeamView } from "../types/team.type.js";
import { OWN_ACCOUNT, USER_DETAILS as DETAILS, toUserView, userViewOf, User } from "../types/user.type.js";

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

  @FieldResolver(() => TeamConnection, {
    nullable: true,
    description:
      "Teams (learner groups) the user belongs to, by name (first pages batched across users). Staff, the person themself and API keys with people:read; FORBIDDEN (null) for everyone else",
  })
  async teams(
    @Root() user: User,
    @Ctx() context: GraphQLContext,
    @Args(() => ListPage) pageArgs: PageRequest,
  ): Promise<TeamConnection> {
    const { organizationId } = isOwnAccount(user) ? user : authorize(context, "User.teams", { userId: user.id });
    const { first, after } = pageOf(pageArgs, ListPage);
    const page = after
      ? context.app.teamQueries.list(organizationId, { memberId: user.id }, first, after)
      : await context.loaders.firstTeamPage.load({ parentId: user.id, args: { organizationId, first } });
    for (const record of page.records) context.loaders.teamById.prime(record.id, record);
    return toConnection(page, after, toTeamView);
  }

  @FieldResolver(() => String, { nullable: true, description: `Unique in the organization, lower-cased. ${DETAILS}` })
  email(@Root() user: User, @Ctx() context: GraphQLContext): string | null {
    return shown(context, "User.email", user, user.email);
  }

  @FieldResolver(() => [Role], { nullable: true, description: DETAILS })
  roles(@Root() user: User, @Ctx() context: GraphQLContext): Role[] | null {
    return shown(context, "User.roles", user, user.roles);
  }

  @FieldResolver(() => UserStatus, { nullable: true, description: DETAILS })
  status(@Root() user: User, @Ctx() context: GraphQLContext): UserStatus | null {
    return shown(context, "User.status", user, user.status);
  }

  @FieldResolver(() => Boolean, { nullable: true, description: `False until the person sets a password (invitation). ${DETAILS}` })
  hasPassword(@Root() user: User, @Ctx() context: GraphQLContext): boolean | null {
    return shown(context, "User.status", user, user.hasPassword);
  }

  @FieldResolver(() => DateTimeResolver, { nullable: true, description: `When the pending invitation expires. ${DETAILS}` })
  invitationExpiresAt(@Root() user: User, @Ctx() context: GraphQLContext): Date | null {
    return shown(context, "User.status", user, user.invitationExpiresAt);
  }

  @FieldResolver(() => DateTimeResolver, { nullable: true, description: DETAILS })
  createdAt(@Root() user: User, @Ctx() context: GraphQLContext): Date | null {
    return shown(context, "User.status", user, user.createdAt);
  }

  @FieldResolver(() => DateTimeResolver, { nullable: true, description: DETAILS })
  updatedAt(@Root() user: User, @Ctx() context: GraphQLContext): Date | null {
    return shown(context, "User.status", user, user.updatedAt);
  }

  @FieldResolver(() => String, { nullable: true, description: `ISO 3166-1 alpha-2. ${DETAILS}` })
  country(@Root() user: User, @Ctx() context: GraphQLContext): string | null {
    return shown(context, "User.country", user, user.country);
  }

  @FieldResolver(() => Boolean, { nullable: true, description: `Member of the organization (member pricing). ${DETAILS}` })
  isMember(@Root() user: User, @Ctx() context: GraphQLContext): boolean | null {
    return shown(context, "User.country", user, user.isMember);
  }

  @Mutation(() => User, { description: "Add a person (staff). Without a password they sign in after an invitation." })
  async createUser(@Arg("input", () => CreateUserInput) input: CreateUserInput, @Ctx() context: GraphQLContext): Promise<User> {
    const actor = requireActor(context);
    // The key is bound to a hash of the input: the password takes no part in it (only whether one is set).
    const hashed: CreateUserInput = { ...input, password: input.password == null ? null : "(set)" };
    const outcome = await context.app.useCases.users.createUser(
      actor,
      { ...input, userId: createdId(context, "user", input) },
      commandContext(context, "createUser", hashed),
    );
    return userAnswer(context, outcome);
  }

  @Mutation(() => User, { description: "Add a person and e-mail them a link to choose their password" })
  async inviteUser(@Arg("input", () => InviteUserInput) input: InviteUserInput, @Ctx() context: GraphQLContext): Promise<User> {
    const actor = requireActor(context);
    const outcome = await context.app.useCases.users.inviteUser(
      actor,
      { ...input, userId: createdId(context, "invited-user", input) },
      commandContext(context, "inviteUser", input),
    );
    return userAnswer(context, outcome);
  }

  @Mutation(() => User, { description: "(Re)send an invitation: earlier links stop working" })
  async sendInvitation(
    @Arg("input", () => SendInvitationInput) input: SendInvitationInput,
    @Ctx() context: GraphQLContext,
  ): Promise<User> {
    const outcome = await context.app.useCases.users.sendInvitation(
      requireActor(context),
      input,
      commandContext(context, "sendInvitation", input),
    );
    return userAnswer(context, outcome);
  }

  @Mutation(() => User, { description: "Change a user's name, country or membership" })
  async updateUser(@Arg("input", () => UpdateUserInput) input: UpdateUserInput, @Ctx() context: GraphQLContext): Promise<User> {
    const outcome = await context.app.useCases.users.updateUser(requireActor(context), input, commandContext(context, "updateUser", input));
    return userAnswer(context, outcome);
  }

  @Mutation(() => User, { description: "Replace a user's roles (ADMIN)" })
  async changeUserRoles(
    @Arg("input", () => ChangeUserRolesInput) input: ChangeUserRolesInput,
    @Ctx() context: GraphQLContext,
  ): Promise<User> {
    const outcome = await context.app.useCases.users.changeUserRoles(
      requireActor(context),
      input,
      commandContext(context, "changeUserRoles", input),
    );
    return userAnswer(context, outcome);
  }

  @Mutation(() => User, { description: "The user can no longer sign in; their history is kept (ADMIN)" })
  async deactivateUser(
    @Arg("input", () => DeactivateUserInput) input: DeactivateUserInput,
    @Ctx() context: GraphQLContext,
  ): Promise<User> {
    const outcome = await context.app.useCases.users.deactivateUser(
      requireActor(context),
      input,
      commandContext(context, "deactivateUser", input),
    );
    return userAnswer(context, outcome);
  }

  @Mutation(() => User, { description: "Let a deactivated user sign in again (ADMIN)" })
  async reactivateUser(
    @Arg("input", () => ReactivateUserInput) input: ReactivateUserInput,
    @Ctx() context: GraphQLContext,
  ): Promise<User> {
    const outcome = await context.app.useCases.users.reactivateUser(
      requireActor(context),
      input,
      commandContext(context, "reactivateUser", input),
    );
    return userAnswer(context, outcome);
  }

  private async load(context: GraphQLContext, userId: string): Promise<UserRecord> {
    const user = await context.loaders.userById.load(userId);
    if (!user) throw notFound("User", userId);
    return user;
  }
}

/** The account a sign-in answers is the caller's own, although the request carries no token yet. */
const isOwnAccount = (user: User): boolean => user[OWN_ACCOUNT] === true;

/** The same rule wherever the user was reached (a root query, a session's trainer, a team's members…). */
function shown<T>(context: GraphQLContext, field: Operation, user: User, value: T): T | null {
  return isOwnAccount(user) || mayCall(context.actor, field, { userId: user.id }) ? value : null;
}

/** The user decided, from the read model once caught up, else from the decision. */
function userAnswer(context: GraphQLContext, outcome: UserOutcome): Promise<User> {
  const { user } = outcome.answer;
  return answerAfterWrite(
    context,
    outcome,
    () => {
      const record = context.app.identityQueries.usersByIds(user.organizationId, [user.userId]).get(user.userId);
      context.loaders.userById.clear(user.userId);
      if (record) context.loaders.userById.prime(user.userId, record);
      return record && toUserView(record);
    },
    (snapshot) => userViewOf(snapshot, context.app.clock.now()),
  );
}
