/**
 * Names (display names, session, team, API-key names…) refuse C0/C1 control characters with
 * BAD_USER_INPUT naming the field; long texts (summary, description) keep their line breaks.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addMember, createOrganization, ok, refused, startTestServer, type TestServer } from "../support/test-server.js";

const UPDATE_USER = `mutation ($input: UpdateUserInput!) { updateUser(input: $input) { id displayName } }`;
const USER = `query ($id: ID!) { user(id: $id) { id displayName } }`;
const CREATE_SESSION = `mutation ($input: CreateSessionInput!) { createSession(input: $input) { id name summary description } }`;
const CREATE_KEY = `mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { apiKey { id name } } }`;
const API_KEYS = `{ apiKeys { id name } }`;

let test: TestServer;
let org: Awaited<ReturnType<typeof createOrganization>>;

beforeAll(async () => {
  test = await startTestServer();
  org = await createOrganization(test);
});
afterAll(() => test.stop());

describe("control characters in names", () => {
  it("updateUser with a NUL or an escape in the display name is BAD_USER_INPUT and changes nothing", async () => {
    const member = await addMember(test, org.token, ["LEARNER"]);
    const before = ok(await test.gql(USER, { id: member.userId }, org.token)).user.displayName;
    for (const displayName of ["Ada\u0000", "\u001b[31mAda", "Ada\nKing", "Ada\u009b"]) {
      const answer = refused(await test.gql(UPDATE_USER, { input: { userId: member.userId, displayName } }, org.token));
      expect(answer, JSON.stringify(displayName)).toMatchObject({ code: "BAD_USER_INPUT", extensions: { field: "displayName" } });
    }
    expect(ok(await test.gql(USER, { id: member.userId }, org.token)).user.displayName).toBe(before);
  });

  it("createSession with a control character in the name is BAD_USER_INPUT; summary and description keep line breaks", async () => {
    const answer = refused(await test.gql(CREATE_SESSION, { input: { name: "A\u0007B" } }, org.token));
    expect(answer).toMatchObject({ code: "BAD_USER_INPUT", extensions: { field: "name" } });

    const texts = { summary: "Line one\nLine two", description: "Intro\r\n\n\tIndented point" };
    const created = ok(await test.gql(CREATE_SESSION, { input: { name: "Multi-line texts", ...texts } }, org.token)).createSession;
    expect(created).toMatchObject({ name: "Multi-line texts", ...texts });

    const bell = refused(await test.gql(CREATE_SESSION, { input: { name: "Bell", description: "ding\u0007" } }, org.token));
    expect(bell).toMatchObject({ code: "BAD_USER_INPUT", extensions: { field: "description" } });
  });

  it("createApiKey with a control character in the name is BAD_USER_INPUT and creates no key", async () => {
    const before = ok(await test.gql(API_KEYS, {}, org.token)).apiKeys.length;
    const answer = refused(await test.gql(CREATE_KEY, { input: { name: "key\u0085", scopes: ["SESSIONS_READ"] } }, org.token));
    expect(answer).toMatchObject({ code: "BAD_USER_INPUT", extensions: { field: "name" } });
    expect(ok(await test.gql(API_KEYS, {}, org.token)).apiKeys.length).toBe(before);
  });
});
