/**
 * An external identity provider (OIDC, next to local sign-in): with AUTH_JWKS_URL, AUTH_ISSUER and
 * AUTH_AUDIENCE set, the provider's access tokens (checked against its JWKS, served here by a
 * local HTTP server) work as bearer tokens. Claims map to organization, roles and e-mail; the
 * person is provisioned on first sight or linked by e-mail to an existing user; the token's roles
 * decide what they may do; anything not issued for us is UNAUTHENTICATED; local sign-in keeps
 * working; the configuration is validated.
 */
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";
import type { Clock } from "../../src/domain/shared/clock.js";
import { MINUTE } from "../support/test-clock.js";
import { addMember, createOrganization, ok, refused, startTestServer, type TestServer } from "../support/test-server.js";

const ISSUER = "https://idp.example.test/realms/academy";
const AUDIENCE = "sessions-api";

const ME = `{ me { id email roles status } }`;
const CREATE_SESSION = `mutation ($input: CreateSessionInput!) { createSession(input: $input) { id assigneeId createdBy } }`;
const PLAN = `mutation ($input: ChangeSessionStatusInput!) { planSession(input: $input) { status } }`;
const UPDATE_SETTINGS = `mutation ($input: UpdateOrganizationSettingsInput!) { updateOrganizationSettings(input: $input) { id } }`;

let jwks: http.Server;
let jwksUrl: string;
let idpKey: CryptoKey;
let strangerKey: CryptoKey;

interface SignOptions {
  key?: CryptoKey;
  kid?: string;
  issuer?: string;
  audience?: string;
  expiresAt?: number;
  subject?: string | null;
}

/** A token as the identity provider would issue it, at `clock`'s now (the server's: "expired" means expired for it). */
async function idpToken(clock: Clock, claims: JWTPayload, options: SignOptions = {}): Promise<string> {
  const now = Math.floor(clock.now().getTime() / 1000);
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: "RS256", kid: options.kid ?? "idp-key-1", typ: "JWT" })
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setIssuedAt(now - 10)
    .setExpirationTime(options.expiresAt ?? now + 300);
  if (options.subject !== null) jwt.setSubject(options.subject ?? `idp|${randomUUID()}`);
  return jwt.sign(options.key ?? idpKey);
}

function externalEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { AUTH_JWKS_URL: jwksUrl, AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE, ...extra };
}

