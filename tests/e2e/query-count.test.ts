/**
 * No N+1 (§0 people and teams): the read-model statements run for a page of sessions with their
 * assignee, trainer, host and the assignee's teams — and for a page of teams with their members
 * and the members' teams — are few and do not grow with the page size (DataLoader batches).
 * Registrations (S8): the same holds for "my sessions" with each registration's session and its trainer,
 * and for a page of sessions with the caller's own registration on each.
 * Every statement the read-model database runs is recorded (startTestServer recordSql).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOrganization, ok, startTestServer, type TestServer } from "../support/test-server.js";

const SESSIONS = `query ($first: Int!) {
  sessions(first: $first) {
    totalCount
    nodes { id assignee { id displayName teams { nodes { name } } } trainer { id displayName } host { id } }
  }
}`;
const TEAMS = `query ($first: Int!) {
  teams(first: $first) { totalCount nodes { id name memberCount members { nodes { id displayName teams { nodes { id name } } } } } }
}`;
const SESSION_COUNT = 50;
const TEAM_COUNT = 30;

let test: TestServer;
let admin: Awaited<ReturnType<typeof createOrganization>>;
const people: string[] = [];

/** Runs the operation and returns its data and the read-model statements it caused. */
async function measure(query: string, variables: Record<string, unknown>) {
  test.sql.length = 0;
  const data = ok(await test.gql(query, variables, admin.token));
  const statements = [...test.sql];
  return { data, statements };
}

async function inBatches<T>(count: number, size: number, run: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  for (let start = 0; start < count; start += size) {
    const batch = Array.from({ length: Math.min(size, count - start) }, (_, k) => run(start + k));
    results.push(...(await Promise.all(batch)));
  }
  return results;
}

beforeAll(async () => {
  // The side-effect runner's periodic sweep reads the read models too: keep it out of the counts.
  test = await startTestServer({ SIDE_EFFECT_SWEEP_INTERVAL_MS: "3600000" }, { recordSql: true });
  admin = await createOrganization(test);
  for (let i = 0; i < 5; i++) {
    const created = ok(
      await test.gql(
        `mutation ($input: CreateUserInput!) { createUser(input: $input) { id } }`,
        { input: { email: `staff${i}-${Date.now()}@count.test`, displayName: `Staff ${i}`, roles: ["MANAGER", "TRAINER", "HOST"] } },
        admin.token,
      ),
    );
    people.push(created.createUser.id);
  }
  // TEAM_COUNT teams; each person belongs to several.
  await inBatches(TEAM_COUNT, 10, async (i) =>
    ok(
      await test.gql(
        `mutation ($input: CreateTeamInput!) { createTeam(input: $input) { id } }`,
        { input: { name: `Team ${String(i).padStart(2, "0")}`, memberIds: [people[i % 5], people[(i + 2) % 5]] } },
        admin.token,
      ),
    ),
  );
  // SESSION_COUNT webinars, each with an assignee, a trainer and a host among the five people.
  await inBatches(SESSION_COUNT, 10, async (i) => {
    const sessionId = ok(
      await test.gql(
        `mutation ($input: CreateSessionInput!) { createSession(input: $input) { id } }`,
        { input: { name: `Session ${i}`, assigneeId: people[i % 5] } },
        admin.token,
      ),
    ).createSession.id;
    ok(
      await test.gql(
        `mutation ($input: SetSessionFormatInput!) { setSessionFormat(input: $input) { id } }`,
        {
          input: {
            sessionId,
            kind: "WEBINAR",
            link: `https://meet.example.com/${i}`,
            trainerId: people[(i + 1) % 5],
            hostId: people[(i + 3) % 5],
          },
        },
        admin.token,
      ),
    );
  });
});
afterAll(() => test.stop());

