/**
 * Webhooks for integrators (N2), through the real HTTP API against a
 * local HTTP receiver (node:http on 127.0.0.1) whose answers each test scripts:
 * - registering shows the `whsec_` secret once; `webhooks`, `webhook(id)` and the event history
 *   never show it (redacted in WebhookRegistered / WebhookSecretRotated);
 * - an event of a subscribed type is POSTed once, with `Sessions-Signature: t=…,v1=<hex
 *   HMAC-SHA256(secret, "<t>.<raw body>")>` (recomputed here with node:crypto and checked with
 *   verifySignature), `Sessions-Delivery-Id`, `Sessions-Event-Type` and the documented body; other
 *   types and other organizations' events are not delivered; secrets in event data are redacted;
 * - failures are retried with exponential back-off (same delivery id, attempt 1, 2, 3), recorded
 *   (RETRYING with lastError and nextAttemptAt, then SUCCEEDED or FAILED) and queryable; after
 *   the last attempt the webhook stays enabled and later events are still attempted; an
 *   unreachable endpoint, a timeout and a dropped connection are recorded without a status code;
 *   retries are due after realistic delays of the server's clock, which the tests move past each
 *   nextAttemptAt instead of waiting;
 * - replayWebhook(afterPosition) re-delivers every matching event of the organization after the
 *   position under new delivery ids, the original records kept;
 * - pausing, resuming, changing types and url, rotating the secret and deleting take effect;
 * - deliveries paginate newest first and filter by status.
 * Refused input and refused callers: webhooks-bad-input.test.ts.
 */
import { createHmac } from "node:crypto";
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifySignature } from "../../src/adapters/webhooks/webhook-signature.js";
import type { Clock } from "../../src/domain/shared/clock.js";
import { sleep } from "../support/status-changes.js";
import { HOUR, MINUTE } from "../support/test-clock.js";
import { addMember, createOrganization, ok, refused, startTestServer, type TestServer } from "../support/test-server.js";

const WEBHOOK_FIELDS = `id url eventTypes description enabled createdBy createdAt updatedAt`;
const DELIVERY_FIELDS = `id eventId eventType eventPosition status attempts lastStatusCode lastError nextAttemptAt createdAt updatedAt`;
const REGISTER = `mutation ($input: RegisterWebhookInput!) { registerWebhook(input: $input) { secret webhook { ${WEBHOOK_FIELDS} } } }`;
const UPDATE = `mutation ($input: UpdateWebhookInput!) { updateWebhook(input: $input) { ${WEBHOOK_FIELDS} } }`;
const ROTATE = `mutation ($input: WebhookIdInput!) { rotateWebhookSecret(input: $input) { secret webhook { ${WEBHOOK_FIELDS} } } }`;
const DELETE = `mutation ($input: WebhookIdInput!) { deleteWebhook(input: $input) }`;
const REPLAY = `mutation ($input: ReplayWebhookInput!) {
  replayWebhook(input: $input) { replayId afterPosition untilPosition webhook { id enabled } }
}`;
const WEBHOOKS = `{ webhooks { ${WEBHOOK_FIELDS} } }`;
const WEBHOOK = `query ($id: ID!, $status: WebhookDeliveryStatus, $first: Int! = 100, $after: String) {
  webhook(id: $id) {
    ${WEBHOOK_FIELDS}
    deliveries(status: $status, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { cursor node { id } }
      nodes { ${DELIVERY_FIELDS} }
    }
  }
}`;
const HISTORY = `query ($filter: EventHistoryFilter) { eventHistory(filter: $filter, first: 500) { nodes { eventId position type streamName data } } }`;
const CREATE_TEAM = `mutation ($input: CreateTeamInput!) { createTeam(input: $input) { id } }`;
const RENAME_TEAM = `mutation ($input: RenameTeamInput!) { renameTeam(input: $input) { id } }`;

// Realistic retries: 3 attempts, the second due 30–60 s of clock time after the first fails, the
// third 60–120 s after the second (equal jitter). Nobody waits for them: the tests move the
// server's clock past each nextAttemptAt (`settled` does it for every retrying delivery it waits
// for), and the sweeper, looking every 20 ms of real time, finds the retry due. An attempt's lease
// is an hour of clock time, so moving the clock never makes an attempt in flight look lost. A slow
// answer fails after 400 ms (real time).
const RETRY_BASE_MS = MINUTE;
const RETRY_MAX_MS = 10 * MINUTE;
const ENV = {
  WEBHOOK_RETRY_BASE_MS: String(RETRY_BASE_MS),
  WEBHOOK_RETRY_MAX_MS: String(RETRY_MAX_MS),
  WEBHOOK_MAX_ATTEMPTS: "3",
  WEBHOOK_TIMEOUT_MS: "400",
  SIDE_EFFECT_SWEEP_INTERVAL_MS: "20",
  SIDE_EFFECT_LEASE_MS: String(HOUR),
};

