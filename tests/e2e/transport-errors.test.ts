/**
 * Every refusal of the HTTP and WebSocket layer is JSON `{ errors: [{ message, extensions: { code } }] }`
 * with a stable code and no stack trace or file path, in production and development alike:
 * malformed JSON (BAD_REQUEST), a body over MAX_REQUEST_BYTES (PAYLOAD_TOO_LARGE, 413), an
 * unknown route (NOT_FOUND), validation errors over WebSocket (as Apollo codes them over HTTP).
 * A WebSocket message over MAX_REQUEST_BYTES closes the connection with 1009 (Message Too Big).
 * Introspection and "did you mean" suggestions follow GRAPHQL_INTROSPECTION (default: off in
 * production) on both transports.
 */
import type { Client } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { createOrganization, type TestServer, startTestServer } from "../support/test-server.js";
import { overWs, type WsOutcome } from "../support/ws-operation.js";

type Answer = { status: number; contentType: string | null; text: string; body: any };
async function post(test: TestServer, body: string, headers: Record<string, string> = {}, path = "/graphql"): Promise<Answer> {
  return answer(
    await fetch(test.url.replace(/\/graphql$/, path), { method: "POST", headers: { "content-type": "application/json", ...headers }, body }),
  );
}

async function answer(response: Response): Promise<Answer> {
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, contentType: response.headers.get("content-type"), text, body };
}

/** JSON with one error of this code, and nothing of the server's insides. */
function expectJsonError(result: Answer, status: number, code: string): string {
  expect(result.contentType).toMatch(/^application\/json/);
  expect(result.status).toBe(status);
  expect(result.body, result.text).toEqual({ errors: [{ message: expect.any(String), extensions: { code } }] });
  expect(result.text).not.toMatch(/<html|stack|node_modules|\bat \w+ \(|\/src\/|\.ts:\d/i);
  expect(result.text).not.toContain(process.cwd());
  return result.body.errors[0].message;
}

/** Opens a raw graphql-transport-ws socket, sends `message` before anything else, and reports how it closed. */
function sendRaw(test: TestServer, message: string): Promise<{ code: number; reason: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(test.url.replace(/^http/, "ws"), "graphql-transport-ws");
    socket.on("open", () => socket.send(message));
    socket.on("error", () => undefined); // the close event reports what happened
    socket.on("close", (code, reason) => resolve({ code, reason: reason.toString() }));
    setTimeout(() => reject(new Error("the server neither answered nor closed")), 10_000).unref();
  });
}

describe.each([
  { mode: "production", NODE_ENV: "production" },
  { mode: "development", NODE_ENV: "development" },
])("HTTP refusals in $mode mode", ({ NODE_ENV }) => {
  let test: TestServer;
  beforeAll(async () => {
    test = await startTestServer({ NODE_ENV, JWT_SECRET: "a-test-secret-of-more-than-32-characters" });
  });
  afterAll(() => test.stop());

  it("malformed JSON: 400 BAD_REQUEST", async () => {
    expect(expectJsonError(await post(test, `{ "query": "{ __typename }"`), 400, "BAD_REQUEST")).toMatch(/JSON/);
  });

  it("a body over the limit (1 MB by default): 413 PAYLOAD_TOO_LARGE", async () => {
    const body = JSON.stringify({ query: "{ __typename }", variables: { padding: "x".repeat(1024 * 1024) } });
    expect(expectJsonError(await post(test, body), 413, "PAYLOAD_TOO_LARGE")).toMatch(/1048576 bytes/);
    // Control: the same request without the padding is answered.
    expect((await post(test, JSON.stringify({ query: "{ __typename }" }))).body).toEqual({ data: { __typename: "Query" } });
  });

  it("an unknown route or method: 404 NOT_FOUND", async () => {
    expectJsonError(await answer(await fetch(test.url.replace(/\/graphql$/, "/nowhere"))), 404, "NOT_FOUND");
    expectJsonError(await post(test, "{}", {}, "/health"), 404, "NOT_FOUND");
    expectJsonError(await answer(await fetch(test.url.replace(/\/graphql$/, "/health"), { method: "DELETE" })), 404, "NOT_FOUND");
  });

  it("an unsupported charset: JSON with BAD_REQUEST", async () => {
    expectJsonError(await post(test, "{}", { "content-type": "application/json; charset=latin9" }), 415, "BAD_REQUEST");
  });
});

