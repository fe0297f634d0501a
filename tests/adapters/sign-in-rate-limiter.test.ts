import { describe, expect, it } from "vitest";
import { SignInRateLimiter } from "../../src/adapters/auth/sign-in-rate-limiter.js";
import { DomainError } from "../../src/domain/shared/errors.js";

const limits = { perEmail: { attempts: 3, windowSeconds: 60 }, perIp: { attempts: 100, windowSeconds: 60 } };

async function rejection(promise: Promise<void>): Promise<DomainError> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

async function fail(limiter: SignInRateLimiter, email: string, times: number, ip = "10.0.0.1"): Promise<void> {
  for (let i = 0; i < times; i++) {
    await limiter.beforeAttempt(email, ip);
    await limiter.recordFailure(email);
  }
}

describe("sign-in rate limiter", () => {
  it("blocks an e-mail after N failures, whatever its casing, with a retry delay", async () => {
    const limiter = new SignInRateLimiter(limits);
    await fail(limiter, "Ann@Example.test", 3);

    for (const variant of ["ann@example.test", "  ANN@EXAMPLE.TEST ", "Ann@Example.test"]) {
      const error = await rejection(limiter.beforeAttempt(variant, "10.0.0.2"));
      expect(error.code).toBe("RATE_LIMITED");
      const retryAfterSeconds = error.details.retryAfterSeconds as number;
      expect(Number.isInteger(retryAfterSeconds)).toBe(true);
      expect(retryAfterSeconds).toBeGreaterThan(0);
      expect(retryAfterSeconds).toBeLessThanOrEqual(60);
      expect(error.message).toBe(`Too many sign-in attempts; try again in ${retryAfterSeconds} seconds`);
    }
  });

  it("allows fewer than N failures", async () => {
    const limiter = new SignInRateLimiter(limits);
    await fail(limiter, "bob@example.test", 2);
    await expect(limiter.beforeAttempt("bob@example.test", "10.0.0.1")).resolves.toBeUndefined();
  });

  it("blocks an IP after N attempts, whatever the e-mail", async () => {
    const limiter = new SignInRateLimiter({ perEmail: limits.perEmail, perIp: { attempts: 3, windowSeconds: 60 } });
    for (const email of ["a@x.test", "b@x.test", "c@x.test"]) await limiter.beforeAttempt(email, "192.0.2.7");
    const error = await rejection(limiter.beforeAttempt("never-seen@x.test", "192.0.2.7"));
    expect(error.code).toBe("RATE_LIMITED");
    expect(error.details.retryAfterSeconds).toBeGreaterThan(0);
    // successful attempts count too: the IP limit caps guesses spread across many accounts
    await expect(limiter.beforeAttempt("a@x.test", "192.0.2.8")).resolves.toBeUndefined();
  });

  it("treats any e-mail string the same: it has no user lookup", async () => {
    // The constructor takes only limits, so the outcome cannot depend on whether an account exists.
    expect(SignInRateLimiter.length).toBe(1);
    const limiter = new SignInRateLimiter(limits);
    await fail(limiter, "exists@example.test", 3, "10.0.0.1");
    await fail(limiter, "nobody-has-this@example.test", 3, "10.0.0.2");
    const a = await rejection(limiter.beforeAttempt("exists@example.test", "10.0.0.3"));
    const b = await rejection(limiter.beforeAttempt("nobody-has-this@example.test", "10.0.0.3"));
    expect([a.code, a.details.retryAfterSeconds]).toEqual([b.code, b.details.retryAfterSeconds]);
  });

  it("clears an e-mail's failures after a successful sign-in", async () => {
    const limiter = new SignInRateLimiter(limits);
    await fail(limiter, "carol@example.test", 3);
    await rejection(limiter.beforeAttempt("carol@example.test", "10.0.0.1"));
    await limiter.recordSuccess("CAROL@example.test");
    await expect(limiter.beforeAttempt("carol@example.test", "10.0.0.1")).resolves.toBeUndefined();
  });

  it("keeps e-mails and IPs independent", async () => {
    const limiter = new SignInRateLimiter({ perEmail: limits.perEmail, perIp: { attempts: 4, windowSeconds: 60 } });
    await fail(limiter, "dave@example.test", 3, "198.51.100.1");
    await rejection(limiter.beforeAttempt("dave@example.test", "198.51.100.2"));
    await expect(limiter.beforeAttempt("erin@example.test", "198.51.100.1")).resolves.toBeUndefined();
    await rejection(limiter.beforeAttempt("erin@example.test", "198.51.100.1")); // IP now over 4
    await expect(limiter.beforeAttempt("erin@example.test", "198.51.100.3")).resolves.toBeUndefined();
  });

  it("lets an e-mail and an IP in again once the window has passed", async () => {
    const limiter = new SignInRateLimiter({ perEmail: { attempts: 2, windowSeconds: 1 }, perIp: { attempts: 3, windowSeconds: 1 } });
    await fail(limiter, "frank@example.test", 2, "203.0.113.9");
    await rejection(limiter.beforeAttempt("frank@example.test", "203.0.113.9"));
    const error = await rejection(limiter.beforeAttempt("other@example.test", "203.0.113.9"));
    expect(error.details.retryAfterSeconds).toBe(1);

    await new Promise((resolve) => setTimeout(resolve, 1100));
    await expect(limiter.beforeAttempt("frank@example.test", "203.0.113.9")).resolves.toBeUndefined();
  }, 3000);
});
