/**
 * Webhooks (N2): refused input and refused callers, through the real
 * HTTP API. Every refusal appends nothing to the event log.
 * - Input: a URL that is not http(s), no event types, an event type integrators cannot receive
 *   (unknown, or internal bookkeeping such as webhook or side-effect events), a too long
 *   description → BAD_USER_INPUT naming the field (`url`, `eventTypes`, `eventTypes.<index>`,
 *   `description`), on registerWebhook and updateWebhook; bad `deliveries` page arguments.
 * - Callers (authorization table): ADMIN manages; AUDITOR reads only; LEARNER and TRAINER get
 *   FORBIDDEN; anonymous callers UNAUTHENTICATED; an API key needs the `webhooks:manage` scope
 *   (its actions attributed to `api-key:<id>`); §0 another organization's admin or key sees no
 *   such webhook (null / NOT_FOUND).
 * Deliveries, retries, replay and changes: webhooks.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addMember,
  createOrganization,
  type GraphQLResponse,
  type Member,
  ok,
  refused,
  startTestServer,
  type TestServer,
} from "../support/test-server.js";

const WEBHOOK_FIELDS = `id url eventTypes description enabled createdBy`;
const REGISTER = `mutation ($input: RegisterWebhookInput!) { registerWebhook(input: $input) { secret webhook { ${WEBHOOK_FIELDS} } } }`;
const UPDATE = `mutation ($input: UpdateWebhookInput!) { updateWebhook(input: $input) { ${WEBHOOK_FIELDS} } }`;
const ROTATE = `mutation ($input: WebhookIdInput!) { rotateWebhookSecret(input: $input) { secret } }`;
const DELETE = `mutation ($input: WebhookIdInput!) { deleteWebhook(input: $input) }`;
const REPLAY = `mutation ($input: ReplayWebhookInput!) { replayWebhook(input: $input) { replayId } }`;
const WEBHOOKS = `{ webhooks { ${WEBHOOK_FIELDS} } }`;
const WEBHOOK = `query ($id: ID!, $first: Int! = 20, $after: String) {
  webhook(id: $id) { ${WEBHOOK_FIELDS} deliveries(first: $first, after: $after) { totalCount } }
}`;
const EVENT_TYPES = `{ webhookEventTypes }`;
const CREATE_KEY = `mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id } } }`;

// No endpoint listens here: no event of these tests is of a subscribed type, so nothing is POSTed.
const URL = "http://127.0.0.1:9/hooks";

type Org = Awaited<ReturnType<typeof createOrganization>>;
let test: TestServer;
let org: Org;
let otherOrg: Org;
let webhookId: string;
let learner: Member;
let trainer: Member;
let auditor: Member;

beforeAll(async () => {
  test = await startTestServer();
  org = await createOrganization(test);
  otherOrg = await createOrganization(test);
  webhookId = ok(await test.gql(REGISTER, { input: { url: URL, eventTypes: ["SessionConfirmed"] } }, org.token)).registerWebhook
    .webhook.id;
  [learner, trainer, auditor] = [
    await addMember(test, org.token, ["LEARNER"]),
    await addMember(test, org.token, ["TRAINER"]),
    await addMember(test, org.token, ["AUDITOR"]),
  ];
});
afterAll(() => test.stop());

const eventCount = async () => (await test.app.store.readAll()).length;

/** Runs `call`, expects it refused with `code`, checks nothing was appended, returns the error. */
async function refusedWithoutEvents(call: () => Promise<GraphQLResponse>, code: string) {
  const before = await eventCount();
  const error = refused(await call());
  expect(error.code, error.message).toBe(code);
  expect(await eventCount()).toBe(before);
  return error;
}

async function createKey(scopes: string[], token = org.token) {
  const created = ok(await test.gql(CREATE_KEY, { input: { name: `key ${scopes.join(" ")}`, scopes } }, token)).createApiKey;
  return { secret: created.secret as string, id: created.apiKey.id as string };
}

