import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import type { TeamOutcome } from "../../domain/teams/use-cases.js";
import { answerAfterWrite } from "../after-write.js";
import { authorize, commandContext, requireActor, type GraphQLContext } from "../context.js";
import { notFound } from "../errors.js";
import { createdId } from "../idempotency-keys.js";
import { CreateTeamInput, RenameTeamInput, TeamMemberInput } from "../inputs/people.input.js";
import { ListPage, type PageRequest, pageInMemory, pageOf, toConnection } from "../types/connection.js";
import { TeamConnection, UserConnection } from "../types/people-connection.type.js";
import { toUserView } from "../types/user.type.js";
import { Team, teamViewOf, toTeamView } from "../types/team.type.js";

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
    const page = context.app.teamQueries.list(actor.organizationId, { search: search ?? undefined }, first, after ?? undefined);
    for (const record of page.records) context.loaders.teamById.prime(record.id, record);
    return toConnection(page, after, toTeamView);
  }

  @FieldResolver(() => UserConnection, {
    nullable: true,
    description:
      "The team's members by name (first pages batched across teams). Staff and API keys with people:read; FORBIDDEN (null) for everyone else, a member of the team included",
  })
  async members(
    @Root() team: Team,
    @Ctx() context: GraphQLContext,
    @Args(() => ListPage) pageArgs: PageRequest,
  ): Promise<UserConnection> {
    const actor = authorize(context, "Team.members");
    const { first, after } = pageOf(pageArgs, ListPage);
    if (team.decidedMemberIds) {
      const users = await context.loaders.userById.loadMany([...team.decidedMemberIds]);
      const records = users.flatMap((user) => (user && !(user instanceof Error) ? [user] : []));
      return toConnection(pageInMemory(records, "NAME", { first, after }), after, toUserView);
    }
    const page = after
      ? context.app.identityQueries.listUsers(actor.organizationId, { teamId: team.id }, first, after)
      : await context.loaders.firstMemberPage.load({ parentId: team.id, args: { first } });
    for (const record of page.records) context.loaders.userById.prime(record.id, record);
    return toConnection(page, after, toUserView);
  }

  @Mutation(() => Team)
  async createTeam(@Arg("input", () => CreateTeamInput) input: CreateTeamInput, @Ctx() context: GraphQLContext): Promise<Team> {
    const teamId = createdId(context, "team", input);
    const outcome = await context.app.useCases.teams.createTeam(
      requireActor(context),
      { teamId, name: input.name, memberIds: input.memberIds },
      commandContext(context, "createTeam", input),
    );
    return teamAnswer(context, outcome);
  }

  @Mutation(() => Team)
  async renameTeam(@Arg("input", () => RenameTeamInput) input: RenameTeamInput, @Ctx() context: GraphQLContext): Promise<Team> {
    const outcome = await context.app.useCases.teams.renameTeam(requireActor(context), input, commandContext(context, "renameTeam", input));
    return teamAnswer(context, outcome);
  }

  @Mutation(() => Team)
  async addTeamMember(@Arg("input", () => TeamMemberInput) input: TeamMemberInput, @Ctx() context: GraphQLContext): Promise<Team> {
    const outcome = await context.app.useCases.teams.addTeamMember(
      requireActor(context),
      input,
      commandContext(context, "addTeamMember", input),
    );
    return teamAnswer(context, outcome);
  }

  @Mutation(() => Team)
  async removeTeamMember(@Arg("input", () => TeamMemberInput) input: TeamMemberInput, @Ctx() context: GraphQLContext): Promise<Team> {
    const outcome = await context.app.useCases.teams.removeTeamMember(
      requireActor(context),
      input,
      commandContext(context, "removeTeamMember", input),
    );
    return teamAnswer(context, outcome);
  }
}

/** The team as the read model shows it once caught up, else as decided (its members primed from the decision). */
function teamAnswer(context: GraphQLContext, outcome: TeamOutcome): Promise<Team> {
  const { teamId, organizationId } = outcome.answer;
  // Whatever this request loaded of the team before the write is stale now.
  context.loaders.teamById.clear(teamId);
  return answerAfterWrite(
    context,
    outcome,
    () => {
      const team = context.app.teamQueries.byIds(organizationId, [teamId]).get(teamId);
      return team && toTeamView(team);
    },
    teamViewOf,
  );
}
