import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";

describe("configuration from the environment", () => {
  it("defaults to port 4000 and ./data", () => {
    const config = loadConfig({});
    expect(config.port).toBe(4000);
    expect(config.dataDir).toBe(path.resolve("./data"));
    expect(config.accessTokenTtlSeconds).toBe(3600);
    expect(config.jwtSecret).toBeUndefined();
  });

  it("reads valid values", () => {
    const config = loadConfig({ PORT: "8080", DATA_DIR: "/var/lib/sessions", JWT_SECRET: "x".repeat(32) });
    expect(config).toMatchObject({ port: 8080, dataDir: "/var/lib/sessions", jwtSecret: "x".repeat(32) });
  });

  it.each([
    [{ PORT: "eighty" }, /PORT="eighty": .*number/],
    [{ PORT: "70000" }, /PORT="70000": must be between 0 and 65535/],
    [{ PORT: "80.5" }, /PORT="80.5": must be an integer/],
    [{ JWT_SECRET: "short" }, /JWT_SECRET=\(hidden, 5 characters\): must be at least 32 characters/],
    [{ LOG_LEVEL: "loud" }, /LOG_LEVEL="loud"/],
    [{ ACCESS_TOKEN_TTL_SECONDS: "5" }, /ACCESS_TOKEN_TTL_SECONDS="5": must be at least 60/],
    [{ SMTP_URL: "mail.example.com" }, /SMTP_URL="mail.example.com": must start with smtp/],
    [{ PUBLIC_URL: "not a url" }, /PUBLIC_URL="not a url": must be a URL/],
    [{ AUTH_JWKS_URL: "https://idp.test/jwks" }, /AUTH_ISSUER="": is required when AUTH_JWKS_URL is set/],
    [{ AUTH_JWKS_URL: "https://idp.test/jwks", AUTH_ISSUER: "https://idp.test" }, /AUTH_AUDIENCE="": is required/],
    [{ TRUST_PROXY: "yes" }, /TRUST_PROXY="yes": must be true or false/],
    [{ SIGN_IN_MAX_FAILURES_PER_EMAIL: "0" }, /SIGN_IN_MAX_FAILURES_PER_EMAIL="0"/],
    [{ STRIPE_SECRET_KEY: "pk_test_public" }, /STRIPE_SECRET_KEY=\(hidden, 14 characters\): must be a Stripe secret/],
    [{ STRIPE_SECRET_KEY: "sk_test_abc" }, /STRIPE_WEBHOOK_SECRET="": is required when STRIPE_SECRET_KEY is set/],
    [{ STRIPE_WEBHOOK_SECRET: "whsec_abc" }, /STRIPE_SECRET_KEY="": is required when STRIPE_WEBHOOK_SECRET is set/],
    [{ STRIPE_SECRET_KEY: "sk_test_abc", STRIPE_WEBHOOK_SECRET: "secret" }, /STRIPE_WEBHOOK_SECRET=\(hidden, 6 characters\): .*whsec_/],
  ])("refuses %o with a message naming the variable", (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it("identity and e-mail settings: token lifetimes, invitations, e-mail, external identity provider, rate limits", () => {
    const defaults = loadConfig({ PORT: "4100" });
    expect(defaults).toMatchObject({
      refreshTokenTtlSeconds: 30 * 24 * 3600,
      invitationTtlHours: 168,
      publicUrl: "http://localhost:4100",
      smtpUrl: undefined,
      externalIdentity: null,
      signInLimits: { perEmail: { attempts: 5, windowSeconds: 900 }, perIp: { attempts: 30, windowSeconds: 60 } },
      trustProxy: false,
    });
    const configured = loadConfig({
      PUBLIC_URL: "https://academy.example.com/",
      AUTH_JWKS_URL: "https://idp.test/.well-known/jwks.json",
      AUTH_ISSUER: "https://idp.test",
      AUTH_AUDIENCE: "sessions",
      AUTH_ROLES_CLAIM: "realm_access.roles",
      TRUST_PROXY: "true",
    });
    expect(configured.publicUrl).toBe("https://academy.example.com");
    expect(configured.externalIdentity).toEqual({
      jwksUrl: "https://idp.test/.well-known/jwks.json",
      issuer: "https://idp.test",
      audience: "sessions",
      organizationClaim: "org",
      rolesClaim: "realm_access.roles",
      emailClaim: "email",
    });
    expect(configured.trustProxy).toBe(true);
  });

  it("Stripe: none by default; the account with its API base when given", () => {
    expect(loadConfig({}).stripe).toBeNull();
    expect(loadConfig({ STRIPE_SECRET_KEY: "sk_test_abc", STRIPE_WEBHOOK_SECRET: "whsec_def", STRIPE_API_BASE: "http://127.0.0.1:12111" }).stripe).toEqual({
      secretKey: "sk_test_abc",
      webhookSecret: "whsec_def",
      apiBase: "http://127.0.0.1:12111",
    });
  });

  it("GraphQL limits and introspection: defaults, production, overrides", () => {
    expect(loadConfig({}).graphql).toEqual({ introspection: true, maxRequestBytes: 1024 * 1024, maxQueryCost: 20_000, maxQueryAliases: 30 });
    expect(loadConfig({ NODE_ENV: "production" }).graphql.introspection).toBe(false);
    expect(loadConfig({ NODE_ENV: "production", GRAPHQL_INTROSPECTION: "true" }).graphql.introspection).toBe(true);
    expect(loadConfig({ GRAPHQL_INTROSPECTION: "false" }).graphql.introspection).toBe(false);
    expect(loadConfig({ MAX_REQUEST_BYTES: "4096", MAX_QUERY_COST: "500", MAX_QUERY_ALIASES: "0" }).graphql).toMatchObject({
      maxRequestBytes: 4096,
      maxQueryCost: 500,
      maxQueryAliases: 0,
    });
    expect(() => loadConfig({ GRAPHQL_INTROSPECTION: "yes" })).toThrow(/GRAPHQL_INTROSPECTION="yes": must be true or false/);
    expect(() => loadConfig({ MAX_REQUEST_BYTES: "10" })).toThrow(/MAX_REQUEST_BYTES="10": must be at least 1024/);
    expect(() => loadConfig({ MAX_QUERY_COST: "0" })).toThrow(/MAX_QUERY_COST="0"/);
  });

  it("names every bad variable at once", () => {
    try {
      loadConfig({ PORT: "-1", LOG_LEVEL: "loud" });
      expect.unreachable();
    } catch (error) {
      expect((error as ConfigError).problems).toHaveLength(2);
    }
  });
});
