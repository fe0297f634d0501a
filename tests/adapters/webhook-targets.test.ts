/**
 * The webhook target policy: which URLs and resolved addresses a webhook may reach, the operator's
 * allow-list (WEBHOOK_ALLOWED_HOSTS), and the lookup that checks what it hands the connection.
 * Over the API (registration, delivery): tests/e2e/webhooks-targets.test.ts.
 */
import type { LookupAddress } from "node:dns";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkedLookup, type HostResolver, TargetNotAllowed, WebhookTargetPolicy } from "../../src/adapters/webhooks/webhook-targets.js";
import { ConfigError, loadConfig } from "../../src/config.js";

const resolverOf = (table: Record<string, string[]>, calls: string[] = []): HostResolver => async (hostname) => {
  calls.push(hostname);
  const addresses = table[hostname];
  if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
  return addresses.map((address): LookupAddress => ({ address, family: address.includes(":") ? 6 : 4 }));
};

function lookUp(lookup: ReturnType<typeof checkedLookup>, hostname: string, options: { all?: boolean; family?: number } = {}) {
  return new Promise<{ error: Error | null; address: unknown; family?: number }>((resolve) =>
    lookup(hostname, options, (error, address, family) => resolve({ error, address, family })),
  );
}

describe("WebhookTargetPolicy.refusal", () => {
  const policy = new WebhookTargetPolicy();

  it.each([
    ["http://10.0.0.1/", "10.0.0.1 is a private address"],
    ["http://0xa000001/", "10.0.0.1 is a private address"],
    ["http://[::1]:6379/", "::1 is a loopback address"],
    ["http://[fd00::1]/", "fd00::1 is a unique-local address"],
    ["http://[::ffff:169.254.169.254]/", "is a link-local address"],
    ["http://198.19.255.255/", "is a reserved (documentation, benchmarking or future use) address"],
    ["http://239.1.2.3/", "is a multicast address"],
    ["http://[100::1]/", "is a non-public address"],
    ["http://foo.LOCALHOST/", "foo.localhost is an internal host name"],
  ])("%s → %s", (url, reason) => {
    expect(policy.refusal(url)).toContain(reason);
  });

  it.each(["https://hooks.example.com/x", "http://1.1.1.1/", "http://[2a00:1450:4001::200e]/", "ftp://10.0.0.1/", "not a url"])(
    "%s → no refusal (URLs that are not http(s) are left to the URL validation)",
    (url) => {
      expect(policy.refusal(url)).toBeNull();
    },
  );

  it("allowed hosts match exactly, after normalising case, brackets and a trailing dot", () => {
    const allowing = new WebhookTargetPolicy(["LocalHost.", "[::1]", "10.1.2.3"]);
    expect(allowing.refusal("http://localhost:3000/")).toBeNull();
    expect(allowing.refusal("http://[0:0::1]/")).toBeNull();
    expect(allowing.refusal("http://10.1.2.3/")).toBeNull();
    expect(allowing.refusal("http://0x0a010203/")).toBeNull();
    expect(allowing.refusal("http://api.localhost/")).not.toBeNull();
    expect(allowing.refusal("http://10.1.2.4/")).not.toBeNull();
    expect(allowing.refusal("http://127.0.0.1/")).not.toBeNull();
    expect(allowing.addressAllowed("10.1.2.3")).toBe(true);
    expect(allowing.addressAllowed("::ffff:10.1.2.3")).toBe(true);
    expect(allowing.addressAllowed("10.1.2.4")).toBe(false);
  });
});

describe("checkedLookup", () => {
  const resolve = resolverOf({
    "public.test": ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
    "private.test": ["192.168.0.2"],
    "rebind.test": ["93.184.215.14", "127.0.0.1"],
    "allowed.test": ["10.9.9.9"],
  });
  const lookup = checkedLookup(new WebhookTargetPolicy(["allowed.test"]), resolve);

  it("answers the checked addresses: all of them when asked for all, else the first, of the family asked for", async () => {
    expect(await lookUp(lookup, "public.test", { all: true })).toMatchObject({
      error: null,
      address: [
        { address: "93.184.215.14", family: 4 },
        { address: "2606:2800:21f:cb07:6820:80da:af6b:8b2c", family: 6 },
      ],
    });
    expect(await lookUp(lookup, "public.test")).toMatchObject({ error: null, address: "93.184.215.14", family: 4 });
    expect(await lookUp(lookup, "public.test", { family: 6 })).toMatchObject({ address: "2606:2800:21f:cb07:6820:80da:af6b:8b2c", family: 6 });
  });

  it("refuses a name when any of its addresses is internal, unless the name itself is allowed", async () => {
    expect((await lookUp(lookup, "private.test")).error).toBeInstanceOf(TargetNotAllowed);
    expect((await lookUp(lookup, "rebind.test", { all: true })).error).toBeInstanceOf(TargetNotAllowed);
    expect((await lookUp(lookup, "allowed.test")).address).toBe("10.9.9.9");
  });

  it("passes resolution errors on", async () => {
    expect((await lookUp(lookup, "nowhere.test")).error).toMatchObject({ code: "ENOTFOUND" });
  });

  describe("with http.request", () => {
    let server: http.Server;
    let port: number;
    beforeAll(async () => {
      server = http.createServer((_req, res) => res.writeHead(204).end());
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    const post = (policy: WebhookTargetPolicy, resolve: HostResolver, host: string) =>
      new Promise<number>((done, fail) => {
        const request = http.request(`http://${host}:${port}/`, { method: "POST", agent: false, lookup: checkedLookup(policy, resolve) }, (response) => {
          response.resume();
          done(response.statusCode!);
        });
        request.on("error", fail);
        request.end();
      });

    it("connects to the address it checked, resolving once", async () => {
      const calls: string[] = [];
      const status = await post(new WebhookTargetPolicy(["127.0.0.1"]), resolverOf({ "hooks.test": ["127.0.0.1"] }, calls), "hooks.test");
      expect(status).toBe(204);
      expect(calls).toEqual(["hooks.test"]);
    });

    it("fails with TargetNotAllowed before connecting to an internal address", async () => {
      await expect(post(new WebhookTargetPolicy(), resolverOf({ "hooks.test": ["127.0.0.1"] }), "hooks.test")).rejects.toBeInstanceOf(
        TargetNotAllowed,
      );
    });
  });
});

describe("WEBHOOK_ALLOWED_HOSTS", () => {
  it("is empty by default; a comma-separated list of host names and addresses otherwise", () => {
    expect(loadConfig({}).webhooks.allowedHosts).toEqual([]);
    expect(loadConfig({ WEBHOOK_ALLOWED_HOSTS: " Localhost, 127.0.0.1,[::1],, hooks.internal " }).webhooks.allowedHosts).toEqual([
      "localhost",
      "127.0.0.1",
      "[::1]",
      "hooks.internal",
    ]);
  });

  it.each(["10.0.0.0/8", "*.example.com", "localhost:3000", "http://localhost"])("refuses %j (no ranges, wildcards, ports or URLs)", (value) => {
    expect(() => loadConfig({ WEBHOOK_ALLOWED_HOSTS: value })).toThrow(ConfigError);
    expect(() => loadConfig({ WEBHOOK_ALLOWED_HOSTS: value })).toThrow(/WEBHOOK_ALLOWED_HOSTS/);
  });
});
