/**
 * Input bounds (src/graphql/input-bounds.ts), checked on every operation before it executes, over
 * HTTP and over WebSocket alike: a text over MAX_TEXT_INPUT characters, a `search` over
 * MAX_SEARCH_TEXT, a list over MAX_LIST_INPUT entries — in a variable or written in the query,
 * at the top of an argument or nested in an input object — is refused with ONE JSON error
 * `BAD_USER_INPUT` naming the field (e.g. `filter.search`), and nothing is written. Before, a
 * 60,000-character search was an INTERNAL_SERVER_ERROR (SQLite's LIKE gave up), 5,000 invalid enum
 * values ended in an uncoded "Too many errors" (now BAD_USER_INPUT too), and a session audience took
 * 5,000 e-mails and a 250 KB one into the event log. Controls: inputs at the bounds still work.
 * The domain bounds e-mails to 254 characters and session audiences to 1,000 entries.
 */
import type { Client } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sessionAudienceSchema } from "../../src/domain/sessions/values.js";
import { emailSchema } from "../../src/domain/shared/validation.js";
import { MAX_LIST_INPUT, MAX_SEARCH_TEXT, MAX_TEXT_INPUT } from "../../src/graphql/input-bounds.js";
import { createOrganization, ok, startTestServer, type GraphQLResponse, type TestServer } from "../support/test-server.js";
import { overWs, type WsOutcome } from "../support/ws-operation.js";

let test: TestServer;
let admin: Awaited<ReturnType<typeof createOrganization>>;
let client: Client;

beforeAll(async () => {
  test = await startTestServer();
  admin = await createOrganization(test);
  client = test.ws(admin.token);
});
afterAll(() => test.stop());

/** Sends the operation over both transports; checks that each refuses it with one BAD_USER_INPUT on `field` and writes nothing. */
async function expectRefusedEverywhere(query: string, variables: Record<string, unknown>, field: string, message: RegExp) {
  const head = await test.app.store.headPosition();
  const overHttp = await test.gql(query, variables, admin.token);
  const overWebSocket = await overWs(client, query, variables);
  for (const result of [overHttp, overWebSocket] as (GraphQLResponse | WsOutcome)[]) {
    expect(result.data ?? null).toBeNull();
    expect(result.errors).toEqual([{ message: expect.any(String), extensions: { code: "BAD_USER_INPUT", field } }]);
    expect(result.errors![0]!.message).toMatch(message);
    expect(result.errors![0]!.message).toContain(field);
  }
  expect(await test.app.store.headPosition()).toBe(head);
}

const USERS_SEARCH = `query ($s: String) { users(filter: { search: $s }) { totalCount } }`;
const USERS_ROLE = `query ($r: [Role!]) { users(filter: { role: $r }) { totalCount } }`;
const CREATE_SESSION = `mutation ($input: CreateSessionInput!) {
  createSession(input: $input) { id description audience { ... on PrivateAudience { invitedEmails } } }
}`;
const emails = (count: number) => Array.from({ length: count }, (_, i) => `guest${i}@people.test`);
const privateSession = (audience: Record<string, unknown>) => ({
  input: { name: "Private class", mode: "PRIVATE", audience: { mode: "PRIVATE", ...audience } },
});

