/**
 * Query cost and alias limits (MAX_QUERY_COST, MAX_QUERY_ALIASES): an operation over a limit is
 * refused with QUERY_TOO_COMPLEX — the cost or the aliases, and the limit, in `extensions` —
 * before anything executes, over HTTP and over WebSocket alike. Lists are counted with their
 * `first` (variables included) or, without pagination, an assumed size.
 */
import type { Client } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { HashChainVerifier } from "../../src/domain/audit/history.js";
import {
  addMember,
  createOrganization,
  ok,
  refused,
  startTestServer,
  type GraphQLResponse,
  type Member,
  type TestServer,
} from "../support/test-server.js";
import { overWs, type WsOutcome } from "../support/ws-operation.js";

// A members-of-teams fan-out, each list paginated (20 by default), 10 levels deep (under the depth limit).
const NESTED_MEMBERS = `{ me { teams { nodes { members { nodes { teams { nodes { members { nodes { id email } } } } } } } } } }`;
const ALIASED_VERIFICATIONS = (count: number) =>
  `{ ${Array.from({ length: count }, (_, i) => `v${i}: verifyEventHistory { intact }`).join(" ")} }`;
const TEAMS_PAGE = `query ($first: Int!) { teams(first: $first) { nodes { id members(first: 10) { nodes { id teams(first: 10) { nodes { id members(first: 10) { nodes { id } } } } } } } } }`;

let test: TestServer;
let admin: Awaited<ReturnType<typeof createOrganization>>;
let learner: Member;

beforeAll(async () => {
  // The side-effect runner's periodic sweep reads the read models too: keep it out of the statements.
  test = await startTestServer({ SIDE_EFFECT_SWEEP_INTERVAL_MS: "3600000" }, { recordSql: true });
  admin = await createOrganization(test);
  learner = await addMember(test, admin.token, ["LEARNER"]);
  const colleagues = await Promise.all([1, 2, 3].map(() => addMember(test, admin.token, ["LEARNER"])));
  ok(
    await test.gql(
      `mutation ($input: CreateTeamInput!) { createTeam(input: $input) { id } }`,
      { input: { name: "Cohort", memberIds: [admin.userId, learner.userId, ...colleagues.map((c) => c.userId)] } },
      admin.token,
    ),
  );
});
afterAll(() => test.stop());

/** The read-model statements run while `run` does. */
async function statements(run: () => Promise<unknown>): Promise<string[]> {
  test.sql.length = 0;
  await run();
  return [...test.sql];
}

/** Counts the events verifyEventHistory checks (the verifier is only used by it). */
function spyOnVerification() {
  return vi.spyOn(HashChainVerifier.prototype, "check");
}

describe("query cost over HTTP", () => {
  it("the nested members query (depth 10, under the depth limit) is refused with its cost and the limit, before it runs", async () => {
    // Authenticating the caller reads the read models: that is all a refused query may read.
    const authentication = await statements(() => test.gql(`{ __typename }`, {}, learner.token));
    let result: GraphQLResponse | undefined;
    const read = await statements(async () => (result = await test.gql(NESTED_MEMBERS, {}, learner.token)));
    const error = refused(result!);
    expect(error.code).toBe("QUERY_TOO_COMPLEX");
    expect(error.extensions).toEqual({ code: "QUERY_TOO_COMPLEX", cost: expect.any(Number), limit: 20_000 });
    expect(error.extensions.cost).toBeGreaterThan(20_000);
    expect(error.message).toMatch(/costs \d+; the limit is 20000/);
    expect(result!.data ?? null).toBeNull();
    expect(read, "nothing but the authentication was read").toEqual(authentication);

    // Control: a shallow version runs and reads more.
    let shallow: GraphQLResponse | undefined;
    // (A learner reads their team's size, not its members: Team.members is staff's.)
    const readByShallow = await statements(async () => (shallow = await test.gql(`{ me { teams { nodes { memberCount } } } }`, {}, learner.token)));
    expect(ok(shallow!).me.teams.nodes[0].memberCount).toBe(5);
    expect(readByShallow.length).toBeGreaterThan(authentication.length);
  });

  it("counts a paginated list with its `first`, also when it comes from a variable", async () => {
    const small = ok(await test.gql(TEAMS_PAGE, { first: 5 }, admin.token));
    expect(small.teams.nodes).toHaveLength(1);
    const large = refused(await test.gql(TEAMS_PAGE, { first: 100 }, admin.token));
    expect(large.code).toBe("QUERY_TOO_COMPLEX");
    expect(large.extensions.cost).toBeGreaterThan(large.extensions.limit);
  });

  it("1,000 aliases of verifyEventHistory are refused with the alias count and the limit; nothing is verified", async () => {
    const checked = spyOnVerification();
    try {
      const result = await test.gql(ALIASED_VERIFICATIONS(1000), {}, admin.token);
      const error = refused(result);
      expect(error.extensions).toEqual({ code: "QUERY_TOO_COMPLEX", aliases: 1000, limit: 30 });
      expect(result.data ?? null).toBeNull();
      expect(checked).not.toHaveBeenCalled();

      // Control: within the limit they run (the spy sees the first), one at a time per caller: the others are refused
      // (and as the field is non-null, the whole answer with them).
      const few = await test.gql(ALIASED_VERIFICATIONS(3), {}, admin.token);
      expect(few.data ?? null).toBeNull();
      expect(few.errors?.[0]).toMatchObject({ path: ["v1"], extensions: { code: "TOO_MANY_VERIFICATIONS", limit: 1 } });
      expect(checked).toHaveBeenCalled();
    } finally {
      checked.mockRestore();
    }
  });

  it("aliases hidden in a fragment spread several times are counted at each spread", async () => {
    const aliases = Array.from({ length: 8 }, (_, i) => `a${i}: id`).join(" ");
    const query = `query { me { ...F teams { nodes { members { nodes { ...F } } } } } organization { id } }
      fragment F on User { ${aliases} x: email y: displayName }`;
    const error = refused(await test.gql(query.replace("organization { id }", "o: me { ...F } p: me { ...F }"), {}, admin.token));
    expect(error.extensions).toEqual({ code: "QUERY_TOO_COMPLEX", aliases: 42, limit: 30 });
    expect(ok(await test.gql(query, {}, admin.token)).me.a0).toBe(admin.userId);
  });

  it("a fragment fanned out within the depth limit is refused once it passes 10,000 selections, without walking them all", async () => {
    // Each fragment spreads the next one 4 times: 4^8 selections from ~1 kB of text, 11 levels deep.
    let document = `query { __schema { types { ...F0 } } }\n`;
    for (let i = 0; i < 8; i++) document += `fragment F${i} on __Type { ofType { ${Array(4).fill(`...F${i + 1}`).join(" ")} } }\n`;
    document += `fragment F8 on __Type { name }`;
    const error = refused(await test.gql(document, {}, admin.token));
    expect(error.extensions).toEqual({ code: "QUERY_TOO_COMPLEX", limit: 20_000 });
    expect(error.message).toMatch(/more than 10000 fields/);
  });
});

