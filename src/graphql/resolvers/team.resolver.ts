import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import type { CommandContext } from "../../domain/shared/decider.js";
import { nonEmptyText, parseOrThrow } from "../../domain/shared/validation.js";
import { type TeamCommand, teamStreamName } from "../../domain/teams/team.js";
import { authorize, commandContext, type GraphQLContext } from "../context.js";
import { notFound } from "../errors.js";
import { createdId, followUpContext } from "../idempotency-keys.js";
import { CreateTeamInput, RenameTeamInput, TeamMemberInput } from "../inputs/people.input.js";
import { ListPage, type PageRequest, pageOf, toConnection } from "../types/connection.js";
import { TeamConnection } from "../types/people-connection.type.js";
import { User } from "../types/user.type.js";
import { Team, toTeamView } from "../types/team.type.js";
import { toUserView } from "../types/user.view.js";

@Resolver(() => Team)
export class TeamResolver {
  @Query(() => Team, { description: "One team (learner group) of your organization" })
  async team(@Arg("id", () => ID) id: string, @Ctx() context: GraphQLContext): Promise<Team> {
    authorize(context, "team");
    const team = await context.loaders.teamById.load(id);
    if (!team) throw notFound("Team", id);
    return toTeamView(team);
  }

  @Query(() => TeamConnection, { description: "Teams of your organization, ordered by name" })
  teams(
    @Ctx() context: GraphQLContext,
    @Args(() => ListPage) pageArgs: PageRequest,
    @Arg("search", () => String, { nullable: true }) search?: string | null,
  ): TeamConnection {
    const actor = authorize(context, "teams");
    const { first, after } = pageOf(pageArgs, ListPage);
    const page = context.app.teamQueries.list(actor.organizationId, search ?? undefined, first, after ?? undefined);
    for (const record of page.records) context.loaders.teamById.prime(record.id, record);
    return toConnection(page, after, toTeamView);
  }

  @FieldResolver(() => [User], {
    description: "The team's members by name (batched across teams; paginate with users(filter: { teamId }))",
  })
  async members(@Root() team: Team, @Ctx() context: GraphQLContext): Promise<User[]> {
    const memberIds = await context.loaders.memberIdsByTeamId.load(team.id);
    const users = await context.loaders.userById.loadMany(memberIds);
    return users
      .flatMap((user) => (user && !(user instanceof Error) ? [toUserView(user)] : []))
      .sort((a, b) => a.displayName.localeCompare(b.displayName) || a.id.localeCompare(b.id));
  }

  @Mutation(() => Team)
  async createTeam(@Arg("input", () => CreateTeamInput) input: CreateTeamInput, @Ctx() context: GraphQLContext): Promise<Team> {
    authorize(context, "createTeam");
    parseOrThrow(nonEmptyText(200), input.name, "name");
    const memberIds = [...new Set(input.memberIds ?? [])];
    await this.checkUsersExist(context, memberIds);
    const teamId = createdId(context, "team", input);
    const ctx = commandContext(context, "createTeam", input);
    let result = await context.app.teams.handle(teamStreamName(teamId), { type: "CreateTeam", teamId, name: input.name, context: ctx });
    for (const userId of memberIds) {
      result = await context.app.teams.handle(teamStreamName(teamId), {
        type: "AddTeamMember",
        teamId,
        userId,
        context: followUpContext(ctx, `member/${userId}`),
      });
    }
    return this.after(context, teamId, result.position);
  }

  @Mutation(() => Team)
  renameTeam(@Arg("input", () => RenameTeamInput) input: RenameTeamInput, @Ctx() context: GraphQLContext): Promise<Team> {
    authorize(context, "renameTeam");
    return this.run(context, input.teamId, "renameTeam", input, (ctx) => ({
      type: "RenameTeam",
      teamId: input.teamId,
      name: input.name,
      context: ctx,
    }));
  }

  @Mutation(() => Team)
  async addTeamMember(@Arg("input", () => TeamMemberInput) input: TeamMemberInput, @Ctx() context: GraphQLContext): Promise<Team> {
    authorize(context, "addTeamMember");
    await this.checkUsersExist(context, [input.userId]);
    return this.run(context, input.teamId, "addTeamMember", input, (ctx) => ({
      type: "AddTeamMember",
      teamId: input.teamId,
      userId: input.userId,
      context: ctx,
    }));
  }

  @Mutation(() => Team)
  removeTeamMember(@Arg("input", () => TeamMemberInput) input: TeamMemberInput, @Ctx() context: GraphQLContext): Promise<Team> {
    authorize(context, "removeTeamMember");
    return this.run(context, input.teamId, "removeTeamMember", input, (ctx) => ({
      type: "RemoveTeamMember",
      teamId: input.teamId,
      userId: input.userId,
      context: ctx,
    }));
  }

  private async run(
    context: GraphQLContext,
    teamId: string,
    operation: string,
    input: { idempotencyKey?: string | null },
    build: (ctx: CommandContext) => TeamCommand,
  ): Promise<Team> {
    const result = await context.app.teams.handle(teamStreamName(teamId), build(commandContext(context, operation, input)));
    return this.after(context, teamId, result.position);
  }

  private async after(context: GraphQLContext, teamId: string, position: bigint | null): Promise<Team> {
    await context.app.caughtUp(position);
    context.loaders.teamById.clear(teamId);
    const team = await context.loaders.teamById.load(teamId);
    if (!team) throw notFound("Team", teamId);
    return toTeamView(team);
  }

  private async checkUsersExist(context: GraphQLContext, userIds: string[]): Promise<void> {
    const users = await context.loaders.userById.loadMany(userIds);
    users.forEach((user, i) => {
      if (!user || user instanceof Error) throw notFound("User", userIds[i]!);
    });
  }
}