beforeAll(async () => {
  const pair = await generateKeyPair("RS256", { extractable: true });
  idpKey = pair.privateKey;
  strangerKey = (await generateKeyPair("RS256")).privateKey;
  const body = JSON.stringify({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: "idp-key-1", alg: "RS256", use: "sig" }] });
  jwks = http.createServer((_request, response) => response.writeHead(200, { "content-type": "application/json" }).end(body));
  await new Promise<void>((resolve) => jwks.listen(0, "127.0.0.1", resolve));
  jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/protocol/openid-connect/certs`;
});

afterAll(async () => {
  await new Promise((resolve) => jwks.close(resolve));
});

describe("tokens of an external identity provider (default claims org / roles / email)", () => {
  let test: TestServer;
  let admin: Awaited<ReturnType<typeof createOrganization>>;

  beforeAll(async () => {
    test = await startTestServer(externalEnv());
    admin = await createOrganization(test);
  });
  afterAll(() => test.stop());

  it("provisions the person on first sight; the same user on the next request; roles from the token", async () => {
    const subject = `idp|${randomUUID()}`;
    const email = `Newcomer-${Date.now()}@Example.test`;
    const token = await idpToken(test.clock, { org: admin.organizationId, roles: ["MANAGER"], email }, { subject });

    const first = ok(await test.gql(ME, {}, token)).me;
    expect(first).toMatchObject({ email: email.toLowerCase(), roles: ["MANAGER"], status: "ACTIVE" });
    const again = await idpToken(test.clock, { org: admin.organizationId, roles: ["MANAGER"], email }, { subject });
    const second = ok(await test.gql(ME, {}, again)).me;
    expect(second.id).toBe(first.id);

    // Registered once, in the token's organization, visible to its ADMIN.
    const registered = (await test.app.store.readAll()).filter(
      (event) => event.type === "UserRegistered" && event.data.email === email.toLowerCase(),
    );
    expect(registered).toHaveLength(1);
    expect(registered[0]!.metadata.tenantId).toBe(admin.organizationId);
    const listed = ok(
      await test.gql(
        `query ($search: String) { users(filter: { search: $search }) { nodes { id email } } }`,
        { search: email.toLowerCase() },
        admin.token,
      ),
    ).users.nodes;
    expect(listed).toEqual([{ id: first.id, email: email.toLowerCase() }]);

    // A MANAGER creates sessions (and becomes their assignee) but does not plan them.
    const session = ok(await test.gql(CREATE_SESSION, { input: { name: "Made via the IdP" } }, token)).createSession;
    expect(session).toMatchObject({ assigneeId: first.id, createdBy: first.id });
    const forbidden = refused(await test.gql(PLAN, { input: { sessionId: session.id } }, token));
    expect(forbidden.code).toBe("FORBIDDEN");
    // And is no ADMIN.
    expect(refused(await test.gql(UPDATE_SETTINGS, { input: { accessCodesEnabled: true } }, token)).code).toBe("FORBIDDEN");
  });

  it("a token without roles makes a LEARNER", async () => {
    const token = await idpToken(test.clock, { org: admin.organizationId, email: `plain-${Date.now()}@example.test` });
    expect(ok(await test.gql(ME, {}, token)).me.roles).toEqual(["LEARNER"]);
    expect(refused(await test.gql(CREATE_SESSION, { input: { name: "No" } }, token)).code).toBe("FORBIDDEN");
  });

  it("links a token whose e-mail matches an existing local user to that user; the token's roles win over the stored ones", async () => {
    const learner = await addMember(test, admin.token, ["LEARNER"]);
    const asManager = await idpToken(test.clock, { org: admin.organizationId, roles: ["manager"], email: learner.email.toUpperCase() });
    expect(ok(await test.gql(ME, {}, asManager)).me.id).toBe(learner.userId);
    // Stored as LEARNER, but the token says MANAGER: creating a session is allowed.
    const created = ok(await test.gql(CREATE_SESSION, { input: { name: "Linked" } }, asManager)).createSession;
    expect(created.createdBy).toBe(learner.userId);
    // Their local password sign-in still gives the stored roles.
    expect(refused(await test.gql(CREATE_SESSION, { input: { name: "No" } }, learner.token)).code).toBe("FORBIDDEN");

    // And the other way: the organization's ADMIN with a LEARNER token is a LEARNER.
    const adminAsLearner = await idpToken(test.clock, { org: admin.organizationId, roles: ["LEARNER"], email: admin.email });
    expect(ok(await test.gql(ME, {}, adminAsLearner)).me.id).toBe(admin.userId);
    expect(refused(await test.gql(UPDATE_SETTINGS, { input: { accessCodesEnabled: true } }, adminAsLearner)).code).toBe("FORBIDDEN");
    // Nothing new was registered for them.
    const registered = (await test.app.store.readAll()).filter(
      (event) => event.type === "UserRegistered" && [learner.email, admin.email].includes(String(event.data.email)),
    );
    expect(registered).toHaveLength(2);
  });

  it("refuses tokens with the wrong audience or issuer, expired, signed by another key or with an unknown kid (UNAUTHENTICATED)", async () => {
    const claims = { org: admin.organizationId, roles: ["ADMIN"], email: admin.email };
    const now = Math.floor(test.clock.now().getTime() / 1000);
    const bad: Record<string, string> = {
      audience: await idpToken(test.clock, claims, { audience: "another-api" }),
      issuer: await idpToken(test.clock, claims, { issuer: "https://evil.example.test" }),
      expired: await idpToken(test.clock, claims, { expiresAt: now - 600 }),
      otherKey: await idpToken(test.clock, claims, { key: strangerKey }),
      otherKeyOtherKid: await idpToken(test.clock, claims, { key: strangerKey, kid: "unknown-kid" }),
      noSubject: await idpToken(test.clock, claims, { subject: null }),
      garbage: "not.a.jwt",
    };
    for (const [why, token] of Object.entries(bad)) {
      const error = refused(await test.gql(ME, {}, token));
      expect(error.code, why).toBe("UNAUTHENTICATED");
    }
    // The same claims, issued properly, are accepted: the refusals above are about what was changed.
    expect(ok(await test.gql(ME, {}, await idpToken(test.clock, claims))).me.id).toBe(admin.userId);
    // A token good for five minutes is refused once the server's clock has passed its expiry.
    const shortLived = await idpToken(test.clock, claims, { expiresAt: now + 5 * 60 });
    expect(ok(await test.gql(ME, {}, shortLived)).me.id).toBe(admin.userId);
    test.clock.advance(6 * MINUTE);
    expect(refused(await test.gql(ME, {}, shortLived)).code, "expired meanwhile").toBe("UNAUTHENTICATED");
  });

  it("refuses a token for an unknown organization, and one naming no organization (UNAUTHENTICATED); registers no one", async () => {
    const email = `lost-${Date.now()}@example.test`;
    const unknownOrg = refused(await test.gql(ME, {}, await idpToken(test.clock, { org: randomUUID(), roles: ["ADMIN"], email })));
    expect(unknownOrg.code).toBe("UNAUTHENTICATED");
    const noOrg = refused(await test.gql(ME, {}, await idpToken(test.clock, { roles: ["ADMIN"], email })));
    expect(noOrg.code).toBe("UNAUTHENTICATED");
    const registered = (await test.app.store.readAll()).filter((event) => event.type === "UserRegistered" && event.data.email === email);
    expect(registered).toEqual([]);
  });

  it("refuses a first-seen person without an e-mail (UNAUTHENTICATED)", async () => {
    const error = refused(await test.gql(ME, {}, await idpToken(test.clock, { org: admin.organizationId, roles: ["TRAINER"] })));
    expect(error.code).toBe("UNAUTHENTICATED");
    expect(error.message).toMatch(/e-mail/i);
  });

  it("cannot reach another organization than the token's", async () => {
    const other = await createOrganization(test);
    const token = await idpToken(test.clock, { org: admin.organizationId, roles: ["ADMIN"], email: `boss-${Date.now()}@example.test` });
    const foreignSession = ok(await test.gql(CREATE_SESSION, { input: { name: "Other org's" } }, other.token)).createSession.id;
    const error = refused(await test.gql(`query ($id: ID!) { session(id: $id) { id } }`, { id: foreignSession }, token));
    expect(error.code).toBe("NOT_FOUND");
    expect(ok(await test.gql(`{ organization { id } }`, {}, token)).organization.id).toBe(admin.organizationId);
  });

  it("local sign-in tokens still work alongside", async () => {
    expect(ok(await test.gql(ME, {}, admin.token)).me.id).toBe(admin.userId);
    const signedIn = ok(
      await test.gql(`mutation ($input: SignInInput!) { signIn(input: $input) { token } }`, {
        input: { email: admin.email, password: admin.password },
      }),
    ).signIn.token;
    expect(ok(await test.gql(ME, {}, signedIn)).me.id).toBe(admin.userId);
  });
});

describe("a nested roles claim: AUTH_ROLES_CLAIM=realm_access.roles", () => {
  let test: TestServer;
  let admin: Awaited<ReturnType<typeof createOrganization>>;

  beforeAll(async () => {
    test = await startTestServer(externalEnv({ AUTH_ROLES_CLAIM: "realm_access.roles" }));
    admin = await createOrganization(test);
  });
  afterAll(() => test.stop());

  it("reads the roles from the nested claim, ignoring a top-level roles claim", async () => {
    const token = await idpToken(test.clock, {
      org: admin.organizationId,
      email: `keycloak-${Date.now()}@example.test`,
      roles: ["ADMIN"],
      realm_access: { roles: ["manager", "offline_access", "uma_authorization"] },
    });
    expect(ok(await test.gql(ME, {}, token)).me.roles).toEqual(["MANAGER"]);
    const session = ok(await test.gql(CREATE_SESSION, { input: { name: "Keycloak session" } }, token)).createSession;
    expect(refused(await test.gql(PLAN, { input: { sessionId: session.id } }, token)).code).toBe("FORBIDDEN");
    expect(refused(await test.gql(UPDATE_SETTINGS, { input: { accessCodesEnabled: true } }, token)).code).toBe("FORBIDDEN");
  });
});

describe("an unreachable identity provider", () => {
  it("makes its tokens UNAUTHENTICATED, not a server error; local tokens keep working", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const test = await startTestServer(externalEnv({ AUTH_JWKS_URL: `http://127.0.0.1:${port}/certs` }));
    try {
      const admin = await createOrganization(test);
      const token = await idpToken(test.clock, { org: admin.organizationId, roles: ["ADMIN"], email: admin.email });
      expect(refused(await test.gql(ME, {}, token)).code).toBe("UNAUTHENTICATED");
      expect(ok(await test.gql(ME, {}, admin.token)).me.id).toBe(admin.userId);
    } finally {
      await test.stop();
    }
  });
});