interface DeliveryBody {
  deliveryId: string;
  attempt: number;
  event: {
    id: string;
    type: string;
    position: string;
    streamName: string;
    category: string;
    revision: string;
    organizationId: string;
    occurredAt: string;
    recordedAt: string;
    actorId: string | null;
    correlationId: string | null;
    causationId: string | null;
    data: Record<string, any>;
  };
}
interface Received {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The raw body, as signed. */
  body: string;
  json: DeliveryBody;
  /** When it arrived, in seconds of the server's clock (what the signature's `t` is checked against). */
  atSeconds: number;
}
/** An HTTP status to answer, or: never answer, or drop the connection. */
type Answer = number | "hang" | "destroy";
type Script = (request: Received, nth: number) => Answer;

/**
 * A local endpoint that records every request and answers as each path's script says (200 by
 * default); it reads the time on `clock`, the server's, as a receiver whose clock agrees would.
 */
async function startReceiver(clock: Clock) {
  const requests: Received[] = [];
  const scripts = new Map<string, Script>();
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      let json: DeliveryBody;
      try {
        json = JSON.parse(body) as DeliveryBody;
      } catch {
        json = { deliveryId: "", attempt: 0, event: {} as DeliveryBody["event"] };
      }
      const received: Received = {
        method: req.method ?? "",
        path: req.url ?? "/",
        headers: req.headers,
        body,
        json,
        atSeconds: Math.floor(clock.now().getTime() / 1000),
      };
      requests.push(received);
      const nth = requests.filter((request) => request.path === received.path).length;
      const answer = scripts.get(received.path)?.(received, nth) ?? 200;
      if (answer === "hang") return;
      if (answer === "destroy") return void req.socket.destroy();
      res.writeHead(answer, { "content-type": "text/plain" }).end(`answered ${answer}`);
    });
  });
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    script: (path: string, script: Script) => void scripts.set(path, script),
    at: (path: string) => requests.filter((request) => request.path === path),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

let test: TestServer;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let paths = 0;
let teams = 0;
type Org = Awaited<ReturnType<typeof createOrganization>>;
interface Delivery {
  id: string;
  eventId: string;
  eventType: string;
  eventPosition: string;
  status: string;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  nextAttemptAt: string | null;
}

beforeAll(async () => {
  test = await startTestServer(ENV);
  receiver = await startReceiver(test.clock);
});
afterAll(async () => {
  await test.stop();
  await receiver.close();
});

