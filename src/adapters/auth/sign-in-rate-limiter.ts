import { RateLimiterMemory, RateLimiterRes } from "rate-limiter-flexible";
import { DomainError } from "../../domain/shared/errors.js";

export interface RateLimit {
  attempts: number;
  windowSeconds: number;
}

/**
 * Limits sign-in attempts per client IP (every attempt) and per e-mail (failed attempts only).
 * In-memory: per process, lost on restart.
 */
export class SignInRateLimiter {
  private readonly perIp: RateLimiterMemory;
  private readonly perEmail: RateLimiterMemory;

  constructor(private readonly limits: { perEmail: RateLimit; perIp: RateLimit }) {
    this.perIp = new RateLimiterMemory({ keyPrefix: "sign-in-ip", points: limits.perIp.attempts, duration: limits.perIp.windowSeconds });
    this.perEmail = new RateLimiterMemory({
      keyPrefix: "sign-in-email",
      points: limits.perEmail.attempts,
      duration: limits.perEmail.windowSeconds,
    });
  }

  /** Before checking credentials. Same behaviour whether or not the e-mail belongs to anyone. */
  async beforeAttempt(email: string, ip: string): Promise<void> {
    try {
      await this.perIp.consume(ip);
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) throw rateLimited(rejection.msBeforeNext);
      throw rejection;
    }
    const failures = await this.perEmail.get(emailKey(email));
    if (failures !== null && failures.consumedPoints >= this.limits.perEmail.attempts) {
      throw rateLimited(failures.msBeforeNext);
    }
  }

  /** After wrong credentials. */
  async recordFailure(email: string): Promise<void> {
    // penalty() counts without rejecting, so the failure is recorded even past the limit.
    await this.perEmail.penalty(emailKey(email));
  }

  /** After a successful sign-in. */
  async recordSuccess(email: string): Promise<void> {
    await this.perEmail.delete(emailKey(email));
  }
}

function emailKey(email: string): string {
  return email.trim().toLowerCase();
}

function rateLimited(msBeforeNext: number): DomainError {
  const retryAfterSeconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return new DomainError("RATE_LIMITED", `Too many sign-in attempts; try again in ${retryAfterSeconds} seconds`, {
    retryAfterSeconds,
  });
}