describe("size limit shared by HTTP and WebSocket (MAX_REQUEST_BYTES)", () => {
  let test: TestServer;
  beforeAll(async () => {
    test = await startTestServer({ MAX_REQUEST_BYTES: "4096" });
  });
  afterAll(() => test.stop());

  const operation = (size: number) => JSON.stringify({ query: "{ __typename }", variables: { padding: "x".repeat(size) } });

  it("HTTP: a body under the limit is answered, one over it is refused with 413", async () => {
    expect((await post(test, operation(3000))).body).toEqual({ data: { __typename: "Query" } });
    expect(expectJsonError(await post(test, operation(5000)), 413, "PAYLOAD_TOO_LARGE")).toMatch(/4096 bytes/);
  });

  it("WebSocket: an oversized message, even before connection_init, closes the connection with 1009 PAYLOAD_TOO_LARGE", async () => {
    const closed = await sendRaw(test, JSON.stringify({ type: "connection_init", payload: { padding: "x".repeat(20_000) } }));
    expect(closed).toEqual({ code: 1009, reason: expect.stringMatching(/^PAYLOAD_TOO_LARGE: .*4096 bytes/) });
    // Control: a small message is read (an unknown message type closes with graphql-ws's 4400).
    expect((await sendRaw(test, JSON.stringify({ type: "unknown" }))).code).toBe(4400);
  });

  it("WebSocket: a subscribe message over the limit closes the connection; one under it is answered", async () => {
    const org = await createOrganization(test);
    const small = await overWs(test.ws(org.token), "{ __typename }", undefined, { padding: "x".repeat(3000) });
    expect(small).toEqual({ data: { __typename: "Query" }, errors: [] });
    const large = overWs(test.ws(org.token), "{ __typename }", undefined, { padding: "x".repeat(5000) });
    await expect(large).rejects.toMatchObject({ code: 1009 });
  });
});

describe("validation errors over WebSocket carry Apollo's codes", () => {
  let test: TestServer;
  let client: Client;
  beforeAll(async () => {
    test = await startTestServer();
    client = test.ws((await createOrganization(test)).token);
  });
  afterAll(() => test.stop());

  it("an unknown field: GRAPHQL_VALIDATION_FAILED", async () => {
    const outcome = await overWs(client, `{ me { idd } }`);
    expect(outcome.errors.map((e) => e.extensions?.code)).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
  });

  it("a syntax error: GRAPHQL_PARSE_FAILED, and the connection stays usable", async () => {
    const outcome = await overWs(client, `{ me { id }`);
    expect(outcome.errors.map((e) => e.extensions?.code)).toEqual(["GRAPHQL_PARSE_FAILED"]);
    expect(await overWs(client, `{ me { id } }`)).toMatchObject({ errors: [], data: { me: { id: expect.any(String) } } });
  });

  it("a variable of the wrong type: BAD_USER_INPUT", async () => {
    const outcome = await overWs(client, `query ($first: Int!) { sessions(first: $first) { totalCount } }`, { first: "many" });
    expect(outcome.errors.map((e) => e.extensions?.code)).toEqual(["BAD_USER_INPUT"]);
  });
});

const INTROSPECTION = `{ __schema { queryType { name } } }`;
const TYPO = `{ me { idd } }`;

describe.each<{ title: string; env: Record<string, string>; enabled: boolean }>([
  { title: "production by default", env: { NODE_ENV: "production" }, enabled: false },
  { title: "GRAPHQL_INTROSPECTION=false", env: { GRAPHQL_INTROSPECTION: "false" }, enabled: false },
  { title: "development by default", env: { NODE_ENV: "development" }, enabled: true },
  { title: "production with GRAPHQL_INTROSPECTION=true", env: { NODE_ENV: "production", GRAPHQL_INTROSPECTION: "true" }, enabled: true },
])("introspection and suggestions: $title", ({ env, enabled }) => {
  let test: TestServer;
  let token: string;
  beforeAll(async () => {
    test = await startTestServer({ JWT_SECRET: "a-test-secret-of-more-than-32-characters", ...env });
    token = (await createOrganization(test)).token;
  });
  afterAll(() => test.stop());

  it(`introspection is ${enabled ? "answered" : "refused"} over HTTP and over an anonymous WebSocket`, async () => {
    const overHttp = await test.gql(INTROSPECTION);
    const overWebSocket = await overWs(test.ws(), INTROSPECTION);
    for (const result of [overHttp, overWebSocket]) {
      if (enabled) {
        expect(result.data).toEqual({ __schema: { queryType: { name: "Query" } } });
      } else {
        expect(result.data ?? null).toBeNull();
        expect(result.errors!.map((e) => e.extensions?.code)).toEqual(["GRAPHQL_VALIDATION_FAILED"]);
        expect(result.errors![0]!.message).toMatch(/Introspection is turned off/);
      }
    }
  });

  it(`"did you mean" suggestions are ${enabled ? "given" : "left out"} over both transports`, async () => {
    const overHttp = await test.gql(TYPO, {}, token);
    const overWebSocket = await overWs(test.ws(token), TYPO);
    for (const result of [overHttp, overWebSocket]) {
      const [error] = result.errors!;
      expect(error!.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
      expect(error!.message).toMatch(/Cannot query field "idd"/);
      if (enabled) expect(error!.message).toMatch(/Did you mean "id"\?/);
      else expect(error!.message).not.toMatch(/Did you mean/);
    }
  });

  it(`suggestions in variable errors are ${enabled ? "given" : "left out"} too`, async () => {
    const query = `query ($filter: UserFilterInput) { users(filter: $filter) { totalCount } }`;
    const variables = { filter: { rol: ["LEARNER"] } };
    const [overHttp] = (await test.gql(query, variables, token)).errors!;
    const [overWebSocket] = (await overWs(test.ws(token), query, variables)).errors;
    for (const error of [overHttp!, overWebSocket!]) {
      expect(error.extensions?.code).toBe("BAD_USER_INPUT");
      expect(error.message).toMatch(/"rol"/);
      expect(/Did you mean "role"\?/.test(error.message)).toBe(enabled);
    }
  });
});
