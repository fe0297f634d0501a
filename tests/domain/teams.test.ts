/**
 * The team decider (§0 teams = learner groups): create, rename, add and remove members,
 * idempotent where the command is already applied, and NOT_FOUND across organizations.
 */
import { describe, expect, it } from "vitest";
import type { CommandContext } from "../../src/domain/shared/decider.js";
import { type TeamCommand, teamDecider } from "../../src/domain/teams/decider.js";
import type { TeamEvent } from "../../src/domain/teams/events.js";
import { fold, spec } from "../support/given-when-then.js";
import { ACTOR_ID, NOW_ISO, ORG_ID, context } from "./session-fixtures.js";

const TEAM_ID = "team-1";
const given = (events: TeamEvent[]) => spec(teamDecider).given(events);

const create = (name = "Sales", ctx: CommandContext = context()): TeamCommand => ({ type: "CreateTeam", teamId: TEAM_ID, name, context: ctx });
const rename = (name: string, ctx: CommandContext = context()): TeamCommand => ({ type: "RenameTeam", teamId: TEAM_ID, name, context: ctx });
const add = (userId: string, ctx: CommandContext = context()): TeamCommand => ({ type: "AddTeamMember", teamId: TEAM_ID, userId, context: ctx });
const remove = (userId: string, ctx: CommandContext = context()): TeamCommand => ({
  type: "RemoveTeamMember",
  teamId: TEAM_ID,
  userId,
  context: ctx,
});

const created: TeamEvent = {
  type: "TeamCreated",
  data: { teamId: TEAM_ID, organizationId: ORG_ID, name: "Sales", createdBy: ACTOR_ID, createdAt: "2026-11-01T00:00:00.000Z" },
};
const added = (userId: string): TeamEvent => ({
  type: "TeamMemberAdded",
  data: { teamId: TEAM_ID, userId, addedBy: ACTOR_ID, addedAt: "2026-11-02T00:00:00.000Z" },
});
const removed = (userId: string): TeamEvent => ({
  type: "TeamMemberRemoved",
  data: { teamId: TEAM_ID, userId, removedBy: ACTOR_ID, removedAt: "2026-11-03T00:00:00.000Z" },
});

describe("CreateTeam", () => {
  it("creates the team in the actor's organization with a trimmed name", () => {
    given([])
      .when(create("  Sales  "))
      .then([{ type: "TeamCreated", data: { teamId: TEAM_ID, organizationId: ORG_ID, name: "Sales", createdBy: ACTOR_ID, createdAt: NOW_ISO } }]);
  });

  it.each([[""], ["   "], ["x".repeat(201)]])("refuses the name %j", (name) => {
    given([]).when(create(name)).thenThrows("VALIDATION", /^name: /, { field: "name" });
  });

  it("is a no-op when the team exists in the same organization", () => {
    given([created]).when(create("Sales")).thenNothing();
  });

  it("refuses a team id taken in another organization (ALREADY_EXISTS)", () => {
    given([created]).when(create("Sales", context({ organizationId: "org-2" }))).thenThrows("ALREADY_EXISTS");
  });
});

describe("commands on a team need a team of the organization (§0 tenancy)", () => {
  const commands = (ctx: CommandContext) => [rename("Marketing", ctx), add("user-9", ctx), remove("user-9", ctx)];

  it.each(commands(context()).map((c) => [c.type, c] as const))("%s on no team → NOT_FOUND", (_type, command) => {
    given([]).when(command).thenThrows("NOT_FOUND", /Team team-1 was not found/);
  });

  it.each(commands(context({ organizationId: "org-2" })).map((c) => [c.type, c] as const))(
    "%s on another organization's team → NOT_FOUND",
    (_type, command) => {
      given([created, added("user-9")]).when(command).thenThrows("NOT_FOUND", /Team team-1 was not found/);
    },
  );
});

describe("RenameTeam", () => {
  it("records a new name", () => {
    given([created])
      .when(rename(" Marketing "))
      .then([{ type: "TeamRenamed", data: { teamId: TEAM_ID, name: "Marketing", renamedBy: ACTOR_ID, renamedAt: NOW_ISO } }]);
  });

  it("records nothing for the same name", () => {
    given([created]).when(rename("Sales")).thenNothing();
    given([created]).when(rename("  Sales ")).thenNothing();
  });

  it("refuses an empty name", () => {
    given([created]).when(rename(" ")).thenThrows("VALIDATION", /^name: /, { field: "name" });
  });
});

describe("AddTeamMember / RemoveTeamMember", () => {
  it("adds a member, and records nothing when already a member", () => {
    given([created])
      .when(add("user-9"))
      .then([{ type: "TeamMemberAdded", data: { teamId: TEAM_ID, userId: "user-9", addedBy: ACTOR_ID, addedAt: NOW_ISO } }]);
    given([created, added("user-9")]).when(add("user-9")).thenNothing();
  });

  it("removes a member, and records nothing for a non-member", () => {
    given([created, added("user-9")])
      .when(remove("user-9"))
      .then([{ type: "TeamMemberRemoved", data: { teamId: TEAM_ID, userId: "user-9", removedBy: ACTOR_ID, removedAt: NOW_ISO } }]);
    given([created]).when(remove("user-9")).thenNothing();
    given([created, added("user-9"), removed("user-9")]).when(remove("user-9")).thenNothing();
  });

  it("evolves the member list", () => {
    const state = fold(teamDecider, [created, added("a"), added("b"), removed("a"), added("c"), added("a")]);
    expect(state).toMatchObject({ kind: "Existing", name: "Sales", memberIds: ["b", "c", "a"] });
  });
});
