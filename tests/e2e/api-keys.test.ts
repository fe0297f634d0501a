/**
 * API keys for integrators through the HTTP API and WebSocket (§0): an ADMIN creates
 * a key with scopes and sees its secret once; only a hash is stored (event store and read models
 * are scanned); the key works as a bearer token within its scopes, its actions are attributed to
 * `api-key:<id>`; revoking stops it at once; only ADMINs create and revoke, AUDITORs may list.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createReadySession } from "../support/session-setup.js";
import { collectStatusChanges, sleep, until } from "../support/status-changes.js";
import { addMember, createOrganization, ok, refused, startTestServer, type TestServer } from "../support/test-server.js";

const CREATE_KEY = `mutation ($input: CreateApiKeyInput!) {
  createApiKey(input: $input) { secret apiKey { id name scopes prefix createdBy createdAt revokedAt } }
}`;
const REVOKE_KEY = `mutation ($input: RevokeApiKeyInput!) { revokeApiKey(input: $input) { id revokedAt } }`;
const API_KEYS = `{ apiKeys { id name scopes prefix createdBy createdAt revokedAt } }`;
const SESSIONS = `{ sessions(first: 100) { totalCount nodes { id status privateNote assigneeId } } }`;
const SESSION = `query ($id: ID!) { session(id: $id) { id status name privateNote createdBy } }`;
const CREATE_SESSION = `mutation ($input: CreateSessionInput!) { createSession(input: $input) { id status name privateNote createdBy assigneeId } }`;
const EDIT = `mutation ($input: EditSessionDetailsInput!) { editSessionDetails(input: $input) { id name summary } }`;
const CANCEL = `mutation ($input: CancelSessionInput!) { cancelSession(input: $input) { id status statusReason } }`;
const PLAN = `mutation ($input: ChangeSessionStatusInput!) { planSession(input: $input) { id status } }`;
const STATUS_CHANGED = `subscription { sessionStatusChanged { sessionId previousStatus status changedBy session { id } } }`;

type Org = Awaited<ReturnType<typeof createOrganization>>;


let test: TestServer;
let org: Org;
let otherOrg: Org;

async function createKey(name: string, scopes: string[], token = org.token) {
  const created = ok(await test.gql(CREATE_KEY, { input: { name, scopes } }, token)).createApiKey;
  return { secret: created.secret as string, id: created.apiKey.id as string, apiKey: created.apiKey };
}

beforeAll(async () => {
  test = await startTestServer();
  org = await createOrganization(test);
  otherOrg = await createOrganization(test);
});
afterAll(() => test.stop());

describe("creating and listing keys (§0 API keys)", () => {
  it("an ADMIN creates a key: the secret is returned once, with the key's id, name, scopes and prefix", async () => {
    const before = test.clock.now().getTime();
    const { secret, apiKey } = await createKey("CRM sync", ["SESSIONS_READ", "PEOPLE_READ", "SESSIONS_READ"]);
    const after = test.clock.now().getTime();
    expect(secret).toMatch(/^sk_[\w-]{20,}$/);
    expect(apiKey).toEqual({
      id: expect.any(String),
      name: "CRM sync",
      scopes: ["SESSIONS_READ", "PEOPLE_READ"],
      prefix: expect.any(String),
      createdBy: org.userId,
      createdAt: expect.any(String),
      revokedAt: null,
    });
    expect(secret.startsWith(apiKey.prefix)).toBe(true);
    expect(apiKey.prefix.length).toBeLessThan(secret.length / 2);
    // Stamped by the server's clock, not the machine's.
    expect(Date.parse(apiKey.createdAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(Date.parse(apiKey.createdAt)).toBeLessThanOrEqual(after);
  });

  it("apiKeys lists the organization's keys and never shows a secret", async () => {
    const { secret, id } = await createKey("Listed", ["EVENTS_READ"]);
    const listed = await test.gql(API_KEYS, {}, org.token);
    const keys = ok(listed).apiKeys as { id: string; name: string; scopes: string[] }[];
    expect(keys.find((key) => key.id === id)).toMatchObject({ name: "Listed", scopes: ["EVENTS_READ"] });
    const randomPart = secret.slice("sk_".length + 32 + 1); // the 43 random characters (they may hold "_")
    expect(JSON.stringify(listed)).not.toContain(secret);
    expect(JSON.stringify(listed)).not.toContain(randomPart);
    // Another organization's admin does not see it.
    const others = ok(await test.gql(API_KEYS, {}, otherOrg.token)).apiKeys as { id: string }[];
    expect(others.map((key) => key.id)).not.toContain(id);
  });

  it("only a hash of the secret is stored: not in any event, not in the read models, not in any file", async () => {
    const { secret, id } = await createKey("Hashed", ["SESSIONS_READ"]);
    const randomPart = secret.slice("sk_".length + 32 + 1); // the 43 random characters (they may hold "_")
    // The key works, so what is stored is enough to check it.
    ok(await test.gql(SESSIONS, {}, secret));

    const events = await test.app.store.readAll();
    const created = events.find((event) => event.type === "ApiKeyCreated" && event.data.apiKeyId === id);
    expect(created?.data.secretHash).toBe(createHash("sha256").update(secret).digest("hex"));
    for (const event of events) {
      const text = JSON.stringify({ data: event.data, metadata: event.metadata });
      expect(text).not.toContain(secret);
      expect(text).not.toContain(randomPart);
    }

    const rows = test.app.readModels.prepare("SELECT * FROM api_keys").all();
    expect(rows.length).toBeGreaterThanOrEqual(3);
    expect(JSON.stringify(rows)).not.toContain(randomPart);

    // The raw bytes of every file the server keeps (event store, read models, their journals).
    for (const file of fs.readdirSync(test.dataDir)) {
      const full = path.join(test.dataDir, file);
      if (!fs.statSync(full).isFile()) continue;
      expect(fs.readFileSync(full).includes(Buffer.from(randomPart)), file).toBe(false);
    }
  });

  it("refuses a key without a name or without scopes (BAD_USER_INPUT) and creates nothing", async () => {
    const before = (ok(await test.gql(API_KEYS, {}, org.token)).apiKeys as unknown[]).length;
    const noScope = refused(await test.gql(CREATE_KEY, { input: { name: "Nothing", scopes: [] } }, org.token));
    expect(noScope.code).toBe("BAD_USER_INPUT");
    expect(noScope.extensions.field).toBe("scopes");
    const noName = refused(await test.gql(CREATE_KEY, { input: { name: "  ", scopes: ["SESSIONS_READ"] } }, org.token));
    expect(noName.code).toBe("BAD_USER_INPUT");
    expect(noName.extensions.field).toBe("name");
    expect((ok(await test.gql(API_KEYS, {}, org.token)).apiKeys as unknown[]).length).toBe(before);
  });

  it("non-ADMINs (MANAGER, AUDITOR) cannot create or revoke keys; an AUDITOR may list them, a MANAGER may not", async () => {
    const { id } = await createKey("Guarded", ["SESSIONS_READ"]);
    const manager = await addMember(test, org.token, ["MANAGER"]);
    const auditor = await addMember(test, org.token, ["AUDITOR"]);
    for (const member of [manager, auditor]) {
      expect(refused(await test.gql(CREATE_KEY, { input: { name: "Mine", scopes: ["SESSIONS_READ"] } }, member.token)).code).toBe(
        "FORBIDDEN",
      );
      expect(refused(await test.gql(REVOKE_KEY, { input: { apiKeyId: id } }, member.token)).code).toBe("FORBIDDEN");
    }
    const listed = ok(await test.gql(API_KEYS, {}, auditor.token)).apiKeys as { id: string; revokedAt: string | null }[];
    expect(listed.find((key) => key.id === id)?.revokedAt).toBeNull();
    expect(refused(await test.gql(API_KEYS, {}, manager.token)).code).toBe("FORBIDDEN");
    // Without a token at all.
    expect(refused(await test.gql(CREATE_KEY, { input: { name: "Anon", scopes: ["SESSIONS_READ"] } })).code).toBe("UNAUTHENTICATED");
  });

  it("a key cannot create keys nor list them (ADMIN-only, whatever its scopes)", async () => {
    const { secret } = await createKey("All scopes", ["SESSIONS_READ", "SESSIONS_WRITE", "PEOPLE_READ", "PEOPLE_WRITE", "EVENTS_READ"]);
    expect(refused(await test.gql(CREATE_KEY, { input: { name: "Child", scopes: ["SESSIONS_READ"] } }, secret)).code).toBe("FORBIDDEN");
    expect(refused(await test.gql(API_KEYS, {}, secret)).code).toBe("FORBIDDEN");
  });
});

describe("a key works as a bearer token within its scopes (§0 API keys)", () => {
  let draftId: string;

  beforeAll(async () => {
    draftId = ok(
      await test.gql(CREATE_SESSION, { input: { name: "Draft with a note", privateNote: "Staff only" } }, org.token),
    ).createSession.id;
  });

  it("SESSIONS_READ: sessions and session with the staff view (drafts, private notes); createSession is FORBIDDEN naming the scope", async () => {
    const { secret } = await createKey("Reader", ["SESSIONS_READ"]);
    const list = ok(await test.gql(SESSIONS, {}, secret)).sessions;
    expect(list.nodes.find((node: { id: string }) => node.id === draftId)).toMatchObject({ status: "DRAFT", privateNote: "Staff only" });
    const one = ok(await test.gql(SESSION, { id: draftId }, secret)).session;
    expect(one).toMatchObject({ id: draftId, status: "DRAFT", privateNote: "Staff only", createdBy: org.userId });

    const forbidden = refused(await test.gql(CREATE_SESSION, { input: { name: "Not allowed" } }, secret));
    expect(forbidden.code).toBe("FORBIDDEN");
    expect(forbidden.message).toContain("sessions:write");
    expect(refused(await test.gql(CANCEL, { input: { sessionId: draftId, reason: "No" } }, secret)).code).toBe("FORBIDDEN");
    // Outside its scopes: people.
    expect(refused(await test.gql(`{ users { totalCount } }`, {}, secret)).code).toBe("FORBIDDEN");
    // Another organization's session does not exist for it.
    const foreign = ok(await test.gql(CREATE_SESSION, { input: { name: "Elsewhere" } }, otherOrg.token)).createSession.id;
    expect(refused(await test.gql(SESSION, { id: foreign }, secret)).code).toBe("NOT_FOUND");
  });

  it("SESSIONS_WRITE: createSession, editSessionDetails and cancelSession; the events name the actor api-key:<id>", async () => {
    const { secret, id } = await createKey("Writer", ["SESSIONS_WRITE"]);
    const actor = `api-key:${id}`;
    const created = ok(await test.gql(CREATE_SESSION, { input: { name: "Made by a key", privateNote: "From the CRM" } }, secret))
      .createSession;
    expect(created).toMatchObject({ status: "DRAFT", name: "Made by a key", createdBy: actor });
    const sessionId = created.id as string;
    expect(ok(await test.gql(EDIT, { input: { sessionId, summary: "Synced" } }, secret)).editSessionDetails.summary).toBe("Synced");
    expect(ok(await test.gql(CANCEL, { input: { sessionId, reason: "Deal lost" } }, secret)).cancelSession).toMatchObject({
      status: "CANCELED",
      statusReason: "Deal lost",
    });
    // An ADMIN's draft too: a key is not limited to what it created.
    expect(ok(await test.gql(EDIT, { input: { sessionId: draftId, summary: "Key edit" } }, secret)).editSessionDetails.summary).toBe(
      "Key edit",
    );

    const events = (await test.app.store.readAll()).filter((event) => event.streamName === `session-${sessionId}`);
    expect(events.map((event) => event.type)).toEqual(["SessionCreated", "SessionDetailsEdited", "SessionCanceled"]);
    for (const event of events) {
      expect(event.metadata.actorId).toBe(actor);
      expect(event.metadata.tenantId).toBe(org.organizationId);
    }
    expect(events[2]!.data.changedBy).toBe(actor);
    // Writing is not reading.
    expect(refused(await test.gql(SESSIONS, {}, secret)).code).toBe("FORBIDDEN");
  });

  it("planSession is FORBIDDEN for any key (validating is the ADMIN's), and changes nothing", async () => {
    const { secret } = await createKey("Everything", ["SESSIONS_READ", "SESSIONS_WRITE", "PEOPLE_READ", "PEOPLE_WRITE", "EVENTS_READ"]);
    const sessionId = await createReadySession(test, org.token, { name: "Ready", startsAt: "2027-03-01T09:00:00Z", endsAt: "2027-03-01T12:00:00Z" });
    const error = refused(await test.gql(PLAN, { input: { sessionId } }, secret));
    expect(error.code).toBe("FORBIDDEN");
    expect(ok(await test.gql(SESSION, { id: sessionId }, secret)).session.status).toBe("DRAFT");
  });

  it("PEOPLE_READ: users and teams; not sessions", async () => {
    const { secret } = await createKey("Directory", ["PEOPLE_READ"]);
    const learner = await addMember(test, org.token, ["LEARNER"]);
    const team = ok(
      await test.gql(
        `mutation ($input: CreateTeamInput!) { createTeam(input: $input) { id } }`,
        { input: { name: "Sales", memberIds: [learner.userId] } },
        org.token,
      ),
    ).createTeam.id as string;
    const users = ok(await test.gql(`{ users(first: 100) { nodes { id email } } }`, {}, secret)).users.nodes as { id: string }[];
    expect(users.map((user) => user.id)).toEqual(expect.arrayContaining([org.userId, learner.userId]));
    const teams = ok(await test.gql(`{ teams { nodes { id name members { nodes { id } } } } }`, {}, secret)).teams.nodes;
    expect(teams).toContainEqual({ id: team, name: "Sales", members: { nodes: [{ id: learner.userId }] } });
    expect(refused(await test.gql(SESSIONS, {}, secret)).code).toBe("FORBIDDEN");
    // Reading people is not writing them.
    const write = refused(
      await test.gql(`mutation ($input: CreateTeamInput!) { createTeam(input: $input) { id } }`, { input: { name: "No" } }, secret),
    );
    expect(write.code).toBe("FORBIDDEN");
  });

  it("EVENTS_READ: sessionStatusChanged over WebSocket delivers the organization's transitions, not another's", async () => {
    const { secret } = await createKey("Webhook relay", ["EVENTS_READ"]);
    const keySubscriber = collectStatusChanges(test.ws(secret), STATUS_CHANGED);
    const { secret: readerSecret } = await createKey("Reader only", ["SESSIONS_READ"]);
    const refusedSubscriber = collectStatusChanges(test.ws(readerSecret), STATUS_CHANGED);
    await sleep(300); // let the subscriptions register

    const foreign = await createReadySession(test, otherOrg.token, {
      name: "Other org",
      startsAt: "2027-04-01T09:00:00Z",
      endsAt: "2027-04-01T12:00:00Z",
    });
    ok(await test.gql(PLAN, { input: { sessionId: foreign } }, otherOrg.token));
    const mine = await createReadySession(test, org.token, { name: "Mine", startsAt: "2027-04-02T09:00:00Z", endsAt: "2027-04-02T12:00:00Z" });
    ok(await test.gql(PLAN, { input: { sessionId: mine } }, org.token));

    await until(() => keySubscriber.changes.length >= 1 || keySubscriber.errors.length > 0, "the key's subscription");
    await sleep(100);
    expect(keySubscriber.errors).toEqual([]);
    expect(keySubscriber.changes).toEqual([
      { sessionId: mine, previousStatus: "DRAFT", status: "PLANNED", changedBy: org.userId, session: { id: mine } },
    ]);

    // Without events:read the subscription is refused.
    await until(() => refusedSubscriber.errors.length > 0, "the refusal");
    expect(refusedSubscriber.changes).toEqual([]);
    expect(JSON.stringify(refusedSubscriber.errors)).toContain("FORBIDDEN");
    expect(JSON.stringify(refusedSubscriber.errors)).toContain("events:read");
    // An events key reads no sessions through queries.
    expect(refused(await test.gql(SESSIONS, {}, secret)).code).toBe("FORBIDDEN");
  });

  it("me and signOut are for people: FORBIDDEN with a key", async () => {
    const { secret } = await createKey("Not a person", ["SESSIONS_READ", "PEOPLE_READ", "EVENTS_READ"]);
    expect(refused(await test.gql(`{ me { id } }`, {}, secret)).code).toBe("FORBIDDEN");
    expect(refused(await test.gql(`mutation { signOut }`, {}, secret)).code).toBe("FORBIDDEN");
    expect(
      refused(
        await test.gql(
          `mutation ($input: ChangePasswordInput!) { changePassword(input: $input) }`,
          { input: { currentPassword: "x", newPassword: "a brand new secret 1" } },
          secret,
        ),
      ).code,
    ).toBe("FORBIDDEN");
  });
});

describe("revoking and bad keys (§0 API keys)", () => {
  it("revokeApiKey: the key is UNAUTHENTICATED ('revoked') at once; revoking twice is fine", async () => {
    const { secret, id } = await createKey("Short-lived", ["SESSIONS_READ"]);
    ok(await test.gql(SESSIONS, {}, secret));
    const revoked = ok(await test.gql(REVOKE_KEY, { input: { apiKeyId: id } }, org.token)).revokeApiKey;
    expect(revoked.id).toBe(id);
    expect(revoked.revokedAt).toEqual(expect.any(String));

    const error = refused(await test.gql(SESSIONS, {}, secret));
    expect(error.code).toBe("UNAUTHENTICATED");
    expect(error.message).toMatch(/revoked/i);

    const again = ok(await test.gql(REVOKE_KEY, { input: { apiKeyId: id } }, org.token)).revokeApiKey;
    expect(again).toEqual(revoked);
    expect((await test.app.store.readAll()).filter((event) => event.type === "ApiKeyRevoked" && event.data.apiKeyId === id)).toHaveLength(1);
    const listed = ok(await test.gql(API_KEYS, {}, org.token)).apiKeys as { id: string; revokedAt: string | null }[];
    expect(listed.find((key) => key.id === id)?.revokedAt).toBe(revoked.revokedAt);
  });

  it("a revoked key cannot subscribe either", async () => {
    const { secret, id } = await createKey("Revoked listener", ["EVENTS_READ"]);
    ok(await test.gql(REVOKE_KEY, { input: { apiKeyId: id } }, org.token));
    const subscriber = collectStatusChanges(test.ws(secret), STATUS_CHANGED);
    await until(() => subscriber.errors.length > 0, "the refusal");
    expect(JSON.stringify(subscriber.errors)).toContain("UNAUTHENTICATED");
  });

  it("another organization's ADMIN cannot revoke the key (NOT_FOUND) and the key keeps working", async () => {
    const { secret, id } = await createKey("Kept", ["SESSIONS_READ"]);
    expect(refused(await test.gql(REVOKE_KEY, { input: { apiKeyId: id } }, otherOrg.token)).code).toBe("NOT_FOUND");
    ok(await test.gql(SESSIONS, {}, secret));
  });

  it("a garbage, altered or unknown sk_… string is UNAUTHENTICATED", async () => {
    const { secret } = await createKey("Original", ["SESSIONS_READ"]);
    const flipped = secret.slice(0, 20) + (secret[20] === "a" ? "b" : "a") + secret.slice(21);
    const randomPart = secret.slice("sk_".length + 32 + 1); // the 43 random characters (they may hold "_")
    const altered = secret.slice(0, -randomPart.length) + (randomPart[0] === "A" ? "B" : "A") + randomPart.slice(1);
    const unknown = `sk_${"0".repeat(32)}_${"A".repeat(43)}`;
    for (const token of ["sk_garbage", "sk_", flipped, altered, unknown, `${secret}x`]) {
      const error = refused(await test.gql(SESSIONS, {}, token));
      expect(error.code, token).toBe("UNAUTHENTICATED");
    }
    ok(await test.gql(SESSIONS, {}, secret));
  });
});