/** Polls `probe` until it returns something truthy; fails naming `what` after `timeoutMs`. */
async function eventually<T>(probe: () => Promise<T | undefined | null | false>, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** A fresh organization with one webhook to a fresh receiver path. */
async function setUp(options: { eventTypes?: string[]; script?: Script } = {}) {
  const admin = await createOrganization(test);
  const hook = await register(admin, options);
  return { admin, ...hook };
}

async function register(admin: Org, options: { eventTypes?: string[]; script?: Script; url?: string } = {}) {
  paths += 1;
  const path = `/hooks/${paths}`;
  if (options.script) receiver.script(path, options.script);
  const input = { url: options.url ?? receiver.url(path), eventTypes: options.eventTypes ?? ["TeamCreated"], description: `hook ${paths}` };
  const { secret, webhook } = ok(await test.gql(REGISTER, { input }, admin.token)).registerWebhook;
  return { path, secret: secret as string, webhook, webhookId: webhook.id as string };
}

/** Creates a team and returns its TeamCreated event's id and position. */
async function createTeam(admin: Org, name = `Team ${++teams}`) {
  const teamId = ok(await test.gql(CREATE_TEAM, { input: { name } }, admin.token)).createTeam.id as string;
  const [event] = ok(await test.gql(HISTORY, { filter: { streamName: `team-${teamId}`, types: ["TeamCreated"] } }, admin.token))
    .eventHistory.nodes;
  return { teamId, eventId: event.eventId as string, position: event.position as string };
}

async function webhookOf(admin: Org, webhookId: string, variables: Record<string, unknown> = {}) {
  return ok(await test.gql(WEBHOOK, { id: webhookId, ...variables }, admin.token)).webhook;
}

async function deliveriesOf(admin: Org, webhookId: string): Promise<Delivery[]> {
  return (await webhookOf(admin, webhookId)).deliveries.nodes;
}

/** Moves the server's clock just past `nextAttemptAt` (nothing when it is already due). */
function passNextAttempt(nextAttemptAt: string): void {
  const ahead = Date.parse(nextAttemptAt) - test.clock.now().getTime();
  if (ahead >= 0) test.clock.advance(ahead + 1);
}

/**
 * Waits until the webhook has a delivery for this event in one of these statuses; while it is
 * RETRYING, the clock is moved past its nextAttemptAt so the retry comes at once.
 */
async function settled(admin: Org, webhookId: string, eventId: string, statuses = ["SUCCEEDED", "FAILED"], timeoutMs = 5000) {
  return eventually(
    async () => {
      const delivery = (await deliveriesOf(admin, webhookId)).find((d) => d.eventId === eventId);
      if (delivery && statuses.includes(delivery.status)) return delivery;
      if (delivery?.status === "RETRYING" && delivery.nextAttemptAt) passNextAttempt(delivery.nextAttemptAt);
      return undefined;
    },
    `a ${statuses.join("/")} delivery of ${eventId}`,
    timeoutMs,
  );
}

const parseSignature = (header: string) => {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!match) throw new Error(`Not a signature header: ${header}`);
  return { t: match[1]!, v1: match[2]! };
};
const verifies = (secret: string, request: Received) =>
  verifySignature(secret, request.body, String(request.headers["sessions-signature"]), { nowSeconds: request.atSeconds });

describe("registering (N2: the secret is shown once)", () => {
  it("registerWebhook answers the webhook and a whsec_ secret; webhooks, webhook(id) and the event history never show it", async () => {
    const admin = await createOrganization(test);
    const input = { url: receiver.url("/hooks/listed"), eventTypes: ["TeamCreated", "TeamRenamed", "TeamCreated"], description: "CRM" };
    const { secret, webhook } = ok(await test.gql(REGISTER, { input }, admin.token)).registerWebhook;
    expect(secret).toMatch(/^whsec_[\w-]{40,}$/);
    expect(webhook).toMatchObject({
      url: input.url,
      eventTypes: ["TeamCreated", "TeamRenamed"],
      description: "CRM",
      enabled: true,
      createdBy: admin.userId,
    });

    const listed = await test.gql(WEBHOOKS, {}, admin.token);
    expect(ok(listed).webhooks).toEqual([webhook]);
    const one = await test.gql(`query ($id: ID!) { webhook(id: $id) { ${WEBHOOK_FIELDS} } }`, { id: webhook.id }, admin.token);
    expect(ok(one).webhook).toEqual(webhook);
    const fields = ok(await test.gql(`{ __type(name: "Webhook") { fields { name } } }`)).__type.fields.map((f: any) => f.name);
    expect(fields).toContain("url");
    expect(fields.some((name: string) => /secret/i.test(name))).toBe(false);

    const history = await test.gql(HISTORY, { filter: { categories: ["webhook"] } }, admin.token);
    const [registered] = ok(history).eventHistory.nodes;
    expect(registered).toMatchObject({ type: "WebhookRegistered", streamName: `webhook-${webhook.id}` });
    expect(registered.data).toMatchObject({ webhookId: webhook.id, url: input.url, secret: "[redacted]" });
    for (const answer of [listed, one, history]) expect(JSON.stringify(answer)).not.toContain(secret.slice(6));

    const types = ok(await test.gql(`{ webhookEventTypes }`, {}, admin.token)).webhookEventTypes;
    expect(types).toEqual(expect.arrayContaining(["SessionConfirmed", "ParticipantRegistered", "TeamCreated", "UserRegistered"]));
    for (const internal of ["WebhookRegistered", "SideEffectClaimed", "ApiKeyCreated"]) expect(types).not.toContain(internal);
  });
});

