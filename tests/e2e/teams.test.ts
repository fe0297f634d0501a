/**
 * §0 teams (learner groups) over real HTTP: create (with members), rename, add (idempotent) and
 * remove members; `team`, `teams` (search, pagination) and `User.teams`; NOT_FOUND for unknown
 * or foreign ids; LEARNERs may not touch teams. And S5: a private session that targets a team is
 * seen by its member learners once PLANNED, no longer after they leave the team; learners never
 * see DRAFT/LEAD sessions; staff see everything; a private session with no target, no learner.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { teamStreamName } from "../../src/domain/teams/events.js";
import { createReadySession } from "../support/session-setup.js";
import {
  addMember,
  createOrganization,
  type Member,
  ok,
  refused,
  startTestServer,
  type TestServer,
} from "../support/test-server.js";

type Org = Awaited<ReturnType<typeof createOrganization>>;

const TEAM_FIELDS = "id name memberCount members { totalCount nodes { id displayName } } createdAt";
const CREATE_TEAM = `mutation ($input: CreateTeamInput!) { createTeam(input: $input) { ${TEAM_FIELDS} } }`;
const RENAME_TEAM = `mutation ($input: RenameTeamInput!) { renameTeam(input: $input) { ${TEAM_FIELDS} } }`;
const ADD_MEMBER = `mutation ($input: TeamMemberInput!) { addTeamMember(input: $input) { ${TEAM_FIELDS} } }`;
const REMOVE_MEMBER = `mutation ($input: TeamMemberInput!) { removeTeamMember(input: $input) { ${TEAM_FIELDS} } }`;
const TEAM = `query ($id: ID!) { team(id: $id) { ${TEAM_FIELDS} } }`;
const TEAMS = `query ($search: String, $first: Int!, $after: String) {
  teams(search: $search, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id name } }
    nodes { id name memberCount }
  }
}`;
const CREATE_USER = `mutation ($input: CreateUserInput!) { createUser(input: $input) { id displayName teams { nodes { id name } } } }`;

let test: TestServer;
let admin: Org;
let manager: Member;
let learner: Member;
let unique = 0;

async function newUser(displayName: string, token = admin.token, teamIds?: string[]): Promise<string> {
  const input = { email: `team-user-${++unique}-${Date.now()}@teams.test`, displayName, ...(teamIds ? { teamIds } : {}) };
  return ok(await test.gql(CREATE_USER, { input }, token)).createUser.id;
}

async function createTeam(name: string, memberIds?: string[], token = admin.token) {
  return ok(await test.gql(CREATE_TEAM, { input: { name, ...(memberIds ? { memberIds } : {}) } }, token)).createTeam;
}

beforeAll(async () => {
  test = await startTestServer();
  admin = await createOrganization(test);
  [manager, learner] = await Promise.all([addMember(test, admin.token, ["MANAGER"]), addMember(test, admin.token, ["LEARNER"])]);
});
afterAll(() => test.stop());

describe("§0 managing teams", () => {
  it("createTeam with members; team(id) shows the members by name and their count", async () => {
    const zoe = await newUser("Zoe Zimmer");
    const adam = await newUser("Adam Abel");
    const team = await createTeam("Sales Brussels", [zoe, adam, zoe]);
    expect(team).toMatchObject({ name: "Sales Brussels", memberCount: 2 });
    expect(team.members).toEqual({
      totalCount: 2,
      nodes: [
        { id: adam, displayName: "Adam Abel" },
        { id: zoe, displayName: "Zoe Zimmer" },
      ],
    });
    expect(ok(await test.gql(TEAM, { id: team.id }, admin.token)).team).toEqual(team);
  });

  it("renameTeam changes the name; a blank name is BAD_USER_INPUT and changes nothing", async () => {
    const team = await createTeam("Old name");
    expect(ok(await test.gql(RENAME_TEAM, { input: { teamId: team.id, name: "New name" } }, admin.token)).renameTeam.name).toBe(
      "New name",
    );
    const blank = refused(await test.gql(RENAME_TEAM, { input: { teamId: team.id, name: "   " } }, admin.token));
    expect(blank.code).toBe("BAD_USER_INPUT");
    expect(blank.extensions.field).toBe("name");
    expect(ok(await test.gql(TEAM, { id: team.id }, admin.token)).team.name).toBe("New name");
    const created = refused(await test.gql(CREATE_TEAM, { input: { name: "" } }, admin.token));
    expect(created.code).toBe("BAD_USER_INPUT");
  });

  it("addTeamMember is idempotent; removeTeamMember removes (and is idempotent too)", async () => {
    const team = await createTeam("Growing team");
    const user = await newUser("Member Once");
    const added = ok(await test.gql(ADD_MEMBER, { input: { teamId: team.id, userId: user } }, admin.token)).addTeamMember;
    expect(added.memberCount).toBe(1);
    const again = ok(await test.gql(ADD_MEMBER, { input: { teamId: team.id, userId: user } }, admin.token)).addTeamMember;
    expect(again.memberCount).toBe(1);
    expect(again.members.nodes).toEqual([{ id: user, displayName: "Member Once" }]);

    const removed = ok(await test.gql(REMOVE_MEMBER, { input: { teamId: team.id, userId: user } }, admin.token)).removeTeamMember;
    expect(removed).toMatchObject({ memberCount: 0, members: { totalCount: 0, nodes: [] } });
    const removedAgain = ok(await test.gql(REMOVE_MEMBER, { input: { teamId: team.id, userId: user } }, admin.token));
    expect(removedAgain.removeTeamMember.memberCount).toBe(0);
  });

  it("a MANAGER manages teams too", async () => {
    const user = await newUser("Managed Learner", manager.token);
    const team = await createTeam("Manager's team", [user], manager.token);
    expect(team.memberCount).toBe(1);
    ok(await test.gql(RENAME_TEAM, { input: { teamId: team.id, name: "Manager's group" } }, manager.token));
    ok(await test.gql(REMOVE_MEMBER, { input: { teamId: team.id, userId: user } }, manager.token));
    expect(ok(await test.gql(TEAM, { id: team.id }, manager.token)).team).toMatchObject({ name: "Manager's group", memberCount: 0 });
  });

  it("an unknown user is NOT_FOUND for createTeam and addTeamMember, and nothing is created or added", async () => {
    const before = ok(await test.gql(TEAMS, { search: "Ghost team", first: 10 }, admin.token)).teams.totalCount;
    expect(refused(await test.gql(CREATE_TEAM, { input: { name: "Ghost team", memberIds: ["no-such-user"] } }, admin.token)).code).toBe(
      "NOT_FOUND",
    );
    expect(ok(await test.gql(TEAMS, { search: "Ghost team", first: 10 }, admin.token)).teams.totalCount).toBe(before);

    const team = await createTeam("Real team");
    expect(refused(await test.gql(ADD_MEMBER, { input: { teamId: team.id, userId: "no-such-user" } }, admin.token)).code).toBe(
      "NOT_FOUND",
    );
    expect(ok(await test.gql(TEAM, { id: team.id }, admin.token)).team.memberCount).toBe(0);
  });

  it("removeTeamMember with an unknown or another organization's user is NOT_FOUND and writes nothing", async () => {
    const other = await createOrganization(test);
    const theirUser = ok(
      await test.gql(CREATE_USER, { input: { email: `theirs-rm-${Date.now()}@teams.test`, displayName: "Theirs" } }, other.token),
    ).createUser.id;
    const member = await newUser("Stays");
    const team = await createTeam("Removal checks", [member]);
    const stream = teamStreamName(team.id);
    const before = (await test.app.store.readStream(stream)).length;
    for (const userId of ["no-such-user", theirUser]) {
      const answer = refused(await test.gql(REMOVE_MEMBER, { input: { teamId: team.id, userId } }, admin.token));
      expect(answer.code, userId).toBe("NOT_FOUND");
    }
    expect((await test.app.store.readStream(stream)).length).toBe(before);
    expect(ok(await test.gql(TEAM, { id: team.id }, admin.token)).team.memberCount).toBe(1);
  });

  it("a name with a control character is BAD_USER_INPUT naming the field", async () => {
    const bell = refused(await test.gql(CREATE_TEAM, { input: { name: "A\u0007B" } }, admin.token));
    expect(bell).toMatchObject({ code: "BAD_USER_INPUT", extensions: { field: "name" } });
    const team = await createTeam("Plain name");
    for (const name of ["Two\nlines", "Tab\there", "C1\u0085control", "Nul\u0000"]) {
      const answer = refused(await test.gql(RENAME_TEAM, { input: { teamId: team.id, name } }, admin.token));
      expect(answer, JSON.stringify(name)).toMatchObject({ code: "BAD_USER_INPUT", extensions: { field: "name" } });
    }
    expect(ok(await test.gql(TEAM, { id: team.id }, admin.token)).team.name).toBe("Plain name");
  });

  it("an unknown team is NOT_FOUND everywhere", async () => {
    const user = await newUser("Lonely");
    expect(refused(await test.gql(TEAM, { id: "no-such-team" }, admin.token)).code).toBe("NOT_FOUND");
    expect(refused(await test.gql(RENAME_TEAM, { input: { teamId: "no-such-team", name: "x" } }, admin.token)).code).toBe("NOT_FOUND");
    expect(refused(await test.gql(ADD_MEMBER, { input: { teamId: "no-such-team", userId: user } }, admin.token)).code).toBe("NOT_FOUND");
    expect(refused(await test.gql(REMOVE_MEMBER, { input: { teamId: "no-such-team", userId: user } }, admin.token)).code).toBe(
      "NOT_FOUND",
    );
    const created = refused(
      await test.gql(CREATE_USER, { input: { email: `x-${Date.now()}@teams.test`, displayName: "X", teamIds: ["no-such-team"] } }, admin.token),
    );
    expect(created.code).toBe("NOT_FOUND");
  });

  it("another organization's team and users are NOT_FOUND and stay untouched", async () => {
    const other = await createOrganization(test);
    const theirUser = ok(
      await test.gql(CREATE_USER, { input: { email: `theirs-${Date.now()}@teams.test`, displayName: "Theirs" } }, other.token),
    ).createUser.id;
    const theirTeam = ok(await test.gql(CREATE_TEAM, { input: { name: "Their team", memberIds: [theirUser] } }, other.token)).createTeam;
    const mine = await newUser("Mine");
    const myTeam = await createTeam("My team");

    expect(refused(await test.gql(TEAM, { id: theirTeam.id }, admin.token)).code).toBe("NOT_FOUND");
    expect(refused(await test.gql(RENAME_TEAM, { input: { teamId: theirTeam.id, name: "Hijacked" } }, admin.token)).code).toBe(
      "NOT_FOUND",
    );
    expect(refused(await test.gql(ADD_MEMBER, { input: { teamId: theirTeam.id, userId: mine } }, admin.token)).code).toBe("NOT_FOUND");
    expect(refused(await test.gql(REMOVE_MEMBER, { input: { teamId: theirTeam.id, userId: theirUser } }, admin.token)).code).toBe(
      "NOT_FOUND",
    );
    expect(refused(await test.gql(ADD_MEMBER, { input: { teamId: myTeam.id, userId: theirUser } }, admin.token)).code).toBe("NOT_FOUND");
    expect(refused(await test.gql(CREATE_TEAM, { input: { name: "Poach", memberIds: [theirUser] } }, admin.token)).code).toBe(
      "NOT_FOUND",
    );
    const listed = ok(await test.gql(TEAMS, { search: "Their team", first: 10 }, admin.token)).teams;
    expect(listed.totalCount).toBe(0);

    expect(ok(await test.gql(TEAM, { id: theirTeam.id }, other.token)).team).toMatchObject({
      name: "Their team",
      memberCount: 1,
      members: { nodes: [{ id: theirUser }] },
    });
  });

  it("a LEARNER is FORBIDDEN from team queries and mutations", async () => {
    const team = await createTeam("Off limits", [learner.userId]);
    const attempts: [string, string, Record<string, unknown>][] = [
      ["team", TEAM, { id: team.id }],
      ["teams", TEAMS, { first: 10 }],
      ["createTeam", CREATE_TEAM, { input: { name: "Learner team" } }],
      ["renameTeam", RENAME_TEAM, { input: { teamId: team.id, name: "Renamed by learner" } }],
      ["addTeamMember", ADD_MEMBER, { input: { teamId: team.id, userId: manager.userId } }],
      ["removeTeamMember", REMOVE_MEMBER, { input: { teamId: team.id, userId: learner.userId } }],
    ];
    for (const [name, query, variables] of attempts) {
      expect(refused(await test.gql(query, variables, learner.token)).code, name).toBe("FORBIDDEN");
    }
    expect(ok(await test.gql(TEAM, { id: team.id }, admin.token)).team).toMatchObject({
      name: "Off limits",
      memberCount: 1,
      members: { nodes: [{ id: learner.userId }] },
    });
  });
});

describe("§0 team queries", () => {
  let org: Org;
  const teamIds: Record<string, string> = {};

  beforeAll(async () => {
    org = await createOrganization(test);
    for (const name of ["Ops", "alpha crew", "Beta Testers", "Data Team", "data science", "Echo"]) {
      teamIds[name] = ok(await test.gql(CREATE_TEAM, { input: { name } }, org.token)).createTeam.id;
    }
  });

  it("teams lists by name (case-insensitively) with totalCount and cursor pagination", async () => {
    const names: string[] = [];
    let after: string | null = null;
    for (let pages = 1; ; pages++) {
      const page: any = ok(await test.gql(TEAMS, { first: 4, after }, org.token)).teams;
      expect(page.totalCount).toBe(6);
      expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
      expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor ?? null);
      names.push(...page.nodes.map((t: { name: string }) => t.name));
      if (!page.pageInfo.hasNextPage) {
        expect(pages).toBe(2);
        break;
      }
      after = page.pageInfo.endCursor;
    }
    expect(names).toEqual(["alpha crew", "Beta Testers", "Data Team", "data science", "Echo", "Ops"].sort((a, b) =>
      a.toLowerCase().localeCompare(b.toLowerCase()),
    ));
  });

  it("teams(search) finds words in the name, case-insensitively", async () => {
    const found = ok(await test.gql(TEAMS, { search: "DATA", first: 10 }, org.token)).teams;
    expect(found.totalCount).toBe(2);
    expect(found.nodes.map((t: { name: string }) => t.name)).toEqual(["data science", "Data Team"]);
    expect(ok(await test.gql(TEAMS, { search: "zzz", first: 10 }, org.token)).teams.totalCount).toBe(0);
    expect(ok(await test.gql(TEAMS, { search: "%", first: 10 }, org.token)).teams.totalCount).toBe(0);
  });

  it("User.teams shows a user's teams, through me and through users", async () => {
    const password = "correct horse battery 6";
    const email = `teamed-${Date.now()}@teams.test`;
    ok(
      await test.gql(
        `mutation ($input: CreateUserInput!) { createUser(input: $input) { id } }`,
        { input: { email, displayName: "Teamed Learner", password, teamIds: [teamIds.Echo, teamIds["alpha crew"]] } },
        org.token,
      ),
    );
    const signedIn = ok(
      await test.gql(`mutation ($input: SignInInput!) { signIn(input: $input) { token user { id } } }`, { input: { email, password } }),
    ).signIn;
    const userId = signedIn.user.id;
    ok(await test.gql(ADD_MEMBER, { input: { teamId: teamIds.Ops, userId } }, org.token));

    const me = ok(await test.gql(`{ me { id teams { nodes { id name } } } }`, {}, signedIn.token)).me;
    // By name, whatever the case.
    expect(me.teams.nodes.map((t: { name: string }) => t.name)).toEqual(["alpha crew", "Echo", "Ops"]);
    expect(me.teams.nodes.find((t: { name: string }) => t.name === "Ops").id).toBe(teamIds.Ops);

    const listed = ok(
      await test.gql(`{ users(first: 100) { nodes { id teams { totalCount nodes { name } } } } }`, {}, org.token),
    ).users.nodes as { id: string; teams: { totalCount: number; nodes: { name: string }[] } }[];
    expect(listed.find((u) => u.id === userId)!.teams).toEqual({
      totalCount: 3,
      nodes: [{ name: "alpha crew" }, { name: "Echo" }, { name: "Ops" }],
    });
    expect(listed.find((u) => u.id === org.userId)!.teams).toEqual({ totalCount: 0, nodes: [] });

    ok(await test.gql(REMOVE_MEMBER, { input: { teamId: teamIds.Echo, userId } }, org.token));
    expect(ok(await test.gql(`{ me { teams { nodes { name } } } }`, {}, signedIn.token)).me.teams.nodes).toEqual([
      { name: "alpha crew" },
      { name: "Ops" },
    ]);
    // The team's members and users(filter: { teamId }) agree.
    const members = ok(await test.gql(TEAM, { id: teamIds.Ops }, org.token)).team.members.nodes.map((m: { id: string }) => m.id);
    const filtered = ok(
      await test.gql(`query ($teamId: ID!) { users(first: 100, filter: { teamId: $teamId }) { nodes { id } } }`, { teamId: teamIds.Ops }, org.token),
    ).users.nodes.map((u: { id: string }) => u.id);
    expect(members).toEqual([userId]);
    expect(filtered).toEqual(members);
  });
});

describe("§0 list relations are paginated", () => {
  const MEMBERS = `query ($id: ID!, $first: Int!, $after: String) {
    team(id: $id) { memberCount members(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { displayName } } }
  }`;
  const USER_TEAMS = `query ($id: ID!, $first: Int!, $after: String) {
    user(id: $id) { teams(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } nodes { name } } }
  }`;

  it("Team.members pages by name with first/after; the pages join up to the whole team", async () => {
    const names = ["Eve Paged", "bob Paged", "Dan Paged", "alice Paged", "Carl Paged"];
    const team = await createTeam("Paged members", await Promise.all(names.map((name) => newUser(name))));
    const seen: string[] = [];
    let after: string | null = null;
    for (let pageNumber = 1; ; pageNumber++) {
      const members: any = ok(await test.gql(MEMBERS, { id: team.id, first: 2, after }, admin.token)).team.members;
      expect(members.totalCount).toBe(5);
      expect(members.nodes.length).toBeLessThanOrEqual(2);
      seen.push(...members.nodes.map((node: { displayName: string }) => node.displayName));
      if (!members.pageInfo.hasNextPage) break;
      after = members.pageInfo.endCursor;
      expect(pageNumber).toBeLessThan(3);
    }
    expect(seen).toEqual(["alice Paged", "bob Paged", "Carl Paged", "Dan Paged", "Eve Paged"]);
  });

  it("User.teams pages by name with first/after", async () => {
    const user = await newUser("Many Teams");
    for (const name of ["T3 paged", "t1 paged", "T2 paged"]) await createTeam(name, [user]);
    const firstPage = ok(await test.gql(USER_TEAMS, { id: user, first: 2 }, admin.token)).user.teams;
    expect(firstPage).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: true }, nodes: [{ name: "t1 paged" }, { name: "T2 paged" }] });
    const secondPage = ok(await test.gql(USER_TEAMS, { id: user, first: 2, after: firstPage.pageInfo.endCursor }, admin.token)).user.teams;
    expect(secondPage).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: false }, nodes: [{ name: "T3 paged" }] });
  });

  it("a page is 1 to 100 entries and a cursor of another list is refused: BAD_USER_INPUT", async () => {
    const team = await createTeam("Bounded");
    for (const first of [0, 101]) {
      const refusal = refused(await test.gql(MEMBERS, { id: team.id, first }, admin.token));
      expect(refusal).toMatchObject({ code: "BAD_USER_INPUT", extensions: { field: "first" } });
    }
    const sessionCursor = Buffer.from(JSON.stringify(["STARTS_AT", "x", "y"])).toString("base64url");
    expect(refused(await test.gql(MEMBERS, { id: team.id, first: 2, after: sessionCursor }, admin.token)).extensions.field).toBe("after");
    expect(refused(await test.gql(USER_TEAMS, { id: admin.userId, first: 2, after: "garbage" }, admin.token)).extensions.field).toBe("after");
  });
});

describe("S5 private sessions targeting a team", () => {
  const SESSION = `query ($id: ID!) { session(id: $id) { id status } }`;
  const SESSIONS = `{ sessions(first: 100) { nodes { id } } }`;
  let teamId: string;
  let member: Member;
  let outsider: Member;
  let trainer: Member;

  async function transition(sessionId: string, mutation: "markSessionAsLead" | "planSession" | "confirmSession") {
    const inputType = mutation === "confirmSession" ? "ConfirmSessionInput" : "ChangeSessionStatusInput";
    ok(await test.gql(`mutation ($input: ${inputType}!) { ${mutation}(input: $input) { id } }`, { input: { sessionId } }, admin.token));
  }

  async function privateSession(name: string, audience: Record<string, unknown>): Promise<string> {
    const sessionId = await createReadySession(test, admin.token, { name });
    ok(
      await test.gql(
        `mutation ($input: SetSessionAudienceInput!) { setSessionAudience(input: $input) { id } }`,
        { input: { sessionId, mode: "PRIVATE", ...audience } },
        admin.token,
      ),
    );
    return sessionId;
  }

  /** Whether `token` sees the session, with session(id) and sessions agreeing. */
  async function sees(token: string, sessionId: string): Promise<boolean> {
    const listed = ok(await test.gql(SESSIONS, {}, token)).sessions.nodes.some((s: { id: string }) => s.id === sessionId);
    const single = await test.gql(SESSION, { id: sessionId }, token);
    if (single.errors) expect(refused(single).code).toBe("NOT_FOUND");
    expect(!single.errors, "session(id) and sessions agree").toBe(listed);
    return listed;
  }

  beforeAll(async () => {
    [member, outsider, trainer] = await Promise.all([
      addMember(test, admin.token, ["LEARNER"]),
      addMember(test, admin.token, ["LEARNER"]),
      addMember(test, admin.token, ["TRAINER"]),
    ]);
    teamId = (await createTeam("Private cohort", [member.userId])).id;
  });

  it("a member learner sees it once PLANNED (not as DRAFT or LEAD); an outsider never; staff always", async () => {
    const sessionId = await privateSession("Cohort workshop", { targetTeamIds: [teamId] });
    for (const who of [member, outsider]) expect(await sees(who.token, sessionId)).toBe(false); // DRAFT
    for (const staff of [admin.token, manager.token, trainer.token]) expect(await sees(staff, sessionId)).toBe(true);

    await transition(sessionId, "markSessionAsLead");
    for (const who of [member, outsider]) expect(await sees(who.token, sessionId)).toBe(false); // LEAD
    expect(await sees(trainer.token, sessionId)).toBe(true);

    await transition(sessionId, "planSession");
    expect(await sees(member.token, sessionId)).toBe(true);
    expect(await sees(outsider.token, sessionId)).toBe(false);
    for (const staff of [admin.token, manager.token, trainer.token]) expect(await sees(staff, sessionId)).toBe(true);

    await transition(sessionId, "confirmSession");
    expect(await sees(member.token, sessionId)).toBe(true);
    expect(await sees(outsider.token, sessionId)).toBe(false);
  });

  it("after removeTeamMember the learner no longer sees it, with the same token; adding them back shows it again", async () => {
    const sessionId = await privateSession("Cohort follow-up", { targetTeamIds: [teamId] });
    await transition(sessionId, "planSession");
    expect(await sees(member.token, sessionId)).toBe(true);

    ok(await test.gql(REMOVE_MEMBER, { input: { teamId, userId: member.userId } }, admin.token));
    expect(await sees(member.token, sessionId)).toBe(false);

    ok(await test.gql(ADD_MEMBER, { input: { teamId, userId: member.userId } }, admin.token));
    expect(await sees(member.token, sessionId)).toBe(true);
  });

  it("a learner targeted directly sees it once PLANNED, never as DRAFT", async () => {
    const sessionId = await privateSession("One-to-one", { targetUserIds: [outsider.userId] });
    expect(await sees(outsider.token, sessionId)).toBe(false);
    await transition(sessionId, "planSession");
    expect(await sees(outsider.token, sessionId)).toBe(true);
    expect(await sees(member.token, sessionId)).toBe(false);
  });

  it("a private session with no target is seen by no learner, only by staff", async () => {
    const sessionId = await privateSession("Nobody's session", {});
    await transition(sessionId, "planSession");
    for (const who of [member, outsider, learner]) expect(await sees(who.token, sessionId)).toBe(false);
    for (const staff of [admin.token, manager.token, trainer.token]) expect(await sees(staff, sessionId)).toBe(true);
  });

  it("a public PLANNED session is seen by every learner (control)", async () => {
    const sessionId = await createReadySession(test, admin.token, { name: "Open day" });
    expect(await sees(member.token, sessionId)).toBe(false);
    await transition(sessionId, "planSession");
    for (const who of [member, outsider, learner]) expect(await sees(who.token, sessionId)).toBe(true);
  });
});
