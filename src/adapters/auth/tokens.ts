import { jwtVerify, SignJWT, errors as joseErrors } from "jose";
import type { Role } from "../../domain/users/user.js";

/** Who is calling: what a verified access token says. */
export interface Principal {
  userId: string;
  organizationId: string;
  email: string;
  roles: Role[];
}

const ISSUER = "sessions-server";
const AUDIENCE = "sessions-api";

export class TokenService {
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    private readonly ttlSeconds: number,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  async issue(principal: Principal, now: Date): Promise<{ token: string; expiresAt: Date }> {
    const issuedAt = Math.floor(now.getTime() / 1000);
    const expiresAt = new Date((issuedAt + this.ttlSeconds) * 1000);
    const token = await new SignJWT({ org: principal.organizationId, email: principal.email, roles: principal.roles })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setSubject(principal.userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + this.ttlSeconds)
      .sign(this.key);
    return { token, expiresAt };
  }

  /** Returns null for a token that is invalid, expired or not ours. */
  async verify(token: string): Promise<Principal | null> {
    try {
      const { payload } = await jwtVerify(token, this.key, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ["HS256"],
      });
      if (typeof payload.sub !== "string" || typeof payload.org !== "string") return null;
      return {
        userId: payload.sub,
        organizationId: payload.org,
        email: String(payload.email ?? ""),
        roles: Array.isArray(payload.roles) ? (payload.roles as Role[]) : [],
      };
    } catch (error) {
      if (error instanceof joseErrors.JOSEError) return null;
      throw error;
    }
  }
}