describe("deliveries (signed, documented headers and body; N2)", () => {
  it("an event of a subscribed type is POSTed once, signed HMAC-SHA256(secret, '<t>.<raw body>'), with the documented headers and body", async () => {
    const { admin, path, secret, webhookId } = await setUp({ eventTypes: ["TeamCreated"] });
    const team = await createTeam(admin, "Sales");
    const [request] = await eventually(async () => receiver.at(path).length > 0 && receiver.at(path), "the POST");
    expect(request!.method).toBe("POST");
    expect(request!.headers["content-type"]).toMatch(/^application\/json/);
    expect(request!.headers["sessions-event-type"]).toBe("TeamCreated");
    expect(request!.headers["sessions-delivery-id"]).toBe(request!.json.deliveryId);

    // The signature, recomputed independently, and with the helper integrators may copy.
    const { t, v1 } = parseSignature(String(request!.headers["sessions-signature"]));
    expect(v1).toBe(createHmac("sha256", secret).update(`${t}.${request!.body}`).digest("hex"));
    expect(Math.abs(Number(t) - request!.atSeconds)).toBeLessThanOrEqual(5);
    expect(verifies(secret, request!)).toBe(true);
    expect(verifies(`${secret}x`, request!)).toBe(false);
    expect(verifySignature(secret, request!.body.replace("Sales", "Sales!"), `t=${t},v1=${v1}`, { nowSeconds: Number(t) })).toBe(false);
    expect(verifySignature(secret, request!.body, `t=${t},v1=${v1}`, { nowSeconds: Number(t) + 3600 })).toBe(false);

    expect(request!.json).toEqual({
      deliveryId: expect.any(String),
      attempt: 1,
      event: {
        id: team.eventId,
        type: "TeamCreated",
        position: team.position,
        streamName: `team-${team.teamId}`,
        category: "team",
        revision: "0",
        organizationId: admin.organizationId,
        occurredAt: expect.any(String),
        recordedAt: expect.any(String),
        actorId: admin.userId,
        correlationId: expect.any(String),
        causationId: expect.any(String),
        data: expect.objectContaining({ teamId: team.teamId, name: "Sales" }),
      },
    });

    const delivery = await settled(admin, webhookId, team.eventId);
    expect(delivery).toMatchObject({
      id: request!.json.deliveryId,
      eventType: "TeamCreated",
      eventPosition: team.position,
      status: "SUCCEEDED",
      attempts: 1,
      lastStatusCode: 200,
      lastError: null,
      nextAttemptAt: null,
    });
    // Once: a later event delivered means this one's delivery was decided long ago.
    const later = await createTeam(admin);
    await settled(admin, webhookId, later.eventId);
    expect(receiver.at(path).map((r) => r.json.event.id)).toEqual([team.eventId, later.eventId]);
  });

  it("events of other types and of other organizations are never delivered (§0)", async () => {
    const { admin, path, webhookId } = await setUp({ eventTypes: ["TeamCreated"] });
    const other = await setUp({ eventTypes: ["TeamCreated", "TeamRenamed"] });
    const first = await createTeam(admin);
    ok(await test.gql(RENAME_TEAM, { input: { teamId: first.teamId, name: "Renamed" } }, admin.token));
    const theirs = await createTeam(other.admin);
    const last = await createTeam(admin);
    await settled(admin, webhookId, last.eventId);
    await settled(other.admin, other.webhookId, theirs.eventId);

    expect(receiver.at(path).map((r) => r.json.event.id).sort()).toEqual([first.eventId, last.eventId].sort());
    expect(receiver.at(path).every((r) => r.json.event.organizationId === admin.organizationId)).toBe(true);
    expect((await deliveriesOf(admin, webhookId)).map((d) => d.eventId)).toEqual([last.eventId, first.eventId]);
    expect(receiver.at(other.path).map((r) => r.json.event.id)).toEqual([theirs.eventId]);
    expect(receiver.at(other.path)[0]!.json.event.organizationId).toBe(other.admin.organizationId);
  });

  it("secrets inside delivered event data are redacted (a new user's password hash)", async () => {
    const { admin, path } = await setUp({ eventTypes: ["UserRegistered"] });
    const member = await addMember(test, admin.token, ["EMPLOYEE"]);
    const [request] = await eventually(async () => receiver.at(path).length > 0 && receiver.at(path), "the POST");
    expect(request!.json.event.type).toBe("UserRegistered");
    expect(request!.json.event.data).toMatchObject({ userId: member.userId, passwordHash: "[redacted]" });
    const stored = (await test.app.store.readAll({ filter: { eventTypes: ["UserRegistered"] } })).find(
      (event) => event.data.userId === member.userId,
    );
    expect(String(stored!.data.passwordHash)).toMatch(/^scrypt\$/);
    expect(request!.body).not.toContain(String(stored!.data.passwordHash));
  });
});