describe("bad input is BAD_USER_INPUT naming the field; nothing is appended", () => {
  it.each([
    ["ftp://example.com/hook", "url"],
    ["not a url", "url"],
    ["", "url"],
    ["javascript:alert(1)", "url"],
    ["mailto:ops@example.com", "url"],
  ])("registerWebhook url %j → field url", async (url, field) => {
    const error = await refusedWithoutEvents(
      () => test.gql(REGISTER, { input: { url, eventTypes: ["SessionConfirmed"] } }, org.token),
      "BAD_USER_INPUT",
    );
    expect(error.extensions.field).toBe(field);
    expect(error.message).toMatch(/http\(s\) URL/);
  });

  it.each([
    [[], "eventTypes"],
    [["NoSuchEvent"], "eventTypes.0"],
    [["SessionConfirmed", "sessionconfirmed"], "eventTypes.1"],
    [["WebhookRegistered"], "eventTypes.0"],
    [["SideEffectClaimed"], "eventTypes.0"],
    [["ApiKeyCreated"], "eventTypes.0"],
  ])("registerWebhook eventTypes %j → field %s", async (eventTypes, field) => {
    const error = await refusedWithoutEvents(() => test.gql(REGISTER, { input: { url: URL, eventTypes } }, org.token), "BAD_USER_INPUT");
    expect(error.extensions.field).toBe(field);
  });

  it("registerWebhook with a description over 500 characters → field description", async () => {
    const input = { url: URL, eventTypes: ["SessionConfirmed"], description: "x".repeat(501) };
    const error = await refusedWithoutEvents(() => test.gql(REGISTER, { input }, org.token), "BAD_USER_INPUT");
    expect(error.extensions.field).toBe("description");
  });

  it("updateWebhook checks the same fields; the webhook stays as it was", async () => {
    for (const [input, field] of [
      [{ url: "ftp://example.com/hook" }, "url"],
      [{ eventTypes: [] }, "eventTypes"],
      [{ eventTypes: ["SessionConfirmed", "NoSuchEvent"] }, "eventTypes.1"],
    ] as const) {
      const error = await refusedWithoutEvents(() => test.gql(UPDATE, { input: { webhookId, ...input } }, org.token), "BAD_USER_INPUT");
      expect([input, error.extensions.field]).toEqual([input, field]);
    }
    expect(ok(await test.gql(WEBHOOK, { id: webhookId }, org.token)).webhook).toMatchObject({
      url: URL,
      eventTypes: ["SessionConfirmed"],
      enabled: true,
    });
  });

  it("deliveries: first outside 1..100 → field first; an after that is not a cursor → field after", async () => {
    for (const first of [0, 101]) {
      const error = refused(await test.gql(WEBHOOK, { id: webhookId, first }, org.token));
      expect([first, error.code, error.extensions.field]).toEqual([first, "BAD_USER_INPUT", "first"]);
    }
    const error = refused(await test.gql(WEBHOOK, { id: webhookId, after: "not-a-cursor" }, org.token));
    expect([error.code, error.extensions.field]).toEqual(["BAD_USER_INPUT", "after"]);
  });

  it("an unknown webhook id: reading or changing it is NOT_FOUND", async () => {
    const id = "00000000-0000-4000-8000-000000000000";
    expect(refused(await test.gql(WEBHOOK, { id }, org.token)).code).toBe("NOT_FOUND");
    await refusedWithoutEvents(() => test.gql(UPDATE, { input: { webhookId: id, enabled: false } }, org.token), "NOT_FOUND");
    await refusedWithoutEvents(() => test.gql(ROTATE, { input: { webhookId: id } }, org.token), "NOT_FOUND");
    await refusedWithoutEvents(() => test.gql(DELETE, { input: { webhookId: id } }, org.token), "NOT_FOUND");
    await refusedWithoutEvents(() => test.gql(REPLAY, { input: { webhookId: id, afterPosition: "0" } }, org.token), "NOT_FOUND");
  });
});