describe("read-model queries do not grow with the page size (DataLoader, no N+1)", () => {
  it("a page of 50 sessions with assignee (and their teams), trainer and host costs as many statements as a page of 10", async () => {
    const small = await measure(SESSIONS, { first: 10 });
    const large = await measure(SESSIONS, { first: SESSION_COUNT });
    console.log(
      `[query-count] sessions(first: 10) → ${small.statements.length} read-model statements; ` +
        `sessions(first: ${SESSION_COUNT}) → ${large.statements.length}`,
    );

    // The data is really there: every node has its people resolved.
    const nodes = large.data.sessions.nodes as any[];
    expect(large.data.sessions.totalCount).toBe(SESSION_COUNT);
    expect(nodes).toHaveLength(SESSION_COUNT);
    for (const node of nodes) {
      expect(people).toContain(node.assignee.id);
      expect(people).toContain(node.trainer.id);
      expect(people).toContain(node.host.id);
      expect(node.assignee.teams.nodes.length).toBeGreaterThan(0);
    }
    expect(new Set(nodes.map((n) => n.assignee.id)).size).toBe(5);

    expect(large.statements.length, large.statements.join("\n")).toBe(small.statements.length);
    // Authentication + list + count + one users batch + one batch of the assignees' first pages of teams.
    expect(large.statements.length, large.statements.join("\n")).toBeLessThanOrEqual(7);
    const userLookups = large.statements.filter((sql) => /FROM users/i.test(sql) && /json_each/i.test(sql));
    expect(userLookups, "assignees, trainers and hosts are loaded in one batch").toHaveLength(1);
  });

  it("totalCount is counted only when the query selects it (a count over a large organization costs more than the page)", async () => {
    const counts = (statements: string[]) => statements.filter((sql) => /^SELECT count\(\*\) AS n FROM/i.test(sql.trim()));
    const without = await measure(`query { sessions(first: 5) { nodes { id } } users(first: 5) { nodes { id } } teams(first: 5) { nodes { id } } }`, {});
    expect(without.data.sessions.nodes).toHaveLength(5);
    expect(counts(without.statements), without.statements.join("\n")).toEqual([]);
    const withCount = await measure(`query { sessions(first: 5) { totalCount } users(first: 5) { totalCount } teams(first: 5) { totalCount } }`, {});
    expect(withCount.data.sessions.totalCount).toBe(SESSION_COUNT);
    expect(withCount.data.teams.totalCount).toBe(TEAM_COUNT);
    expect(counts(withCount.statements)).toHaveLength(3);
  });

  it(`a page of ${TEAM_COUNT} teams with members and the members' teams costs no more statements than a page of 5`, async () => {
    const small = await measure(TEAMS, { first: 5 });
    const medium = await measure(TEAMS, { first: 15 });
    const large = await measure(TEAMS, { first: TEAM_COUNT });
    console.log(
      `[query-count] teams(first: 5) → ${small.statements.length} read-model statements; ` +
        `teams(first: 15) → ${medium.statements.length}; teams(first: ${TEAM_COUNT}) → ${large.statements.length}`,
    );

    const teams = large.data.teams.nodes as any[];
    expect(teams).toHaveLength(TEAM_COUNT);
    for (const team of teams) {
      expect(team.memberCount).toBe(2);
      expect(team.members.nodes).toHaveLength(2);
      for (const member of team.members.nodes) expect(member.teams.nodes.map((t: { id: string }) => t.id)).toContain(team.id);
    }

    expect(medium.statements.length, medium.statements.join("\n")).toBe(small.statements.length);
    expect(large.statements.length, large.statements.join("\n")).toBe(small.statements.length);
    // Authentication + count + page + one batch of the teams' first pages of members + one of the members' first pages of teams.
    expect(small.statements.length, small.statements.join("\n")).toBeLessThanOrEqual(6);
  });

  it("the users directory with each user's teams is constant too", async () => {
    const USERS = `query ($first: Int!) { users(first: $first) { nodes { id teams { nodes { id name } } } } }`;
    const small = await measure(USERS, { first: 2 });
    const large = await measure(USERS, { first: 6 });
    console.log(`[query-count] users(first: 2) → ${small.statements.length}; users(first: 6) → ${large.statements.length}`);
    expect(large.data.users.nodes).toHaveLength(6);
    expect(large.statements.length, large.statements.join("\n")).toBe(small.statements.length);
  });

  it("my sessions with their session, trainer and my registration, and sessions with myRegistration, are constant too (S8)", async () => {
    const REGISTERED_COUNT = 12;
    const page = ok(await test.gql(`{ sessions(first: ${REGISTERED_COUNT}) { nodes { id } } }`, {}, admin.token)).sessions
      .nodes as { id: string }[];
    for (const { id: sessionId } of page) {
      const run = async (mutation: string, inputType: string, input: Record<string, unknown>) =>
        ok(await test.gql(`mutation ($input: ${inputType}!) { ${mutation}(input: $input) { id } }`, { input }, admin.token));
      await run("setSessionSchedule", "SetSessionScheduleInput", {
        sessionId,
        startsAt: "2030-01-01T09:00:00Z",
        endsAt: "2030-01-01T17:00:00Z",
        attendanceConfirmationOffsetMinutes: 0,
      });
      await run("setSessionAudience", "SetSessionAudienceInput", { sessionId, mode: "PUBLIC", minParticipants: 5, maxParticipants: 10 });
      await run("planSession", "ChangeSessionStatusInput", { sessionId });
      await run("registerForSession", "RegisterForSessionInput", { sessionId });
    }
    // The confirmation e-mails are sent in the background, reading the read models: wait until they all went.
    const confirmed = async () =>
      ok(await test.gql(`{ mySessions(first: 100) { nodes { confirmationSentAt } } }`, {}, admin.token)).mySessions.nodes.every(
        (node: { confirmationSentAt: string | null }) => node.confirmationSentAt !== null,
      );
    for (let tries = 0; !(await confirmed()); tries++) {
      if (tries > 500) throw new Error("the confirmation e-mails were not all sent");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const MY_SESSIONS = `query ($first: Int!) { mySessions(first: $first) { totalCount nodes {
      id status user { id } session { id name registeredCount trainer { id } myRegistration { id } } } } }`;
    const small = await measure(MY_SESSIONS, { first: 3 });
    const large = await measure(MY_SESSIONS, { first: REGISTERED_COUNT });
    console.log(`[query-count] mySessions(first: 3) → ${small.statements.length}; (first: ${REGISTERED_COUNT}) → ${large.statements.length}`);
    const nodes = large.data.mySessions.nodes as any[];
    expect(large.data.mySessions.totalCount).toBe(REGISTERED_COUNT);
    expect(nodes).toHaveLength(REGISTERED_COUNT);
    for (const node of nodes) {
      expect(node.status).toBe("REGISTERED");
      expect(node.user.id).toBe(admin.userId);
      expect(node.session.registeredCount).toBe(1);
      expect(node.session.myRegistration.id).toBe(node.id);
      expect(people).toContain(node.session.trainer.id);
    }
    expect(large.statements.length, large.statements.join("\n")).toBe(small.statements.length);

    const WITH_MINE = `query ($first: Int!) { sessions(first: $first) { nodes { id registeredCount myRegistration { status } } } }`;
    const few = await measure(WITH_MINE, { first: 5 });
    const many = await measure(WITH_MINE, { first: SESSION_COUNT });
    console.log(`[query-count] sessions with myRegistration (first: 5) → ${few.statements.length}; (first: ${SESSION_COUNT}) → ${many.statements.length}`);
    const mine = (many.data.sessions.nodes as any[]).filter((n) => n.myRegistration);
    expect(mine).toHaveLength(REGISTERED_COUNT);
    expect(many.statements.length, many.statements.join("\n")).toBe(few.statements.length);
  });

  it("a page of sessions with each one's participants and waitlist (and the participants' users) costs as many statements as a smaller page", async () => {
    const WITH_PEOPLE = `query ($first: Int!) { sessions(first: $first) { nodes { id registeredCount waitlistedCount
      participants(first: 3) { totalCount pageInfo { hasNextPage } nodes { id sessionId status user { id } } }
      waitlist { totalCount nodes { id } } } } }`;
    const few = await measure(WITH_PEOPLE, { first: 5 });
    const many = await measure(WITH_PEOPLE, { first: SESSION_COUNT });
    console.log(`[query-count] sessions with participants (first: 5) → ${few.statements.length}; (first: ${SESSION_COUNT}) → ${many.statements.length}`);
    const nodes = many.data.sessions.nodes as any[];
    expect(nodes).toHaveLength(SESSION_COUNT);
    for (const node of nodes) {
      expect(node.participants.totalCount).toBe(node.registeredCount);
      expect(node.participants.nodes).toHaveLength(Math.min(3, node.registeredCount));
      expect(node.participants.nodes.every((p: any) => p.sessionId === node.id && p.status === "REGISTERED")).toBe(true);
      expect(node.waitlist.totalCount).toBe(node.waitlistedCount);
    }
    expect(nodes.some((node) => node.registeredCount > 0)).toBe(true);
    expect(many.statements.length, many.statements.join("\n")).toBe(few.statements.length);
  });
});