describe("query cost over WebSocket", () => {
  it("the nested members query is refused with QUERY_TOO_COMPLEX before it runs", async () => {
    const client = test.ws(learner.token);
    await overWs(client, `{ __typename }`); // connected and acknowledged
    let outcome: WsOutcome | undefined;
    const read = await statements(async () => (outcome = await overWs(client, NESTED_MEMBERS)));
    expect(outcome!.data ?? null).toBeNull();
    expect(outcome!.errors).toHaveLength(1);
    expect(outcome!.errors[0]!.extensions).toEqual({ code: "QUERY_TOO_COMPLEX", cost: expect.any(Number), limit: 20_000 });
    expect(read, "not even the token was looked up").toEqual([]);
  });

  it("1,000 aliases are refused with QUERY_TOO_COMPLEX; a small query on the same connection still runs", async () => {
    const client = test.ws(admin.token);
    const checked = spyOnVerification();
    try {
      const outcome = await overWs(client, ALIASED_VERIFICATIONS(1000));
      expect(outcome.errors.map((e) => e.extensions)).toEqual([{ code: "QUERY_TOO_COMPLEX", aliases: 1000, limit: 30 }]);
      expect(checked).not.toHaveBeenCalled();
    } finally {
      checked.mockRestore();
    }
    const small = await overWs(client, TEAMS_PAGE, { first: 5 });
    expect(small.errors).toEqual([]);
    const large = await overWs(client, TEAMS_PAGE, { first: 100 });
    expect(large.errors[0]!.extensions?.code).toBe("QUERY_TOO_COMPLEX");
  });
});

describe("the limits are settings", () => {
  let strict: TestServer;
  beforeAll(async () => {
    strict = await startTestServer({ MAX_QUERY_COST: "50", MAX_QUERY_ALIASES: "2" });
  });
  afterAll(() => strict.stop());

  it("MAX_QUERY_COST and MAX_QUERY_ALIASES lower the limits on both transports", async () => {
    const org = await createOrganization(strict);
    expect(refused(await strict.gql(TEAMS_PAGE, { first: 5 }, org.token)).extensions).toEqual({
      code: "QUERY_TOO_COMPLEX",
      cost: 6111,
      limit: 50,
    });
    expect(refused(await strict.gql(`{ a: me { id } b: me { id } c: me { id } }`, {}, org.token)).extensions).toEqual({
      code: "QUERY_TOO_COMPLEX",
      aliases: 3,
      limit: 2,
    });
    ok(await strict.gql(`{ a: me { id } b: me { id } }`, {}, org.token));
    const overWebSocket = await overWs(strict.ws(org.token), `{ a: me { id } b: me { id } c: me { id } }`);
    expect(overWebSocket.errors[0]!.extensions).toEqual({ code: "QUERY_TOO_COMPLEX", aliases: 3, limit: 2 });
  });
});
