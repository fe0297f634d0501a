import { createRemoteJWKSet, customFetch, errors as joseErrors, jwtVerify, type JWTPayload } from "jose";
import type { Clock } from "../../domain/shared/clock.js";
import { isCanonicalCompactJws } from "./base64url.js";
import { ROLES, type Role } from "../../domain/users/user.js";

export interface ExternalIdentityConfig {
  jwksUrl: string;
  issuer: string;
  audience: string;
  /** Exact claim name (e.g. "https://example.com/org") or dotted path (e.g. "tenant.id"). */
  organizationClaim: string;
  /** e.g. "roles" or Keycloak's "realm_access.roles". */
  rolesClaim: string;
  emailClaim: string;
}

export interface ExternalIdentity {
  issuer: string;
  subject: string;
  organizationId: string;
  email: string | null;
  roles: Role[];
}

// Asymmetric only: with HS* anyone who can read the public JWKS could mint tokens.
const ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519"];
const CLOCK_TOLERANCE_SECONDS = 30;

/** Verifies access tokens issued by an external (OIDC-style) identity provider against its JWKS. */
export class ExternalIdentityVerifier {
  private readonly jwks: ReturnType<typeof createRemoteJWKSet>;
  private readonly clock: Clock;

  constructor(
    private readonly config: ExternalIdentityConfig,
    options: { clock: Clock; timeoutMs?: number; cooldownMs?: number },
  ) {
    this.clock = options.clock;
    this.jwks = createRemoteJWKSet(new URL(config.jwksUrl), {
      timeoutDuration: Math.round(options.timeoutMs ?? 5000),
      cooldownDuration: options.cooldownMs ?? 30_000,
      // fetch rejects with a bare TypeError when the endpoint is unreachable; make it a JOSEError
      // so verify() can tell "provider unavailable" from a bug.
      [customFetch]: (url, init) =>
        fetch(url, init).catch((cause: unknown) => {
          if (cause instanceof Error && cause.name === "TimeoutError") throw cause; // jose maps it to JWKSTimeout
          throw new joseErrors.JOSEError("JWKS endpoint unreachable", { cause });
        }),
    });
  }

  /** null when the token is not valid for this provider (or the provider cannot be reached). */
  async verify(token: string): Promise<ExternalIdentity | null> {
    if (!isCanonicalCompactJws(token)) return null;
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.jwks, {
        issuer: this.config.issuer,
        audience: this.config.audience,
        algorithms: ALGORITHMS,
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        currentDate: this.clock.now(),
      }));
    } catch (error) {
      if (error instanceof joseErrors.JOSEError) return null;
      throw error;
    }
    const organizationId = claim(payload, this.config.organizationClaim);
    if (typeof payload.sub !== "string" || payload.sub === "") return null;
    if (typeof organizationId !== "string" || organizationId === "") return null;
    const email = claim(payload, this.config.emailClaim);
    return {
      issuer: this.config.issuer,
      subject: payload.sub,
      organizationId,
      email: typeof email === "string" && email.trim() !== "" ? email.trim().toLowerCase() : null,
      roles: mapRoles(claim(payload, this.config.rolesClaim)),
    };
  }
}

/** The exact key first (URL-style claim names contain dots), then a dotted path. */
function claim(payload: JWTPayload, name: string): unknown {
  if (Object.hasOwn(payload, name)) return payload[name];
  let value: unknown = payload;
  for (const part of name.split(".")) {
    if (value === null || typeof value !== "object" || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function mapRoles(raw: unknown): Role[] {
  const values = Array.isArray(raw) ? raw : typeof raw === "string" ? raw.split(/[\s,]+/) : [];
  const roles = new Set<Role>();
  for (const value of values) {
    if (typeof value !== "string") continue;
    const role = ROLES.find((known) => known === value.trim().toUpperCase());
    if (role) roles.add(role);
  }
  return roles.size > 0 ? [...roles] : ["LEARNER"];
}