describe("configuration of the external identity provider", () => {
  const base = { DATA_DIR: "/tmp/unused", NODE_ENV: "test" };

  it("AUTH_JWKS_URL without AUTH_ISSUER fails, naming AUTH_ISSUER", () => {
    let thrown: unknown;
    try {
      loadConfig({ ...base, AUTH_JWKS_URL: "https://idp.example.test/certs", AUTH_AUDIENCE: AUDIENCE });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const problems = (thrown as ConfigError).problems;
    expect(problems.some((problem) => problem.startsWith("AUTH_ISSUER"))).toBe(true);
    expect(problems.some((problem) => problem.startsWith("AUTH_AUDIENCE"))).toBe(false);
  });

  it("AUTH_JWKS_URL without AUTH_AUDIENCE fails, naming AUTH_AUDIENCE; a JWKS URL that is no URL is refused", () => {
    expect(() => loadConfig({ ...base, AUTH_JWKS_URL: "https://idp.example.test/certs", AUTH_ISSUER: ISSUER })).toThrow(/AUTH_AUDIENCE/);
    expect(() => loadConfig({ ...base, AUTH_JWKS_URL: "not a url", AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE })).toThrow(/AUTH_JWKS_URL/);
  });

  it("all three together give an external identity configuration with the default claims", () => {
    const config = loadConfig({ ...base, AUTH_JWKS_URL: "https://idp.example.test/certs", AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE });
    expect(config.externalIdentity).toEqual({
      jwksUrl: "https://idp.example.test/certs",
      issuer: ISSUER,
      audience: AUDIENCE,
      organizationClaim: "org",
      rolesClaim: "roles",
      emailClaim: "email",
    });
    expect(loadConfig(base).externalIdentity).toBeNull();
  });
});
