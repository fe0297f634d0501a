/**
 * Webhooks never reach internal addresses (SSRF), through the real HTTP API:
 * - registerWebhook and updateWebhook refuse private, loopback, link-local, unique-local,
 *   multicast, unspecified, CGNAT, benchmarking, documentation and IPv4-mapped addresses, in
 *   every spelling the URL parser reads (hex, octal, integer, short), and localhost, *.localhost
 *   and other internal names: BAD_USER_INPUT naming `url`, nothing appended;
 * - at delivery, the host name is resolved (here by a resolver the test controls) and a name
 *   with any internal address is refused before connecting: a failed attempt "Target address not
 *   allowed", retried as any failure, the webhook left enabled;
 * - WEBHOOK_ALLOWED_HOSTS lets an operator allow host names or addresses (exact match);
 * - redirects are not followed.
 */
import { randomUUID } from "node:crypto";
import type { LookupAddress } from "node:dns";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HostResolver } from "../../src/adapters/webhooks/webhook-targets.js";
import { webhookStreamName } from "../../src/domain/webhooks/events.js";
import { sleep } from "../support/status-changes.js";
import { HOUR, MINUTE } from "../support/test-clock.js";
import { createOrganization, ok, refused, startTestServer, type TestServer } from "../support/test-server.js";

const REGISTER = `mutation ($input: RegisterWebhookInput!) { registerWebhook(input: $input) { webhook { id url enabled } } }`;
const UPDATE = `mutation ($input: UpdateWebhookInput!) { updateWebhook(input: $input) { id url } }`;
const WEBHOOK = `query ($id: ID!) {
  webhook(id: $id) { url enabled deliveries(first: 50) { nodes { eventId status attempts lastStatusCode lastError nextAttemptAt } } }
}`;
const CREATE_TEAM = `mutation ($input: CreateTeamInput!) { createTeam(input: $input) { id } }`;

const ENV = {
  WEBHOOK_RETRY_BASE_MS: String(MINUTE),
  WEBHOOK_RETRY_MAX_MS: String(10 * MINUTE),
  WEBHOOK_MAX_ATTEMPTS: "2",
  WEBHOOK_TIMEOUT_MS: "2000",
  SIDE_EFFECT_SWEEP_INTERVAL_MS: "20",
  SIDE_EFFECT_LEASE_MS: String(HOUR),
};

const REFUSED_URLS = [
  "http://169.254.169.254/latest/meta-data/",
  "http://10.0.0.1/hooks",
  "http://172.16.5.4/hooks",
  "http://192.168.1.10/hooks",
  "http://127.0.0.1:8080/hooks",
  "http://127.1/hooks",
  "http://[::1]:6379/",
  "http://0x7f000001/hooks",
  "http://0x7f.0.0.1/hooks",
  "http://2130706433/hooks",
  "http://017700000001/hooks",
  "http://0177.0.0.1/hooks",
  "http://0/hooks",
  "http://0.0.0.0:4000/hooks",
  "http://[::]/hooks",
  "http://100.64.0.1/hooks",
  "http://100.127.255.254/hooks",
  "http://198.18.0.1/hooks",
  "http://192.0.2.1/hooks",
  "http://198.51.100.7/hooks",
  "http://203.0.113.9/hooks",
  "http://224.0.0.1/hooks",
  "http://255.255.255.255/hooks",
  "http://[fe80::1]/hooks",
  "http://[fc00::1]/hooks",
  "http://[fd12:3456::1]/hooks",
  "http://[ff02::1]/hooks",
  "http://[2001:db8::1]/hooks",
  "http://[::ffff:127.0.0.1]/hooks",
  "http://[::ffff:a9fe:a9fe]/hooks",
  "http://[::ffff:10.0.0.1]/hooks",
  "http://[::127.0.0.1]/hooks",
  "http://[64:ff9b::a00:1]/hooks",
  "http://localhost:3000/hooks",
  "http://LOCALHOST./hooks",
  "http://api.localhost/hooks",
  "https://metadata.google.internal/computeMetadata/v1/",
  "http://printer.local/hooks",
  "http://intranet/hooks",
];

