import { z } from "zod";
import type { CommandContext, Decider } from "../shared/decider.js";
import { eventCodec } from "../shared/event-codec.js";
import { assertNever, DomainError } from "../shared/errors.js";
import { nonEmptyText, parseOrThrow } from "../shared/validation.js";

/** A team is a learner group: private sessions and courses can target it. */
export const TEAM_CATEGORY = "team";
export const teamStreamName = (teamId: string) => `${TEAM_CATEGORY}-${teamId}`;

const teamNameSchema = nonEmptyText(200);

export type TeamCreated = {
  type: "TeamCreated";
  data: { teamId: string; organizationId: string; name: string; createdBy: string; createdAt: string };
};
export type TeamRenamed = { type: "TeamRenamed"; data: { teamId: string; name: string; renamedBy: string; renamedAt: string } };
export type TeamMemberAdded = {
  type: "TeamMemberAdded";
  data: { teamId: string; userId: string; addedBy: string; addedAt: string };
};
export type TeamMemberRemoved = {
  type: "TeamMemberRemoved";
  data: { teamId: string; userId: string; removedBy: string; removedAt: string };
};
export type TeamEvent = TeamCreated | TeamRenamed | TeamMemberAdded | TeamMemberRemoved;
export const teamEventCodec = eventCodec<TeamEvent>({
  TeamCreated: z.object({ teamId: z.string(), organizationId: z.string(), name: z.string(), createdBy: z.string(), createdAt: z.string() }),
  TeamRenamed: z.object({ teamId: z.string(), name: z.string(), renamedBy: z.string(), renamedAt: z.string() }),
  TeamMemberAdded: z.object({ teamId: z.string(), userId: z.string(), addedBy: z.string(), addedAt: z.string() }),
  TeamMemberRemoved: z.object({ teamId: z.string(), userId: z.string(), removedBy: z.string(), removedAt: z.string() }),
});
export const TEAM_EVENT_TYPES = teamEventCodec.types;

type Base = { teamId: string; context: CommandContext };
export type TeamCommand =
  | (Base & { type: "CreateTeam"; name: string })
  | (Base & { type: "RenameTeam"; name: string })
  | (Base & { type: "AddTeamMember"; userId: string })
  | (Base & { type: "RemoveTeamMember"; userId: string });

export type TeamState =
  | { kind: "Initial" }
  | { kind: "Existing"; teamId: string; organizationId: string; name: string; memberIds: string[] };

export const teamDecider: Decider<TeamCommand, TeamEvent, TeamState> = {
  codec: teamEventCodec,
  initialState: () => ({ kind: "Initial" }),
  evolve: (state, event) => {
    if (event.type === "TeamCreated") {
      const { teamId, organizationId, name } = event.data;
      return { kind: "Existing", teamId, organizationId, name, memberIds: [] };
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
  },
  decide: (command, state) => {
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
  },
};
