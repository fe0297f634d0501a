import type { Actor } from "../access/actor.js";
import { authorize } from "../access/authorization.js";
import type { CommandHandler, Decision } from "../shared/command-handler.js";
import type { CommandContext } from "../shared/decider.js";
import { DomainError } from "../shared/errors.js";
import { followUpContext } from "../shared/idempotency.js";
import { type Outcome, outcomeOf } from "../shared/outcome.js";
import { parseOrThrow } from "../shared/validation.js";
import { type Team, type TeamCommand, teamNameSchema, type TeamState } from "./decider.js";
import { type TeamEvent, teamStreamName } from "./events.js";

/** What the teams context asks of the rest of the system (the read models answer it). */
export interface TeamDirectory {
  /** Whether the user is of the organization (whatever their status). */
  userExists(organizationId: string, userId: string): boolean;
}

export interface TeamPorts {
  teams: CommandHandler<TeamCommand, TeamEvent, TeamState>;
  directory: TeamDirectory;
}

/** A team as its stream tells it after a command: the answer when the read model lags. */
export type TeamSnapshot = Team;

export type TeamOutcome = Outcome<TeamEvent, TeamSnapshot>;

/** Teams (learner groups): create (with members), rename, add and remove members. */
export class TeamUseCases {
  constructor(private readonly ports: TeamPorts) {}

  /** The team, then each member: every command derives its id from the request's, so a retry adds nobody twice. */
  async createTeam(
    actor: Actor,
    input: { teamId: string; name: string; memberIds?: readonly string[] | null },
    context: CommandContext,
  ): Promise<TeamOutcome> {
    authorize(actor, "createTeam");
    parseOrThrow(teamNameSchema, input.name, "name");
    const memberIds = [...new Set(input.memberIds ?? [])];
    // Every member is checked before anything is written: an unknown one creates no team.
    this.checkUsersExist(actor.organizationId, memberIds);
    const { teamId } = input;
    const stream = teamStreamName(teamId);
    let decision = await this.ports.teams.handle(stream, { type: "CreateTeam", teamId, name: input.name, context });
    const events = [...decision.events];
    for (const userId of memberIds) {
      decision = await this.ports.teams.handle(stream, {
        type: "AddTeamMember",
        teamId,
        userId,
        context: followUpContext(context, `member/${userId}`),
      });
      events.push(...decision.events);
    }
    return teamOutcome({ ...decision, events }, teamId);
  }

  async renameTeam(actor: Actor, input: { teamId: string; name: string }, context: CommandContext): Promise<TeamOutcome> {
    authorize(actor, "renameTeam");
    const { teamId, name } = input;
    return teamOutcome(await this.ports.teams.handle(teamStreamName(teamId), { type: "RenameTeam", teamId, name, context }), teamId);
  }

  /** Adding a member already there changes nothing. */
  async addTeamMember(actor: Actor, input: { teamId: string; userId: string }, context: CommandContext): Promise<TeamOutcome> {
    authorize(actor, "addTeamMember");
    const { teamId, userId } = input;
    this.checkUsersExist(actor.organizationId, [userId]);
    return teamOutcome(await this.ports.teams.handle(teamStreamName(teamId), { type: "AddTeamMember", teamId, userId, context }), teamId);
  }

  /** Removing someone of the organization who is not a member changes nothing; an unknown user is NOT_FOUND. */
  async removeTeamMember(actor: Actor, input: { teamId: string; userId: string }, context: CommandContext): Promise<TeamOutcome> {
    authorize(actor, "removeTeamMember");
    const { teamId, userId } = input;
    this.checkUsersExist(actor.organizationId, [userId]);
    const decision = await this.ports.teams.handle(teamStreamName(teamId), { type: "RemoveTeamMember", teamId, userId, context });
    return teamOutcome(decision, teamId);
  }

  /** Another organization's user is NOT_FOUND, exactly like an unknown one. */
  private checkUsersExist(organizationId: string, userIds: readonly string[]): void {
    for (const userId of userIds) {
      if (!this.ports.directory.userExists(organizationId, userId)) throw new DomainError("NOT_FOUND", `User ${userId} was not found`);
    }
  }
}

function teamOutcome(decision: Decision<TeamEvent, TeamState>, teamId: string): TeamOutcome {
  const { state } = decision;
  if (state.kind === "Initial") throw new DomainError("NOT_FOUND", `Team ${teamId} was not found`);
  const { kind: _kind, ...team } = state;
  return outcomeOf(decision, team);
}
