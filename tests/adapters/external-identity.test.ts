import http from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExternalIdentityVerifier, type ExternalIdentityConfig } from "../../src/adapters/auth/external-identity.js";
import { TestClock } from "../support/test-clock.js";

const ISSUER = "https://idp.example.test/realms/acme";
const AUDIENCE = "sessions-api";

let server: http.Server;
let privateKey: CryptoKey;
let config: ExternalIdentityConfig;
const clock = new TestClock();

beforeAll(async () => {
  const pair = await generateKeyPair("RS256", { extractable: true });
  privateKey = pair.privateKey;
  const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(pair.publicKey)), kid: "k1", alg: "RS256", use: "sig" }] });
  server = http.createServer((_req, res) => res.writeHead(200, { "content-type": "application/json" }).end(jwks));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  config = {
    jwksUrl: `http://127.0.0.1:${port}/certs`,
    issuer: ISSUER,
    audience: AUDIENCE,
    organizationClaim: "org",
    rolesClaim: "roles",
    emailClaim: "email",
  };
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

interface SignOptions {
  key?: CryptoKey | Uint8Array;
  alg?: string;
  kid?: string;
  issuer?: string;
  audience?: string;
  expiresAt?: number;
}

async function sign(claims: JWTPayload, options: SignOptions = {}): Promise<string> {
  const now = Math.floor(clock.now().getTime() / 1000);
  const jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: options.alg ?? "RS256", kid: options.kid ?? "k1", typ: "JWT" })
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setIssuedAt(now - 10)
    .setExpirationTime(options.expiresAt ?? now + 300);
  if (claims.sub === undefined) jwt.setSubject("user-123");
  return jwt.sign(options.key ?? privateKey);
}

describe("external identity verifier", () => {
  it("maps subject, organization, e-mail and roles of a valid token", async () => {
    const token = await sign({ org: "org-1", email: "  Ann@Example.TEST ", roles: ["trainer", "Admin", "ADMIN"] });
    expect(await new ExternalIdentityVerifier(config, { clock }).verify(token)).toEqual({
      issuer: ISSUER,
      subject: "user-123",
      organizationId: "org-1",
      email: "ann@example.test",
      roles: ["TRAINER", "ADMIN"],
    });
  });

  it("reads nested dotted claim paths, and prefers an exact key containing dots", async () => {
    const verifier = new ExternalIdentityVerifier({
      ...config,
      organizationClaim: "https://example.com/org",
      rolesClaim: "realm_access.roles",
      emailClaim: "profile.mail",
    }, { clock });
    const token = await sign({
      "https://example.com/org": "org-url",
      "https://example": { "com/org": "wrong" }, // the dotted-path reading of the same name
      realm_access: { roles: ["manager", "offline_access"] },
      profile: { mail: "Bob@Example.test" },
    });
    expect(await verifier.verify(token)).toMatchObject({
      organizationId: "org-url",
      email: "bob@example.test",
      roles: ["MANAGER"],
    });

    const nested = new ExternalIdentityVerifier({ ...config, organizationClaim: "tenant.id" }, { clock });
    expect(await nested.verify(await sign({ tenant: { id: "org-nested" } }))).toMatchObject({ organizationId: "org-nested" });
  });

  it("accepts roles as a space- or comma-separated string", async () => {
    const verifier = new ExternalIdentityVerifier(config, { clock });
    expect((await verifier.verify(await sign({ org: "o", roles: "admin trainer" })))?.roles).toEqual(["ADMIN", "TRAINER"]);
    expect((await verifier.verify(await sign({ org: "o", roles: "host,auditor, employee" })))?.roles).toEqual([
      "HOST",
      "AUDITOR",
      "EMPLOYEE",
    ]);
  });

  it("drops unknown roles and defaults to LEARNER; e-mail null when absent or not a string", async () => {
    const verifier = new ExternalIdentityVerifier(config, { clock });
    expect(await verifier.verify(await sign({ org: "o", roles: ["superuser", 42, "uma_authorization"] }))).toMatchObject({
      roles: ["LEARNER"],
      email: null,
    });
    expect(await verifier.verify(await sign({ org: "o", email: 7 }))).toMatchObject({ roles: ["LEARNER"], email: null });
  });

  it("returns null for tokens that are not valid for this provider", async () => {
    const verifier = new ExternalIdentityVerifier(config, { clock });
    const other = await generateKeyPair("RS256");
    const expiredAt = Math.floor(clock.now().getTime() / 1000) - 120; // beyond the 30 s tolerance
    const hs256 = await sign({ org: "o" }, { alg: "HS256", key: new TextEncoder().encode("secret".repeat(8)) });

    const invalid = {
      "wrong issuer": await sign({ org: "o" }, { issuer: "https://evil.example.test" }),
      "wrong audience": await sign({ org: "o" }, { audience: "another-api" }),
      expired: await sign({ org: "o" }, { expiresAt: expiredAt }),
      "missing organization": await sign({ email: "a@b.test" }),
      "empty subject": await sign({ org: "o", sub: "" }),
      "signed by another key": await sign({ org: "o" }, { key: other.privateKey }),
      "signed by another key, unknown kid": await sign({ org: "o" }, { key: other.privateKey, kid: "k2" }),
      "HS256 with a guessed secret": hs256,
      garbage: "not-a-jwt",
      "three garbage parts": "a.b.c",
      empty: "",
    };
    for (const [name, token] of Object.entries(invalid)) {
      expect(await verifier.verify(token), name).toBeNull();
    }
  });

  it("tolerates 30 s of clock skew", async () => {
    const token = await sign({ org: "o" }, { expiresAt: Math.floor(clock.now().getTime() / 1000) - 10 });
    expect(await new ExternalIdentityVerifier(config, { clock }).verify(token)).not.toBeNull();
  });

  it("returns null without throwing when the JWKS endpoint is down", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));

    const verifier = new ExternalIdentityVerifier({ ...config, jwksUrl: `http://127.0.0.1:${port}/certs` }, { clock, timeoutMs: 1000 });
    expect(await verifier.verify(await sign({ org: "o" }))).toBeNull();
  });

  it("returns null when the JWKS endpoint does not answer in time", async () => {
    const silent = http.createServer(() => {}); // accepts, never responds
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const verifier = new ExternalIdentityVerifier({ ...config, jwksUrl: `http://127.0.0.1:${port}/certs` }, { clock, timeoutMs: 200 });
      expect(await verifier.verify(await sign({ org: "o" }))).toBeNull();
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
