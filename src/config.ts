import { randomBytes } from "node:crypto";
import { isIP } from "node:net";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import type { ExternalIdentityConfig } from "./adapters/auth/external-identity.js";
import type { RateLimit } from "./adapters/auth/sign-in-rate-limiter.js";
import type { StripeSettings } from "./adapters/payments/stripe-payments.js";

const configSchema = z.object({
  PORT: z.coerce
    .number({ error: "must be a number" })
    .int("must be an integer")
    .min(0, "must be between 0 and 65535")
    .max(65535, "must be between 0 and 65535")
    .default(4000),
  HOST: z.string().min(1).default("0.0.0.0"),
  DATA_DIR: z.string().min(1, "must not be empty").default("./data"),
  READ_MODELS_DIR: z.string().min(1, "must not be empty").optional(),
  EVENTSTORE_CONNECTION_STRING: z
    .string()
    .regex(/^esdb(\+discover)?:\/\//, "must start with esdb:// or esdb+discover:// (e.g. esdb://localhost:2113?tls=false)")
    .optional(),
  JWT_SECRET: z
    .string()
    .min(32, "must be at least 32 characters (or leave it unset to use a generated development secret)")
    .optional(),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int("must be an integer").min(60, "must be at least 60").default(3600),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  READ_YOUR_WRITES_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  HEALTH_MAX_LAG_EVENTS: z.coerce.number().int("must be an integer").min(0, "must be at least 0").default(1000),
  REFRESH_TOKEN_TTL_SECONDS: z.coerce.number().int("must be an integer").min(300, "must be at least 300").default(30 * 24 * 3600),
  INVITATION_TTL_HOURS: z.coerce.number().int("must be an integer").min(1).max(90 * 24).default(7 * 24),
  PUBLIC_URL: z.url("must be a URL, e.g. https://academy.example.com").optional(),
  SMTP_URL: z.string().regex(/^smtps?:\/\//, "must start with smtp:// or smtps://").optional(),
  MAIL_FROM: z.string().min(3).default("Sessions <no-reply@localhost>"),
  AUTH_JWKS_URL: z.url("must be the URL of the identity provider's JWKS").optional(),
  AUTH_ISSUER: z.string().min(1).optional(),
  AUTH_AUDIENCE: z.string().min(1).optional(),
  AUTH_ORGANIZATION_CLAIM: z.string().min(1).default("org"),
  AUTH_ROLES_CLAIM: z.string().min(1).default("roles"),
  AUTH_EMAIL_CLAIM: z.string().min(1).default("email"),
  SIGN_IN_MAX_FAILURES_PER_EMAIL: z.coerce.number().int().min(1).default(5),
  SIGN_IN_EMAIL_WINDOW_SECONDS: z.coerce.number().int().min(1).default(900),
  SIGN_IN_MAX_ATTEMPTS_PER_IP: z.coerce.number().int().min(1).default(30),
  SIGN_IN_IP_WINDOW_SECONDS: z.coerce.number().int().min(1).default(60),
  INSTANCE_ID: z.string().min(1).max(200).optional(),
  SIDE_EFFECT_LEASE_MS: z.coerce.number().int().min(1000).default(60_000),
  SIDE_EFFECT_SWEEP_INTERVAL_MS: z.coerce.number().int().min(10).default(1000),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  WEBHOOK_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
  WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(1).default(30_000),
  WEBHOOK_RETRY_MAX_MS: z.coerce.number().int().min(1).default(6 * 3600_000),
  WEBHOOK_ALLOWED_HOSTS: z
    .string()
    .transform((value) => value.split(",").map((host) => host.trim().toLowerCase()).filter(Boolean))
    .refine(
      (hosts) => hosts.every((host) => isIP(host.replace(/^\[(.*)\]$/, "$1")) !== 0 || /^[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?$/.test(host)),
      "must be a comma-separated list of host names or IP addresses (no ports, paths, ranges or wildcards)",
    )
    .default([]),
  TRUST_PROXY: z.enum(["true", "false"], "must be true or false").default("false"),
  MAX_REQUEST_BYTES: z.coerce.number().int("must be an integer").min(1024, "must be at least 1024").default(1024 * 1024),
  MAX_QUERY_COST: z.coerce.number().int("must be an integer").min(1, "must be at least 1").default(20_000),
  MAX_QUERY_ALIASES: z.coerce.number().int("must be an integer").min(0, "must be at least 0").default(30),
  GRAPHQL_INTROSPECTION: z.enum(["true", "false"], "must be true or false").optional(),
  MAX_REPLAYS_PER_CALLER: z.coerce.number().int("must be an integer").min(1, "must be at least 1").default(3),
  MAX_REPLAYS: z.coerce.number().int("must be an integer").min(1, "must be at least 1").default(20),
  REPLAY_PAGE_SIZE: z.coerce.number().int("must be an integer").min(1).max(10_000).default(100),
  MAX_VERIFICATIONS_PER_CALLER: z.coerce.number().int("must be an integer").min(1, "must be at least 1").default(1),
  MAX_VERIFICATIONS: z.coerce.number().int("must be an integer").min(1, "must be at least 1").default(2),
  STRIPE_SECRET_KEY: z.string().regex(/^(sk|rk)_(test|live)_\w+$/, "must be a Stripe secret or restricted key (sk_test_…, sk_live_…)").optional(),
  STRIPE_WEBHOOK_SECRET: z.string().regex(/^whsec_\w+$/, "must be the signing secret of a Stripe webhook endpoint (whsec_…)").optional(),
  STRIPE_API_BASE: z.url("must be a URL, e.g. http://127.0.0.1:12111").optional(),
}).superRefine((env, ctx) => {
  if (env.AUTH_JWKS_URL && (!env.AUTH_ISSUER || !env.AUTH_AUDIENCE)) {
    for (const name of ["AUTH_ISSUER", "AUTH_AUDIENCE"] as const) {
      if (!env[name]) ctx.addIssue({ code: "custom", path: [name], message: "is required when AUTH_JWKS_URL is set" });
    }
  }
  // One without the other would take payments that are never confirmed, or confirm none.
  if (Boolean(env.STRIPE_SECRET_KEY) !== Boolean(env.STRIPE_WEBHOOK_SECRET)) {
    const missing = env.STRIPE_SECRET_KEY ? "STRIPE_WEBHOOK_SECRET" : "STRIPE_SECRET_KEY";
    const given = env.STRIPE_SECRET_KEY ? "STRIPE_SECRET_KEY" : "STRIPE_WEBHOOK_SECRET";
    ctx.addIssue({ code: "custom", path: [missing], message: `is required when ${given} is set` });
  }
});

export type Config = {
  port: number;
  host: string;
  dataDir: string;
  /** This process's read models (`read-models.sqlite`): one directory per server, DATA_DIR unless set. */
  readModelsDir: string;
  /** EventStoreDB / KurrentDB; when absent the embedded SQLite store under dataDir is used. */
  eventStoreConnectionString: string | undefined;
  jwtSecret: string | undefined;
  accessTokenTtlSeconds: number;
  logLevel: z.output<typeof configSchema>["LOG_LEVEL"];
  production: boolean;
  readYourWritesTimeoutMs: number;
  /** /health answers 503 when the read models are more than this many events behind the store. */
  healthMaxLagEvents: number;
  refreshTokenTtlSeconds: number;
  invitationTtlHours: number;
  publicUrl: string;
  smtpUrl: string | undefined;
  mailFrom: string;
  /** An external identity provider whose access tokens are accepted too. */
  externalIdentity: ExternalIdentityConfig | null;
  signInLimits: { perEmail: RateLimit; perIp: RateLimit };
  trustProxy: boolean;
  /** Introspection and "did you mean" suggestions (both transports); request and operation limits. */
  graphql: { introspection: boolean; maxRequestBytes: number; maxQueryCost: number; maxQueryAliases: number };
  /** Names this process in side-effect claims. */
  instanceId: string;
  sideEffects: { leaseMs: number; sweepIntervalMs: number };
  /** allowedHosts: host names or IPs webhooks may target although they are not public (exact match). */
  webhooks: { timeoutMs: number; maxAttempts: number; retryBaseMs: number; retryMaxMs: number; allowedHosts: string[] };
  /** Replays of the `events` feed running at once, per caller and in all; events read per page. */
  replays: { maxPerCaller: number; max: number; pageSize: number };
  /** verifyEventHistory calls running at once, per caller and in all. */
  verifications: { maxPerCaller: number; max: number };
  /** The Stripe account (P3); null: the STRIPE payment method is unavailable. */
  stripe: StripeSettings | null;
};

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Reads and validates the environment; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ""));
  const result = configSchema.safeParse(present);
  if (!result.success) {
    throw new ConfigError(
      result.error.issues.map((issue) => {
        const name = issue.path.join(".");
        const value = env[name] ?? "";
        // Secrets and keys are not echoed into logs, even wrong ones.
        const shown = /SECRET|_KEY$/.test(name) && value !== "" ? `(hidden, ${value.length} characters)` : JSON.stringify(value);
        return `${name}=${shown}: ${issue.message}`;
      }),
    );
  }
  const e = result.data;
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.DATA_DIR),
    readModelsDir: path.resolve(e.READ_MODELS_DIR ?? e.DATA_DIR),
    eventStoreConnectionString: e.EVENTSTORE_CONNECTION_STRING,
    jwtSecret: e.JWT_SECRET,
    accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
    logLevel: e.LOG_LEVEL,
    production: e.NODE_ENV === "production",
    readYourWritesTimeoutMs: e.READ_YOUR_WRITES_TIMEOUT_MS,
    healthMaxLagEvents: e.HEALTH_MAX_LAG_EVENTS,
    refreshTokenTtlSeconds: e.REFRESH_TOKEN_TTL_SECONDS,
    invitationTtlHours: e.INVITATION_TTL_HOURS,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ""),
    smtpUrl: e.SMTP_URL,
    mailFrom: e.MAIL_FROM,
    externalIdentity: e.AUTH_JWKS_URL
      ? {
          jwksUrl: e.AUTH_JWKS_URL,
          issuer: e.AUTH_ISSUER!,
          audience: e.AUTH_AUDIENCE!,
          organizationClaim: e.AUTH_ORGANIZATION_CLAIM,
          rolesClaim: e.AUTH_ROLES_CLAIM,
          emailClaim: e.AUTH_EMAIL_CLAIM,
        }
      : null,
    signInLimits: {
      perEmail: { attempts: e.SIGN_IN_MAX_FAILURES_PER_EMAIL, windowSeconds: e.SIGN_IN_EMAIL_WINDOW_SECONDS },
      perIp: { attempts: e.SIGN_IN_MAX_ATTEMPTS_PER_IP, windowSeconds: e.SIGN_IN_IP_WINDOW_SECONDS },
    },
    trustProxy: e.TRUST_PROXY === "true",
    graphql: {
      introspection: e.GRAPHQL_INTROSPECTION ? e.GRAPHQL_INTROSPECTION === "true" : e.NODE_ENV !== "production",
      maxRequestBytes: e.MAX_REQUEST_BYTES,
      maxQueryCost: e.MAX_QUERY_COST,
      maxQueryAliases: e.MAX_QUERY_ALIASES,
    },
    instanceId: e.INSTANCE_ID ?? `${os.hostname()}-${process.pid}-${randomBytes(3).toString("hex")}`,
    sideEffects: { leaseMs: e.SIDE_EFFECT_LEASE_MS, sweepIntervalMs: e.SIDE_EFFECT_SWEEP_INTERVAL_MS },
    webhooks: {
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
      maxAttempts: e.WEBHOOK_MAX_ATTEMPTS,
      retryBaseMs: e.WEBHOOK_RETRY_BASE_MS,
      retryMaxMs: e.WEBHOOK_RETRY_MAX_MS,
      allowedHosts: e.WEBHOOK_ALLOWED_HOSTS,
    },
    replays: { maxPerCaller: e.MAX_REPLAYS_PER_CALLER, max: e.MAX_REPLAYS, pageSize: e.REPLAY_PAGE_SIZE },
    verifications: { maxPerCaller: e.MAX_VERIFICATIONS_PER_CALLER, max: e.MAX_VERIFICATIONS },
    stripe:
      e.STRIPE_SECRET_KEY && e.STRIPE_WEBHOOK_SECRET
        ? { secretKey: e.STRIPE_SECRET_KEY, webhookSecret: e.STRIPE_WEBHOOK_SECRET, ...(e.STRIPE_API_BASE ? { apiBase: e.STRIPE_API_BASE } : {}) }
        : null,
  };
}
