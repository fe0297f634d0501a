import type { CommandContext, Decider } from "../shared/decider.js";
import { assertNever, DomainError } from "../shared/errors.js";
import { nonEmptyText, parseOrThrow } from "../shared/validation.js";
import { type TeamEvent, teamEventCodec } from "./events.js";

export const teamNameSchema = nonEmptyText(200);

type Base = { teamId: string; context: CommandContext };
export type CreateTeam = Base & { type: "CreateTeam"; name: string };
export type RenameTeam = Base & { type: "RenameTeam"; name: string };
export type AddTeamMember = Base & { type: "AddTeamMember"; userId: string };
export type RemoveTeamMember = Base & { type: "RemoveTeamMember"; userId: string };
export type TeamCommand = CreateTeam | RenameTeam | AddTeamMember | RemoveTeamMember;

export type Team = { teamId: string; organizationId: string; name: string; memberIds: string[]; createdAt: string };
export type TeamState = { kind: "Initial" } | ({ kind: "Existing" } & Team);

export const initialTeamState = (): TeamState => ({ kind: "Initial" });

export function evolveTeam(state: TeamState, event: TeamEvent): TeamState {
  if (event.type === "TeamCreated") {
    const { teamId, organizationId, name, createdAt } = event.data;
    return { kind: "Existing", teamId, organizationId, name, memberIds: [], createdAt };
  }
  if (state.kind === "Initial") return state;
  switch (event.type) {
    case "TeamRenamed":
      return { ...state, name: event.data.name };
    case "TeamMemberAdded":
      return { ...state, memberIds: [...state.memberIds, event.data.userId] };
    case "TeamMemberRemoved":
      return { ...state, memberIds: state.memberIds.filter((id) => id !== event.data.userId) };
    default:
      return assertNever(event);
  }
}

export function decideTeam(command: TeamCommand, state: TeamState): TeamEvent[] {
  const { context, teamId } = command;
  const by = context.actorId;
  const at = context.now.toISOString();
  if (command.type === "CreateTeam") {
    if (state.kind === "Existing") {
      if (state.organizationId !== context.organizationId) throw new DomainError("ALREADY_EXISTS", `Team ${teamId} already exists`);
      return [];
    }
    const name = parseOrThrow(teamNameSchema, command.name, "name");
    return [{ type: "TeamCreated", data: { teamId, organizationId: context.organizationId, name, createdBy: by, createdAt: at } }];
  }
  if (state.kind === "Initial" || state.organizationId !== context.organizationId) {
    throw new DomainError("NOT_FOUND", `Team ${teamId} was not found`);
  }
  switch (command.type) {
    case "RenameTeam": {
      const name = parseOrThrow(teamNameSchema, command.name, "name");
      return name === state.name ? [] : [{ type: "TeamRenamed", data: { teamId, name, renamedBy: by, renamedAt: at } }];
    }
    case "AddTeamMember":
      if (state.memberIds.includes(command.userId)) return [];
      return [{ type: "TeamMemberAdded", data: { teamId, userId: command.userId, addedBy: by, addedAt: at } }];
    case "RemoveTeamMember":
      if (!state.memberIds.includes(command.userId)) return [];
      return [{ type: "TeamMemberRemoved", data: { teamId, userId: command.userId, removedBy: by, removedAt: at } }];
    default:
      return assertNever(command);
  }
}

export const teamDecider: Decider<TeamCommand, TeamEvent, TeamState> = {
  codec: teamEventCodec,
  initialState: initialTeamState,
  evolve: evolveTeam,
  decide: decideTeam,
};