describe("retries with exponential back-off, recorded and queryable", () => {
  it("two HTTP 500s then 200: three POSTs of one delivery (attempt 1, 2, 3), RETRYING in between, then SUCCEEDED", async () => {
    const { admin, path, secret, webhookId } = await setUp({ script: (_request, nth) => (nth <= 2 ? 500 : 200) });
    const team = await createTeam(admin);
    for (const attempt of [1, 2]) {
      const retrying = await eventually(
        async () => (await deliveriesOf(admin, webhookId)).find((d) => d.status === "RETRYING" && d.attempts === attempt),
        `the delivery RETRYING after attempt ${attempt}`,
      );
      expect(retrying).toMatchObject({ eventId: team.eventId, lastStatusCode: 500, lastError: expect.stringMatching(/HTTP 500/) });
      const dueAt = Date.parse(retrying.nextAttemptAt!);
      expect(Number.isNaN(dueAt)).toBe(false);
      // Not before it is due: the sweeper looks many times, but the clock has not reached nextAttemptAt.
      expect(dueAt).toBeGreaterThan(test.clock.now().getTime());
      await sleep(200);
      expect(receiver.at(path)).toHaveLength(attempt);
      passNextAttempt(retrying.nextAttemptAt!);
    }

    const done = await settled(admin, webhookId, team.eventId);
    expect(done).toMatchObject({ status: "SUCCEEDED", attempts: 3, lastStatusCode: 200, lastError: null, nextAttemptAt: null });
    const requests = receiver.at(path);
    expect(requests.map((r) => r.json.attempt)).toEqual([1, 2, 3]);
    expect(new Set(requests.map((r) => r.json.deliveryId))).toEqual(new Set([done.id]));
    expect(new Set(requests.map((r) => r.headers["sessions-delivery-id"]))).toEqual(new Set([done.id]));
    expect(requests.every((r) => r.json.event.id === team.eventId && verifies(secret, r))).toBe(true);

    // The recorded schedule: each retry due base × 2^(n−1), half of it jittered, after the failure.
    const effect = await test.app.store.readStream(`effect-${done.id}`);
    expect(effect.map((e) => e.type)).toEqual([
      "SideEffectClaimed",
      "SideEffectFailed",
      "SideEffectClaimed",
      "SideEffectFailed",
      "SideEffectClaimed",
      "SideEffectSucceeded",
    ]);
    const failures = effect.filter((e) => e.type === "SideEffectFailed").map((e) => e.data as Record<string, any>);
    const claims = effect.filter((e) => e.type === "SideEffectClaimed").map((e) => e.data as Record<string, any>);
    failures.forEach((failure, index) => {
      const delay = Date.parse(failure.retryAt) - Date.parse(failure.failedAt);
      const exponential = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** index);
      expect(delay).toBeGreaterThanOrEqual(exponential / 2 - 1);
      expect(delay).toBeLessThanOrEqual(exponential + 1);
      expect(failure).toMatchObject({ attempt: index + 1, statusCode: 500, error: expect.stringMatching(/HTTP 500/) });
      // The next attempt was claimed once due, by the clock.
      expect(Date.parse(claims[index + 1]!.claimedAt)).toBeGreaterThanOrEqual(Date.parse(failure.retryAt));
    });
  });

  it("an endpoint that always fails: FAILED after WEBHOOK_MAX_ATTEMPTS, the webhook stays enabled, later events are still attempted", async () => {
    const { admin, path, webhookId } = await setUp({ script: () => 503 });
    const team = await createTeam(admin);
    const failed = await settled(admin, webhookId, team.eventId);
    expect(failed).toMatchObject({
      status: "FAILED",
      attempts: 3,
      lastStatusCode: 503,
      lastError: expect.stringMatching(/HTTP 503/),
      nextAttemptAt: null,
    });
    expect(receiver.at(path).map((r) => r.json.attempt)).toEqual([1, 2, 3]);
    expect((await webhookOf(admin, webhookId)).enabled).toBe(true);
    expect(ok(await test.gql(WEBHOOKS, {}, admin.token)).webhooks[0].enabled).toBe(true);

    const later = await createTeam(admin);
    await eventually(async () => receiver.at(path).some((r) => r.json.event.id === later.eventId), "the later event's POST");
    expect((await deliveriesOf(admin, webhookId)).map((d) => d.eventId)).toEqual([later.eventId, team.eventId]);
  });

  it("an unreachable endpoint (a closed port): FAILED, lastError says it could not be reached, lastStatusCode null", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const admin = await createOrganization(test);
    const { webhookId } = await register(admin, { url: `http://127.0.0.1:${port}/gone` });
    const team = await createTeam(admin);
    const failed = await settled(admin, webhookId, team.eventId);
    expect(failed).toMatchObject({ status: "FAILED", attempts: 3, lastStatusCode: null });
    expect(failed.lastError).toContain(`Could not reach http://127.0.0.1:${port}/gone`);
    expect((await webhookOf(admin, webhookId)).enabled).toBe(true);
  });

  it("an answer slower than WEBHOOK_TIMEOUT_MS and a dropped connection are failed attempts without a status code; the third succeeds", async () => {
    const { admin, path, webhookId } = await setUp({ script: (_request, nth) => (nth === 1 ? "hang" : nth === 2 ? "destroy" : 204) });
    const team = await createTeam(admin);
    const done = await settled(admin, webhookId, team.eventId);
    expect(done).toMatchObject({ status: "SUCCEEDED", attempts: 3, lastStatusCode: 204, lastError: null });
    expect(receiver.at(path).map((r) => r.json.attempt)).toEqual([1, 2, 3]);
    const failures = (await test.app.store.readStream(`effect-${done.id}`))
      .filter((e) => e.type === "SideEffectFailed")
      .map((e) => e.data as Record<string, any>);
    expect(failures).toHaveLength(2);
    expect(failures[0]).toMatchObject({ attempt: 1, statusCode: null, error: expect.stringMatching(/Could not reach .*(timeout|abort)/i) });
    expect(failures[1]).toMatchObject({ attempt: 2, statusCode: null, error: expect.stringMatching(/Could not reach/) });
  });
});