/** Names resolve as this table says; anything else does not resolve. */
function resolverOf(table: Record<string, string[]>): HostResolver {
  return async (hostname) => {
    const addresses = table[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
    return addresses.map((address): LookupAddress => ({ address, family: address.includes(":") ? 6 : 4 }));
  };
}

/** A local endpoint: records the paths it is asked for; /redirect answers 302 to /landing, anything else 200. */
async function startReceiver() {
  const paths: string[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      paths.push(req.url ?? "/");
      if (req.url?.startsWith("/redirect")) res.writeHead(302, { location: "/landing" }).end();
      else res.writeHead(200).end("thanks");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { port, paths, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

let receiver: Awaited<ReturnType<typeof startReceiver>>;
/** No allowed hosts: the default. */
let strict: TestServer;
/** WEBHOOK_ALLOWED_HOSTS=allowed.example.test,127.0.0.1 */
let allowing: TestServer;

const resolver = resolverOf({
  "private.example.test": ["127.0.0.1"],
  "metadata.example.test": ["169.254.169.254"],
  "mapped.example.test": ["::ffff:127.0.0.1"],
  // One public address is not enough: every address the name has must be public.
  "mixed.example.test": ["93.184.215.14", "10.0.0.1"],
  "allowed.example.test": ["127.0.0.1"],
  "other.example.test": ["127.0.0.1"],
});

beforeAll(async () => {
  receiver = await startReceiver();
  strict = await startTestServer({ ...ENV, WEBHOOK_ALLOWED_HOSTS: "" }, { webhookResolver: resolver });
  allowing = await startTestServer({ ...ENV, WEBHOOK_ALLOWED_HOSTS: "allowed.example.test, 127.0.0.1" }, { webhookResolver: resolver });
});
afterAll(async () => {
  await strict?.stop();
  await allowing?.stop();
  await receiver?.close();
});

type Org = Awaited<ReturnType<typeof createOrganization>>;

async function register(test: TestServer, admin: Org, url: string, eventTypes = ["TeamCreated"]): Promise<string> {
  return ok(await test.gql(REGISTER, { input: { url, eventTypes } }, admin.token)).registerWebhook.webhook.id as string;
}

async function createTeam(test: TestServer, admin: Org): Promise<string> {
  const teamId = ok(await test.gql(CREATE_TEAM, { input: { name: `Team ${randomUUID()}` } }, admin.token)).createTeam.id as string;
  const events = await test.app.store.readStream(`team-${teamId}`);
  return events.find((event) => event.type === "TeamCreated")!.id;
}

async function webhookOf(test: TestServer, admin: Org, id: string) {
  return ok(await test.gql(WEBHOOK, { id }, admin.token)).webhook;
}

/** Waits for the delivery of `eventId` to reach one of `statuses`, moving the clock past each retry. */
async function delivery(test: TestServer, admin: Org, webhookId: string, eventId: string, statuses: string[]) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const found = (await webhookOf(test, admin, webhookId)).deliveries.nodes.find((d: { eventId: string }) => d.eventId === eventId);
    if (found && statuses.includes(found.status)) return found;
    if (found?.status === "RETRYING" && found.nextAttemptAt) {
      const ahead = Date.parse(found.nextAttemptAt) - test.clock.now().getTime();
      if (ahead >= 0) test.clock.advance(ahead + 1);
    }
    if (Date.now() > deadline) throw new Error(`Timed out waiting for a ${statuses.join("/")} delivery of ${eventId}: ${JSON.stringify(found)}`);
    await sleep(20);
  }
}

describe("registerWebhook and updateWebhook refuse internal targets (BAD_USER_INPUT on url, nothing appended)", () => {
  let admin: Org;
  let webhookId: string;
  const PUBLIC_URL = "https://hooks.example.com/sessions";

  beforeAll(async () => {
    admin = await createOrganization(strict);
    webhookId = await register(strict, admin, PUBLIC_URL, ["SessionConfirmed"]);
  });

  const eventCount = async () => (await strict.app.store.readAll()).length;

  it.each(REFUSED_URLS)("registerWebhook %s", async (url) => {
    const before = await eventCount();
    const error = refused(await strict.gql(REGISTER, { input: { url, eventTypes: ["SessionConfirmed"] } }, admin.token));
    expect(error.code, error.message).toBe("BAD_USER_INPUT");
    expect(error.extensions.field).toBe("url");
    expect(error.message).toMatch(/^url: must point to a public host: .+ is (a|an) .*(address|host name)$/);
    expect(await eventCount()).toBe(before);
  });

  it.each(REFUSED_URLS)("updateWebhook %s", async (url) => {
    const before = await eventCount();
    const error = refused(await strict.gql(UPDATE, { input: { webhookId, url } }, admin.token));
    expect(error.code, error.message).toBe("BAD_USER_INPUT");
    expect(error.extensions.field).toBe("url");
    expect(error.message).toMatch(/must point to a public host/);
    expect(await eventCount()).toBe(before);
    expect((await webhookOf(strict, admin, webhookId)).url).toBe(PUBLIC_URL);
  });

  it("the message names what the address is, after the URL parser's normalisation", async () => {
    const cases: [string, RegExp][] = [
      ["http://0x7f000001/hooks", /127\.0\.0\.1 is a loopback address/],
      ["http://169.254.169.254/", /169\.254\.169\.254 is a link-local address/],
      ["http://100.64.0.1/", /100\.64\.0\.1 is a carrier-grade NAT address/],
      ["http://[::ffff:10.0.0.1]/", /is a private address/],
      ["http://api.localhost/", /api\.localhost is an internal host name/],
    ];
    for (const [url, message] of cases) {
      expect(refused(await strict.gql(REGISTER, { input: { url, eventTypes: ["SessionConfirmed"] } }, admin.token)).message).toMatch(message);
    }
  });

  it("public hosts and addresses are accepted; changing other settings of a webhook keeps working", async () => {
    for (const url of ["https://hooks.example.com/a", "http://8.8.8.8/hooks", "http://[2606:4700:4700::1111]/hooks", "https://93.184.215.14:8443/"]) {
      await register(strict, admin, url, ["SessionConfirmed"]);
    }
    ok(await strict.gql(UPDATE, { input: { webhookId, description: "still fine" } }, admin.token));
  });
});

describe("at delivery, a host name is resolved and refused when any of its addresses is internal", () => {
  let admin: Org;
  beforeAll(async () => {
    admin = await createOrganization(strict);
  });

  it.each(["private.example.test", "metadata.example.test", "mapped.example.test", "mixed.example.test"])(
    "%s: the attempt fails with a generic reason, nothing is sent, it is retried as any failure and the webhook stays enabled",
    async (host) => {
      const path = `/refused/${host}`;
      const webhookId = await register(strict, admin, `http://${host}:${receiver.port}${path}`);
      const eventId = await createTeam(strict, admin);
      const first = await delivery(strict, admin, webhookId, eventId, ["RETRYING", "FAILED"]);
      expect(first).toMatchObject({ attempts: 1, lastStatusCode: null, lastError: "Target address not allowed" });
      const failed = await delivery(strict, admin, webhookId, eventId, ["FAILED"]);
      expect(failed).toMatchObject({ attempts: 2, lastStatusCode: null, lastError: "Target address not allowed" });
      expect((await webhookOf(strict, admin, webhookId)).enabled).toBe(true);
      expect(receiver.paths.filter((p) => p === path)).toEqual([]);
    },
  );

  it("a webhook recorded with an internal address (e.g. before the check, or allowed then) is refused at delivery", async () => {
    const webhookId = `wh-${randomUUID()}`;
    const path = "/recorded-before";
    await strict.app.webhooks.handle(webhookStreamName(webhookId), {
      type: "RegisterWebhook",
      webhookId,
      url: `http://0x7f000001:${receiver.port}${path}`,
      eventTypes: ["TeamCreated"],
      description: null,
      secret: "whsec_recorded_before_the_check_0123456789",
      context: { commandId: randomUUID(), organizationId: admin.organizationId, actorId: admin.userId, now: strict.clock.now(), correlationId: randomUUID() },
    });
    const eventId = await createTeam(strict, admin);
    const failed = await delivery(strict, admin, webhookId, eventId, ["FAILED"]);
    expect(failed).toMatchObject({ attempts: 2, lastStatusCode: null, lastError: "Target address not allowed" });
    expect(receiver.paths.filter((p) => p === path)).toEqual([]);
  });
});

describe("WEBHOOK_ALLOWED_HOSTS (exact host names or addresses)", () => {
  let admin: Org;
  beforeAll(async () => {
    admin = await createOrganization(allowing);
  });

  it("an allowed host name and an allowed address are registered and delivered", async () => {
    const urls = {
      "/allowed-name": `http://allowed.example.test:${receiver.port}/allowed-name`,
      "/allowed-address": `http://127.0.0.1:${receiver.port}/allowed-address`,
      // Not itself listed, but it resolves to an allowed address.
      "/resolves-to-allowed": `http://other.example.test:${receiver.port}/resolves-to-allowed`,
    };
    const webhooks = await Promise.all(Object.values(urls).map((url) => register(allowing, admin, url)));
    const eventId = await createTeam(allowing, admin);
    for (const webhookId of webhooks) {
      expect(await delivery(allowing, admin, webhookId, eventId, ["SUCCEEDED", "FAILED"])).toMatchObject({
        status: "SUCCEEDED",
        lastStatusCode: 200,
      });
    }
    for (const path of Object.keys(urls)) expect(receiver.paths.filter((p) => p === path)).toHaveLength(1);
  });

  it("other internal targets stay refused: at registration, and at delivery for a name with an address not listed", async () => {
    for (const url of ["http://10.0.0.1/hooks", "http://localhost/hooks", "http://[::1]/hooks", "http://127.0.0.2/hooks"]) {
      const error = refused(await allowing.gql(REGISTER, { input: { url, eventTypes: ["TeamCreated"] } }, admin.token));
      expect([error.code, error.extensions.field]).toEqual(["BAD_USER_INPUT", "url"]);
    }
    const webhookId = await register(allowing, admin, `http://mixed.example.test:${receiver.port}/mixed`);
    const eventId = await createTeam(allowing, admin);
    expect(await delivery(allowing, admin, webhookId, eventId, ["FAILED"])).toMatchObject({ lastError: "Target address not allowed" });
  });

  it("redirects are not followed: a 302 is a failed attempt and its Location is never requested", async () => {
    const webhookId = await register(allowing, admin, `http://127.0.0.1:${receiver.port}/redirect`);
    const eventId = await createTeam(allowing, admin);
    const failed = await delivery(allowing, admin, webhookId, eventId, ["FAILED"]);
    expect(failed).toMatchObject({ attempts: 2, lastStatusCode: 302, lastError: expect.stringMatching(/HTTP 302/) });
    expect(receiver.paths.filter((p) => p === "/redirect")).toHaveLength(2);
    expect(receiver.paths.filter((p) => p === "/landing")).toEqual([]);
  });
});
