import type { Clock } from "../../domain/shared/clock.js";
import { jwtVerify, SignJWT, errors as joseErrors } from "jose";
import { isCanonicalCompactJws } from "./base64url.js";

/** What a verified access token of ours says. Roles are read fresh from the read model. */
export interface Principal {
  userId: string;
  organizationId: string;
  /** The sign-in (refresh-token family) that issued it. */
  signInId: string | null;
}

export type TokenCheck = { ok: true; principal: Principal } | { ok: false; reason: "EXPIRED" | "INVALID" };

const ISSUER = "sessions-server";
const AUDIENCE = "sessions-api";

export class TokenService {
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    readonly ttlSeconds: number,
    private readonly clock: Clock,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  async issue(principal: Principal, now: Date): Promise<{ token: string; expiresAt: Date }> {
    const issuedAt = Math.floor(now.getTime() / 1000);
    const expiresAt = new Date((issuedAt + this.ttlSeconds) * 1000);
    const token = await new SignJWT({ org: principal.organizationId, ...(principal.signInId ? { sid: principal.signInId } : {}) })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setSubject(principal.userId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + this.ttlSeconds)
      .sign(this.key);
    return { token, expiresAt };
  }

  /** Tells an expired token (refresh it) from one that is not ours at all. */
  async check(token: string): Promise<TokenCheck> {
    if (!isCanonicalCompactJws(token)) return { ok: false, reason: "INVALID" };
    try {
      const { payload } = await jwtVerify(token, this.key, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ["HS256"],
        currentDate: this.clock.now(),
      });
      if (typeof payload.sub !== "string" || typeof payload.org !== "string") return { ok: false, reason: "INVALID" };
      return {
        ok: true,
        principal: { userId: payload.sub, organizationId: payload.org, signInId: typeof payload.sid === "string" ? payload.sid : null },
      };
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) return { ok: false, reason: "EXPIRED" };
      if (error instanceof joseErrors.JOSEError) return { ok: false, reason: "INVALID" };
      throw error;
    }
  }
}
