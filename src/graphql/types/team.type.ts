import { DateTimeResolver } from "graphql-scalars";
import { Field, ID, Int, ObjectType } from "type-graphql";
import type { TeamSnapshot } from "../../domain/teams/use-cases.js";
import type { TeamRecord } from "../../projections/teams.queries.js";

@ObjectType({ description: "A learner group: private sessions and courses can target it" })
export class Team {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => Int)
  memberCount!: number;

  @Field(() => DateTimeResolver)
  createdAt!: Date;

  /** Set when the team is answered from a decision the read model does not show yet: its members then. */
  decidedMemberIds?: readonly string[];
}

export const toTeamView = (team: TeamRecord): Team => ({
  id: team.id,
  name: team.name,
  memberCount: team.memberCount,
  createdAt: new Date(team.createdAt),
});

/** The team as a decision tells it (when the read model has not caught up yet). */
export const teamViewOf = (team: TeamSnapshot): Team => ({
  id: team.teamId,
  name: team.name,
  memberCount: team.memberIds.length,
  createdAt: new Date(team.createdAt),
  decidedMemberIds: team.memberIds,
});