describe("replayWebhook: deliver again from a position", () => {
  it("after fixing the endpoint, every matching event after the position is delivered again under new ids; '0' replays all", async () => {
    let healthy = false;
    const admin = await createOrganization(test);
    const before = await createTeam(admin); // before the webhook existed
    const { path, webhookId } = await register(admin, { script: () => (healthy ? 200 : 500) });
    const other = await createOrganization(test);
    await createTeam(other); // never replayed to this organization
    const events = [await createTeam(admin), await createTeam(admin), await createTeam(admin)];
    for (const event of events) await settled(admin, webhookId, event.eventId);
    const originals = await deliveriesOf(admin, webhookId);
    expect(originals.map((d) => [d.status, d.attempts])).toEqual([["FAILED", 3], ["FAILED", 3], ["FAILED", 3]]);

    healthy = true;
    const replay = ok(await test.gql(REPLAY, { input: { webhookId, afterPosition: events[0]!.position } }, admin.token)).replayWebhook;
    expect(replay).toMatchObject({ afterPosition: events[0]!.position, webhook: { id: webhookId, enabled: true } });
    expect(BigInt(replay.untilPosition)).toBeGreaterThanOrEqual(BigInt(events[2]!.position));
    const replayed = (replayId: string) => receiver.at(path).filter((r) => r.json.deliveryId.includes(replayId));
    await eventually(async () => replayed(replay.replayId).length === 2, "two replayed POSTs");
    expect(replayed(replay.replayId).map((r) => r.json.event.id).sort()).toEqual([events[1]!.eventId, events[2]!.eventId].sort());
    expect(replayed(replay.replayId).every((r) => r.json.attempt === 1)).toBe(true);
    const afterFirst = await eventually(async () => {
      const deliveries = await deliveriesOf(admin, webhookId);
      return deliveries.filter((d) => d.status === "SUCCEEDED").length === 2 && deliveries;
    }, "two replayed deliveries SUCCEEDED");
    expect(afterFirst).toHaveLength(5);
    for (const original of originals) expect(afterFirst).toContainEqual(original); // kept as they were
    const newIds = afterFirst.filter((d) => d.status === "SUCCEEDED").map((d) => d.id);
    expect(newIds.some((id) => originals.some((o) => o.id === id))).toBe(false);

    const all = ok(await test.gql(REPLAY, { input: { webhookId, afterPosition: "0" } }, admin.token)).replayWebhook;
    await eventually(async () => replayed(all.replayId).length === 4, "four replayed POSTs");
    expect(replayed(all.replayId).map((r) => r.json.event.id).sort()).toEqual([before, ...events].map((e) => e.eventId).sort());
    expect(replayed(all.replayId).every((r) => r.json.event.organizationId === admin.organizationId)).toBe(true);
    await eventually(async () => (await webhookOf(admin, webhookId)).deliveries.totalCount === 9, "nine deliveries recorded");
  });

  it("an afterPosition that is not a position is BAD_USER_INPUT naming afterPosition; nothing is recorded", async () => {
    const { admin, webhookId } = await setUp();
    const stream = `webhook-${webhookId}`;
    const count = (await test.app.store.readStream(stream)).length;
    for (const afterPosition of ["abc", "-1", "1.5", ""]) {
      const error = refused(await test.gql(REPLAY, { input: { webhookId, afterPosition } }, admin.token));
      expect([afterPosition, error.code, error.extensions.field]).toEqual([afterPosition, "BAD_USER_INPUT", "afterPosition"]);
    }
    expect((await test.app.store.readStream(stream)).length).toBe(count);
  });

  it("an afterPosition beyond the last event is BAD_USER_INPUT naming afterPosition; nothing is recorded", async () => {
    const { admin, webhookId } = await setUp();
    const stream = `webhook-${webhookId}`;
    const count = (await test.app.store.readStream(stream)).length;
    const beyond = ((await test.app.store.headPosition())! + 1_000_000n).toString();
    for (const afterPosition of [beyond, "99999999999999999999"]) {
      const error = refused(await test.gql(REPLAY, { input: { webhookId, afterPosition } }, admin.token));
      expect([afterPosition, error.code, error.extensions.field]).toEqual([afterPosition, "BAD_USER_INPUT", "afterPosition"]);
    }
    expect((await test.app.store.readStream(stream)).length).toBe(count);
  });
});

