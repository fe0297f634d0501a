import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { resolveJwtSecret } from "../../src/adapters/auth/jwt-secret.js";
import { hashPassword, verifyPassword } from "../../src/adapters/auth/passwords.js";
import { TestClock } from "../support/test-clock.js";
import { TokenService, type Principal } from "../../src/adapters/auth/tokens.js";

const principal: Principal = { userId: "u1", organizationId: "o1", signInId: "s1" };

describe("JWT secret", () => {
  it("generates a development secret once, keeps it under the data directory (0600) and reuses it", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "secret-"));
    const first = resolveJwtSecret(undefined, dir);
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(fs.statSync(path.join(dir, "jwt-secret")).mode & 0o777).toBe(0o600);
    expect(resolveJwtSecret(undefined, dir)).toBe(first);
    expect(resolveJwtSecret("configured-secret-of-at-least-32-chars", dir)).toBe("configured-secret-of-at-least-32-chars");
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe("access tokens", () => {
  const clock = new TestClock();
  const tokens = new TokenService("s".repeat(40), 3600, clock);

  it("round-trip the principal", async () => {
    const { token, expiresAt } = await tokens.issue(principal, clock.now());
    expect(await tokens.check(token)).toEqual({ ok: true, principal });
    expect(expiresAt.getTime()).toBeGreaterThan(clock.now().getTime() + 3500_000);
  });

  it("are refused once expired, when tampered with, or when signed with another secret", async () => {
    const expired = await tokens.issue(principal, new Date(clock.now().getTime() - 2 * 3600_000));
    expect(await tokens.check(expired.token)).toEqual({ ok: false, reason: "EXPIRED" });
    const { token } = await tokens.issue(principal, clock.now());
    const [header, payload, signature] = token.split(".");
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, "base64url").toString()), org: "o2" })).toString("base64url");
    expect(await tokens.check(`${header}.${forged}.${signature}`)).toEqual({ ok: false, reason: "INVALID" });
    expect(await new TokenService("t".repeat(40), 3600, clock).check(token)).toEqual({ ok: false, reason: "INVALID" });
    expect(await tokens.check("not.a.token")).toEqual({ ok: false, reason: "INVALID" });
  });

  it("expire when the clock passes their expiry, not before", async () => {
    const { token } = await tokens.issue(principal, clock.now());
    clock.advance(3590_000);
    expect(await tokens.check(token)).toEqual({ ok: true, principal });
    clock.advance(20_000);
    expect(await tokens.check(token)).toEqual({ ok: false, reason: "EXPIRED" });
  });
});

describe("passwords", () => {
  it("are stored as salted scrypt hashes and verified", async () => {
    const hash = await hashPassword("correct horse 1");
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(hash).not.toContain("correct horse");
    expect(await hashPassword("correct horse 1")).not.toBe(hash);
    expect(await verifyPassword("correct horse 1", hash)).toBe(true);
    expect(await verifyPassword("correct horse 2", hash)).toBe(false);
    expect(await verifyPassword("x", "garbage")).toBe(false);
  });
});
