/**
 * Relations respect the same rights as root queries: an object type decides what each caller sees
 * of it wherever it is reached (the `field` rows of src/domain/access/authorization.ts). A learner
 * sees of another person only the id and displayName, through a session's trainer as through
 * their own team; a team's members and a person's teams are FORBIDDEN (null) to them; an API key
 * reads people's e-mails, roles, country and teams only with people:read, also in events' data.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createReadySession } from "../support/session-setup.js";
import { addMember, createOrganization, type GraphQLResponse, type Member, ok, startTestServer, type TestServer } from "../support/test-server.js";

let test: TestServer;
let admin: Awaited<ReturnType<typeof createOrganization>>;
let trainer: Member;
let learner: Member;
let fellow: Member;
let sessionId: string;
let teamId: string;
const keys: Record<string, string> = {};
const staff: Record<string, Member> = {};

const STAFF_ROLES = ["MANAGER", "TRAINER", "HOST", "EMPLOYEE", "AUDITOR"];
const TRAINER_THROUGH_SESSION = `query ($id: ID!) {
  session(id: $id) { id name trainer { id displayName email roles status country isMember createdAt teams { nodes { id name members { nodes { id email roles } } } } } }
}`;
const MY_TEAMS = `{ me { id email roles teams { nodes { id name memberCount members { nodes { id displayName email roles } } } } } }`;
const PARTICIPANTS = `query ($id: ID!) {
  session(id: $id) { id participants { totalCount nodes { id user { id displayName email roles status country } } } }
}`;
const TEAM_MEMBERS = `query ($id: ID!) { team(id: $id) { id members { nodes { id email roles } } } }`;
const USER_REGISTERED = `{ eventHistory(filter: { types: ["UserRegistered"] }, first: 100) { nodes { type data } } }`;

async function createKey(scopes: string[]): Promise<string> {
  const created = ok(
    await test.gql(
      `mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }`,
      { input: { name: scopes.join("+"), scopes } },
      admin.token,
    ),
  ).createApiKey;
  return created.secret as string;
}

/** The codes and paths of the errors, for comparing. */
const errorsOf = (result: GraphQLResponse) =>
  (result.errors ?? []).map((error) => ({ code: error.extensions?.code, path: (error as { path?: unknown[] }).path }));

beforeAll(async () => {
  test = await startTestServer();
  admin = await createOrganization(test);
  trainer = await addMember(test, admin.token, ["TRAINER"], { country: "BE" });
  learner = await addMember(test, admin.token, ["LEARNER"], { country: "BE" });
  fellow = await addMember(test, admin.token, ["LEARNER"], { country: "FR" });
  for (const role of STAFF_ROLES) staff[role] = await addMember(test, admin.token, [role]);
  teamId = ok(
    await test.gql(
      `mutation ($input: CreateTeamInput!) { createTeam(input: $input) { id } }`,
      { input: { name: "Cohort", memberIds: [trainer.userId, learner.userId, fellow.userId] } },
      admin.token,
    ),
  ).createTeam.id;
  sessionId = await createReadySession(test, admin.token, { name: "Open day", min: 10 });
  ok(
    await test.gql(
      `mutation ($input: SetSessionFormatInput!) { setSessionFormat(input: $input) { id } }`,
      { input: { sessionId, kind: "WEBINAR", link: "https://meet.example.com/open", trainerId: trainer.userId } },
      admin.token,
    ),
  );
  ok(await test.gql(`mutation ($input: ChangeSessionStatusInput!) { planSession(input: $input) { id } }`, { input: { sessionId } }, admin.token));
  for (const person of [learner, fellow]) {
    ok(await test.gql(`mutation ($input: RegisterForSessionInput!) { registerForSession(input: $input) { id } }`, { input: { sessionId } }, person.token));
  }
  for (const scope of ["SESSIONS_READ", "SESSIONS_WRITE", "PEOPLE_READ", "PEOPLE_WRITE", "EVENTS_READ", "WEBHOOKS_MANAGE"]) {
    keys[scope] = await createKey([scope]);
  }
  keys.EVENTS_AND_PEOPLE = await createKey(["EVENTS_READ", "PEOPLE_READ"]);
}, 60_000);