describe("changing a webhook", () => {
  it("enabled:false pauses deliveries of new events; enabling again resumes", async () => {
    const { admin, path, webhookId } = await setUp();
    const first = await createTeam(admin);
    await settled(admin, webhookId, first.eventId);
    const paused = ok(await test.gql(UPDATE, { input: { webhookId, enabled: false } }, admin.token)).updateWebhook;
    expect(paused).toMatchObject({ id: webhookId, enabled: false, eventTypes: ["TeamCreated"] });
    const whilePaused = await createTeam(admin);
    expect(ok(await test.gql(UPDATE, { input: { webhookId, enabled: true } }, admin.token)).updateWebhook.enabled).toBe(true);
    const resumed = await createTeam(admin);
    await settled(admin, webhookId, resumed.eventId);
    expect(receiver.at(path).map((r) => r.json.event.id)).toEqual([first.eventId, resumed.eventId]);
    expect((await deliveriesOf(admin, webhookId)).map((d) => d.eventId)).not.toContain(whilePaused.eventId);
  });

  it("new eventTypes and url change what is delivered and where", async () => {
    const { admin, path, webhookId } = await setUp({ eventTypes: ["TeamCreated"] });
    paths += 1;
    const newPath = `/hooks/${paths}`;
    const input = { webhookId, eventTypes: ["TeamRenamed"], url: receiver.url(newPath), description: null };
    const updated = ok(await test.gql(UPDATE, { input }, admin.token)).updateWebhook;
    expect(updated).toMatchObject({ eventTypes: ["TeamRenamed"], url: receiver.url(newPath), description: null, enabled: true });
    const team = await createTeam(admin);
    ok(await test.gql(RENAME_TEAM, { input: { teamId: team.teamId, name: "Renamed team" } }, admin.token));
    const [request] = await eventually(async () => receiver.at(newPath).length > 0 && receiver.at(newPath), "the TeamRenamed POST");
    expect(request!.json.event).toMatchObject({ type: "TeamRenamed", streamName: `team-${team.teamId}` });
    await settled(admin, webhookId, request!.json.event.id);
    expect((await deliveriesOf(admin, webhookId)).map((d) => d.eventType)).toEqual(["TeamRenamed"]);
    expect(receiver.at(path)).toHaveLength(0);
  });

  it("rotateWebhookSecret shows a new secret once; later deliveries verify with it and not with the old one", async () => {
    const { admin, path, secret, webhookId } = await setUp();
    const first = await createTeam(admin);
    await settled(admin, webhookId, first.eventId);
    const rotated = ok(await test.gql(ROTATE, { input: { webhookId } }, admin.token)).rotateWebhookSecret;
    expect(rotated.secret).toMatch(/^whsec_[\w-]{40,}$/);
    expect(rotated.secret).not.toBe(secret);
    expect(rotated.webhook.id).toBe(webhookId);
    const second = await createTeam(admin);
    await settled(admin, webhookId, second.eventId);
    const [before, after] = receiver.at(path);
    expect([verifies(secret, before!), verifies(rotated.secret, before!)]).toEqual([true, false]);
    expect([verifies(secret, after!), verifies(rotated.secret, after!)]).toEqual([false, true]);
    const history = await test.gql(HISTORY, { filter: { streamName: `webhook-${webhookId}` } }, admin.token);
    expect(ok(history).eventHistory.nodes.map((e: any) => [e.type, e.data.secret])).toEqual([
      ["WebhookRegistered", "[redacted]"],
      ["WebhookSecretRotated", "[redacted]"],
    ]);
    expect(JSON.stringify(history)).not.toContain(rotated.secret.slice(6));
  });

  it("deleteWebhook: webhook(id) is null, nothing is delivered to it any more, changing it is NOT_FOUND", async () => {
    const { admin, path, webhookId } = await setUp();
    const witness = await register(admin);
    const first = await createTeam(admin);
    await settled(admin, webhookId, first.eventId);
    expect(ok(await test.gql(DELETE, { input: { webhookId } }, admin.token)).deleteWebhook).toBe(webhookId);
    expect(refused(await test.gql(WEBHOOK, { id: webhookId }, admin.token)).code).toBe("NOT_FOUND");
    expect(ok(await test.gql(WEBHOOKS, {}, admin.token)).webhooks.map((w: any) => w.id)).toEqual([witness.webhookId]);

    const second = await createTeam(admin);
    await settled(admin, witness.webhookId, second.eventId); // every webhook's delivery of `second` was decided by now
    expect(test.app.sideEffectQueries.ofTarget(webhookId, { first: 100 }).totalCount()).toBe(1);
    expect(receiver.at(path).map((r) => r.json.event.id)).toEqual([first.eventId]);
    for (const [query, input] of [
      [UPDATE, { webhookId, enabled: true }],
      [ROTATE, { webhookId }],
      [REPLAY, { webhookId, afterPosition: "0" }],
    ] as const) {
      expect(refused(await test.gql(query, { input }, admin.token)).code).toBe("NOT_FOUND");
    }
  });
});

