import { z } from "zod";
import { eventCodec } from "../shared/event-codec.js";

/** A team is a learner group: private sessions and courses can target it. Stream: `team-<id>`. */
export const TEAM_CATEGORY = "team";
export const teamStreamName = (teamId: string) => `${TEAM_CATEGORY}-${teamId}`;

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