afterAll(async () => {
  await test?.stop();
});

describe("relations respect the same rights as root queries", () => {
  it("a LEARNER reaching a session's trainer sees their id and name only: no e-mail, roles, account or teams (and so no fellow learner)", async () => {
    const result = await test.gql(TRAINER_THROUGH_SESSION, { id: sessionId }, learner.token);
    expect(result.data?.session.trainer).toEqual({
      id: trainer.userId,
      displayName: expect.any(String),
      email: null,
      roles: null,
      status: null,
      country: null,
      isMember: null,
      createdAt: null,
      teams: null,
    });
    expect(result.data?.session.name).toBe("Open day");
    expect(errorsOf(result)).toEqual([{ code: "FORBIDDEN", path: ["session", "trainer", "teams"] }]);
    const text = JSON.stringify(result);
    for (const email of [trainer.email, fellow.email]) expect(text).not.toContain(email);
  });

  it("a LEARNER reading their own teams sees the team, not its members (FORBIDDEN on members alone); their own details stay", async () => {
    const result = await test.gql(MY_TEAMS, {}, learner.token);
    expect(result.data?.me).toEqual({
      id: learner.userId,
      email: learner.email,
      roles: ["LEARNER"],
      teams: { nodes: [{ id: teamId, name: "Cohort", memberCount: 3, members: null }] },
    });
    expect(errorsOf(result)).toEqual([{ code: "FORBIDDEN", path: ["me", "teams", "nodes", 0, "members"] }]);
    const text = JSON.stringify(result);
    for (const email of [trainer.email, fellow.email]) expect(text).not.toContain(email);
  });

  it("an API key with only sessions:read sees participants' ids and names, not their e-mails, roles, account or country", async () => {
    const result = await test.gql(PARTICIPANTS, { id: sessionId }, keys.SESSIONS_READ);
    const nodes = ok(result).session.participants.nodes as { user: Record<string, unknown> }[];
    expect(nodes.map((node) => node.user)).toEqual(
      [learner, fellow].map((person) => ({ id: person.userId, displayName: expect.any(String), email: null, roles: null, status: null, country: null })),
    );
    for (const email of [learner.email, fellow.email]) expect(JSON.stringify(result)).not.toContain(email);
  });

  it("a private audience's invited e-mails are people's details: a sessions:read key sees the ids it targets, not the e-mails", async () => {
    const privateId = await createReadySession(test, admin.token, { name: "Invitation only" });
    ok(
      await test.gql(
        `mutation ($input: SetSessionAudienceInput!) { setSessionAudience(input: $input) { id } }`,
        { input: { sessionId: privateId, mode: "PRIVATE", targetTeamIds: [teamId], invitedEmails: [fellow.email] } },
        admin.token,
      ),
    );
    const AUDIENCE = `query ($id: ID!) { session(id: $id) { audience { ... on PrivateAudience { targetTeamIds invitedEmails } } } }`;
    expect(ok(await test.gql(AUDIENCE, { id: privateId }, keys.SESSIONS_READ)).session.audience).toEqual({ targetTeamIds: [teamId], invitedEmails: [] });
    expect(ok(await test.gql(AUDIENCE, { id: privateId }, admin.token)).session.audience).toEqual({ targetTeamIds: [teamId], invitedEmails: [fellow.email] });
  });

  it("every staff role reads, through the same relations, the trainer's details, teams and the team's members", async () => {
    for (const [role, member] of [["ADMIN", { token: admin.token }], ...Object.entries(staff)] as const) {
      const session = ok(await test.gql(TRAINER_THROUGH_SESSION, { id: sessionId }, member.token)).session;
      expect(session.trainer, role).toMatchObject({ id: trainer.userId, email: trainer.email, roles: ["TRAINER"], status: "ACTIVE", country: "BE" });
      const members = session.trainer.teams.nodes.find((team: { id: string }) => team.id === teamId).members.nodes as { email: string }[];
      expect(members.map((m) => m.email).sort(), role).toEqual([trainer.email, learner.email, fellow.email].sort());
      const participants = ok(await test.gql(PARTICIPANTS, { id: sessionId }, member.token)).session.participants.nodes;
      expect(participants.map((node: { user: { email: string } }) => node.user.email), role).toEqual([learner.email, fellow.email]);
    }
  });

  it("the person themself sees all of their own details through any relation (their registration's user, a sign-in's answer)", async () => {
    const mine = ok(
      await test.gql(`query ($id: ID!) { session(id: $id) { myRegistration { user { id email roles status teams { nodes { id } } } } } }`, { id: sessionId }, learner.token),
    ).session.myRegistration.user;
    expect(mine).toEqual({ id: learner.userId, email: learner.email, roles: ["LEARNER"], status: "ACTIVE", teams: { nodes: [{ id: teamId }] } });
    const signedIn = ok(
      await test.gql(`mutation ($input: SignInInput!) { signIn(input: $input) { user { id email roles status teams { nodes { id } } } } }`, {
        input: { email: fellow.email, password: fellow.password, organizationId: admin.organizationId },
      }),
    ).signIn.user;
    // Their teams too, although the answer comes before they act as anyone.
    expect(signedIn).toEqual({ id: fellow.userId, email: fellow.email, roles: ["LEARNER"], status: "ACTIVE", teams: { nodes: [{ id: teamId }] } });
  });

  it("API keys: people:read reads people everywhere; every other single scope sees no one's e-mail or team members", async () => {
    const team = ok(await test.gql(TEAM_MEMBERS, { id: teamId }, keys.PEOPLE_READ)).team;
    expect(team.members.nodes.map((m: { email: string }) => m.email).sort()).toEqual([trainer.email, learner.email, fellow.email].sort());
    // people:write manages people but does not read them: its answers show ids and names only.
    const renamed = await test.gql(
      `mutation ($input: RenameTeamInput!) { renameTeam(input: $input) { id name members { nodes { id email } } } }`,
      { input: { teamId, name: "Cohort B" } },
      keys.PEOPLE_WRITE,
    );
    expect(renamed.data?.renameTeam).toEqual({ id: teamId, name: "Cohort B", members: null });
    expect(errorsOf(renamed)).toEqual([{ code: "FORBIDDEN", path: ["renameTeam", "members"] }]);
  });

  it("events' data: people's e-mails, roles and country are redacted for an events:read key, shown with people:read too", async () => {
    const redacted = ok(await test.gql(USER_REGISTERED, {}, keys.EVENTS_READ)).eventHistory.nodes as { data: Record<string, unknown> }[];
    const fellowEvent = redacted.find((event) => event.data.userId === fellow.userId)!;
    expect(fellowEvent.data).toMatchObject({ email: "[redacted]", roles: "[redacted]", country: "[redacted]", displayName: expect.any(String) });
    expect(JSON.stringify(redacted)).not.toContain(fellow.email);
    const shown = ok(await test.gql(USER_REGISTERED, {}, keys.EVENTS_AND_PEOPLE)).eventHistory.nodes as { data: Record<string, unknown> }[];
    expect(shown.find((event) => event.data.userId === fellow.userId)!.data).toMatchObject({ email: fellow.email, roles: ["LEARNER"], country: "FR" });
    const auditor = ok(await test.gql(USER_REGISTERED, {}, staff.AUDITOR!.token)).eventHistory.nodes as { data: Record<string, unknown> }[];
    expect(auditor.find((event) => event.data.userId === fellow.userId)!.data.email).toBe(fellow.email);
  });
});