describe("the delivery log: newest first, paginated, filtered by status", () => {
  it("deliveries(first: 1) then after: endCursor walks every delivery once; status: FAILED keeps the failed one", async () => {
    const { admin, webhookId } = await setUp({ script: (request) => (request.json.event.data.name === "Failing team" ? 500 : 200) });
    const events = [await createTeam(admin, "Team a"), await createTeam(admin, "Failing team"), await createTeam(admin, "Team c")];
    for (const event of events) await settled(admin, webhookId, event.eventId);

    const walked: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page += 1) {
      const { deliveries } = await webhookOf(admin, webhookId, { first: 1, after });
      expect(deliveries.totalCount).toBe(3);
      expect(deliveries.nodes).toHaveLength(1);
      expect(deliveries.edges[0].cursor).toBe(deliveries.pageInfo.endCursor);
      walked.push(deliveries.nodes[0].eventId);
      if (!deliveries.pageInfo.hasNextPage) break;
      after = deliveries.pageInfo.endCursor;
    }
    expect(walked).toEqual(events.map((e) => e.eventId).reverse());

    const failed = (await webhookOf(admin, webhookId, { status: "FAILED" })).deliveries;
    expect(failed.totalCount).toBe(1);
    expect(failed.nodes.map((d: Delivery) => [d.eventId, d.status, d.attempts])).toEqual([[events[1]!.eventId, "FAILED", 3]]);
    const succeeded = (await webhookOf(admin, webhookId, { status: "SUCCEEDED" })).deliveries;
    expect(succeeded.nodes.map((d: Delivery) => d.eventId)).toEqual([events[2]!.eventId, events[0]!.eventId]);
    expect((await webhookOf(admin, webhookId, { status: "RETRYING" })).deliveries.totalCount).toBe(0);
  });
});