describe("searches longer than MAX_SEARCH_TEXT", () => {
  const tooLong = "a".repeat(60_000);

  it("users(filter: { search }) of 60,000 characters: BAD_USER_INPUT on filter.search", async () => {
    await expectRefusedEverywhere(USERS_SEARCH, { s: tooLong }, "filter.search", /at most 200 characters/);
  });

  it("the refusal is an HTTP 400 with a JSON body", async () => {
    const response = await fetch(test.url, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${admin.token}` },
      body: JSON.stringify({ query: USERS_SEARCH, variables: { s: tooLong } }),
    });
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(((await response.json()) as any).errors[0].extensions).toEqual({ code: "BAD_USER_INPUT", field: "filter.search" });
  });

  it("one character over the bound is refused too, in sessions(filter:) and teams(search:)", async () => {
    const over = "a".repeat(MAX_SEARCH_TEXT + 1);
    await expectRefusedEverywhere(
      `query ($filter: SessionFilterInput) { sessions(filter: $filter) { totalCount } }`,
      { filter: { search: over } },
      "filter.search",
      /at most 200 characters/,
    );
    await expectRefusedEverywhere(`query ($s: String) { teams(search: $s) { totalCount } }`, { s: over }, "search", /at most 200/);
  });

  it("a search written in the query (a literal) is checked, in a fragment too", async () => {
    const literal = `"${"b".repeat(MAX_SEARCH_TEXT + 1)}"`;
    await expectRefusedEverywhere(`{ teams(search: ${literal}) { totalCount } }`, {}, "search", /at most 200/);
    await expectRefusedEverywhere(
      `query { ...Found } fragment Found on Query { users(filter: { search: ${literal} }) { totalCount } }`,
      {},
      "filter.search",
      /at most 200/,
    );
  });

  it(`control: a search of ${MAX_SEARCH_TEXT} characters is answered`, async () => {
    const search = "c".repeat(MAX_SEARCH_TEXT);
    expect(ok(await test.gql(USERS_SEARCH, { s: search }, admin.token)).users.totalCount).toBe(0);
    expect(await overWs(client, USERS_SEARCH, { s: search })).toEqual({ data: { users: { totalCount: 0 } }, errors: [] });
    expect(ok(await test.gql(`{ teams(search: "${search}") { totalCount } }`, {}, admin.token)).teams.totalCount).toBe(0);
  });
});

describe("lists longer than MAX_LIST_INPUT", () => {
  it("5,000 invalid enum values: one BAD_USER_INPUT on filter.role, no INTERNAL_SERVER_ERROR", async () => {
    await expectRefusedEverywhere(USERS_ROLE, { r: Array(5_000).fill("NOT_A_ROLE") }, "filter.role", /at most 1000 entries/);
  });

  it(`${MAX_LIST_INPUT} invalid enum values (within the bound): graphql-js's error limit is BAD_USER_INPUT too`, async () => {
    const variables = { r: Array(MAX_LIST_INPUT).fill("NOT_A_ROLE") };
    const overHttp = await test.gql(USERS_ROLE, variables, admin.token);
    const overWebSocket = await overWs(client, USERS_ROLE, variables);
    for (const result of [overHttp, overWebSocket] as (GraphQLResponse | WsOutcome)[]) {
      expect(result.errors).toHaveLength(51);
      expect(new Set(result.errors!.map((error) => error.extensions?.code))).toEqual(new Set(["BAD_USER_INPUT"]));
      expect(result.errors!.at(-1)!.message).toMatch(/Too many errors processing variables/);
      expect(JSON.stringify(result)).not.toMatch(/stacktrace|\n\s+at |node_modules|\.ts:\d+/);
    }
  });

  it("a list written in the query (a literal) is checked", async () => {
    const roles = Array(MAX_LIST_INPUT + 1).fill("LEARNER").join(", ");
    await expectRefusedEverywhere(`{ users(filter: { role: [${roles}] }) { totalCount } }`, {}, "filter.role", /at most 1000 entries/);
  });

  it(`control: ${MAX_LIST_INPUT} roles are answered`, async () => {
    const variables = { r: Array(MAX_LIST_INPUT).fill("ADMIN") };
    expect(ok(await test.gql(USERS_ROLE, variables, admin.token)).users.totalCount).toBe(1);
    expect(await overWs(client, USERS_ROLE, variables)).toEqual({ data: { users: { totalCount: 1 } }, errors: [] });
  });
});

describe("session audiences (a list nested in an input object)", () => {
  it("5,000 invited e-mails: BAD_USER_INPUT on input.audience.invitedEmails, nothing written", async () => {
    const variables = privateSession({ invitedEmails: emails(5_000) });
    await expectRefusedEverywhere(CREATE_SESSION, variables, "input.audience.invitedEmails", /at most 1000 entries/);
  });

  it("a variable inside a literal input object is checked", async () => {
    await expectRefusedEverywhere(
      `mutation ($emails: [String!]) {
        createSession(input: { name: "Private class", mode: PRIVATE, audience: { mode: PRIVATE, invitedEmails: $emails } }) { id }
      }`,
      { emails: emails(MAX_LIST_INPUT + 1) },
      "input.audience.invitedEmails",
      /at most 1000 entries/,
    );
  });

  it("a 250 KB invited e-mail: BAD_USER_INPUT on that entry, nothing written", async () => {
    const huge = `${"x".repeat(250_000)}@people.test`;
    await expectRefusedEverywhere(
      CREATE_SESSION,
      privateSession({ invitedEmails: ["ok@people.test", huge] }),
      "input.audience.invitedEmails.1",
      /at most 20000 characters/,
    );
  });

  it("an e-mail over 254 characters (under the text bound) is refused by the domain, nothing written", async () => {
    const head = await test.app.store.headPosition();
    const result = await test.gql(CREATE_SESSION, privateSession({ invitedEmails: [`${"x".repeat(250)}@people.test`] }), admin.token);
    expect(result.errors).toEqual([
      expect.objectContaining({ extensions: { code: "BAD_USER_INPUT", field: "audience.invitedEmails.0" } }),
    ]);
    expect(result.errors![0]!.message).toMatch(/at most 254 characters/);
    expect(await test.app.store.headPosition()).toBe(head);
  });

  it(`control: ${MAX_LIST_INPUT} invited e-mails and a description of ${MAX_TEXT_INPUT} characters are saved`, async () => {
    const description = "d".repeat(MAX_TEXT_INPUT);
    const variables = privateSession({ invitedEmails: emails(MAX_LIST_INPUT) });
    (variables.input as Record<string, unknown>).description = description;
    const created = ok(await test.gql(CREATE_SESSION, variables, admin.token)).createSession;
    expect(created.description).toBe(description);
    expect(created.audience.invitedEmails).toHaveLength(MAX_LIST_INPUT);
    const overWebSocket = await overWs(client, CREATE_SESSION, variables);
    expect(overWebSocket.errors).toEqual([]);
  });

  it("a description one character over MAX_TEXT_INPUT is refused on input.description", async () => {
    await expectRefusedEverywhere(
      CREATE_SESSION,
      { input: { name: "Long", description: "d".repeat(MAX_TEXT_INPUT + 1) } },
      "input.description",
      /at most 20000 characters/,
    );
  });
});

describe("domain bounds", () => {
  it("emailSchema: at most 254 characters, checked before the format", () => {
    const at254 = `${"a".repeat(254 - "@people.test".length)}@people.test`;
    expect(emailSchema.parse(` ${at254.toUpperCase()} `)).toBe(at254);
    const over = emailSchema.safeParse(`a${at254}`);
    expect(over.success).toBe(false);
    expect(over.error!.issues.map((issue) => issue.message)).toEqual(["must be at most 254 characters"]);
    expect(emailSchema.safeParse("x".repeat(300)).error!.issues.map((issue) => issue.message)).toEqual([
      "must be at most 254 characters",
    ]);
  });

  it("a private audience takes at most 1000 user ids and 1000 e-mails", () => {
    const audience = { mode: "PRIVATE", targetTeamIds: [], targetUserIds: [], invitedEmails: [] };
    expect(sessionAudienceSchema.safeParse({ ...audience, targetUserIds: Array(1000).fill("u") }).success).toBe(true);
    for (const changes of [{ targetUserIds: Array(1001).fill("u") }, { invitedEmails: emails(1001) }]) {
      const result = sessionAudienceSchema.safeParse({ ...audience, ...changes });
      expect(result.error!.issues.map((issue) => issue.message)).toEqual(["must have at most 1000 entries"]);
    }
  });
});