describe("who may manage and read webhooks (authorization table)", () => {
  const register = (token?: string) => test.gql(REGISTER, { input: { url: URL, eventTypes: ["SessionConfirmed"] } }, token);

  it("LEARNER and TRAINER: FORBIDDEN to register, list, read or change webhooks", async () => {
    for (const member of [learner, trainer]) {
      await refusedWithoutEvents(() => register(member.token), "FORBIDDEN");
      await refusedWithoutEvents(() => test.gql(UPDATE, { input: { webhookId, enabled: false } }, member.token), "FORBIDDEN");
      expect(refused(await test.gql(WEBHOOKS, {}, member.token)).code).toBe("FORBIDDEN");
      expect(refused(await test.gql(WEBHOOK, { id: webhookId }, member.token)).code).toBe("FORBIDDEN");
      expect(refused(await test.gql(EVENT_TYPES, {}, member.token)).code).toBe("FORBIDDEN");
    }
  });

  it("anonymous callers are UNAUTHENTICATED", async () => {
    await refusedWithoutEvents(() => register(), "UNAUTHENTICATED");
    expect(refused(await test.gql(WEBHOOKS)).code).toBe("UNAUTHENTICATED");
  });

  it("AUDITOR reads webhooks and their deliveries but may not register or change one", async () => {
    expect(ok(await test.gql(WEBHOOKS, {}, auditor.token)).webhooks.map((w: any) => w.id)).toContain(webhookId);
    expect(ok(await test.gql(WEBHOOK, { id: webhookId }, auditor.token)).webhook).toMatchObject({ id: webhookId, deliveries: { totalCount: 0 } });
    expect(ok(await test.gql(EVENT_TYPES, {}, auditor.token)).webhookEventTypes).toContain("SessionConfirmed");
    await refusedWithoutEvents(() => register(auditor.token), "FORBIDDEN");
    await refusedWithoutEvents(() => test.gql(UPDATE, { input: { webhookId, enabled: false } }, auditor.token), "FORBIDDEN");
    await refusedWithoutEvents(() => test.gql(ROTATE, { input: { webhookId } }, auditor.token), "FORBIDDEN");
    await refusedWithoutEvents(() => test.gql(DELETE, { input: { webhookId } }, auditor.token), "FORBIDDEN");
    await refusedWithoutEvents(() => test.gql(REPLAY, { input: { webhookId, afterPosition: "0" } }, auditor.token), "FORBIDDEN");
  });

  it("an API key with WEBHOOKS_MANAGE registers (as api-key:<id>), lists and changes webhooks; a key without it is FORBIDDEN", async () => {
    const manager = await createKey(["WEBHOOKS_MANAGE"]);
    const { secret, webhook } = ok(await register(manager.secret)).registerWebhook;
    expect(secret).toMatch(/^whsec_/);
    expect(webhook.createdBy).toBe(`api-key:${manager.id}`);
    expect(ok(await test.gql(WEBHOOKS, {}, manager.secret)).webhooks.map((w: any) => w.id)).toEqual(
      expect.arrayContaining([webhookId, webhook.id]),
    );
    const paused = ok(await test.gql(UPDATE, { input: { webhookId: webhook.id, enabled: false } }, manager.secret)).updateWebhook;
    expect(paused.enabled).toBe(false);

    const reader = await createKey(["SESSIONS_READ", "EVENTS_READ", "PEOPLE_WRITE"]);
    await refusedWithoutEvents(() => register(reader.secret), "FORBIDDEN");
    await refusedWithoutEvents(() => test.gql(UPDATE, { input: { webhookId, enabled: false } }, reader.secret), "FORBIDDEN");
    expect(refused(await test.gql(WEBHOOKS, {}, reader.secret)).code).toBe("FORBIDDEN");
    expect(refused(await test.gql(WEBHOOK, { id: webhookId }, reader.secret)).code).toBe("FORBIDDEN");
  });

  it("§0 another organization's admin or key: the webhook is not listed, reading or changing it is NOT_FOUND", async () => {
    const otherKey = await createKey(["WEBHOOKS_MANAGE"], otherOrg.token);
    for (const token of [otherOrg.token, otherKey.secret]) {
      expect(ok(await test.gql(WEBHOOKS, {}, token)).webhooks.map((w: any) => w.id)).not.toContain(webhookId);
      expect(refused(await test.gql(WEBHOOK, { id: webhookId }, token)).code).toBe("NOT_FOUND");
      await refusedWithoutEvents(() => test.gql(UPDATE, { input: { webhookId, enabled: false } }, token), "NOT_FOUND");
      await refusedWithoutEvents(() => test.gql(ROTATE, { input: { webhookId } }, token), "NOT_FOUND");
      await refusedWithoutEvents(() => test.gql(DELETE, { input: { webhookId } }, token), "NOT_FOUND");
      await refusedWithoutEvents(() => test.gql(REPLAY, { input: { webhookId, afterPosition: "0" } }, token), "NOT_FOUND");
    }
    expect(ok(await test.gql(WEBHOOK, { id: webhookId }, org.token)).webhook).toMatchObject({ enabled: true });
  });
});
