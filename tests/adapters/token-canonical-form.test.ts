/**
 * base64url decoding ignores the unused low bits of the last character: a token whose last
 * character was changed that way decodes to the same MAC. Every token format of ours refuses it.
 */
import { describe, expect, it } from "vitest";
import { AttendanceLinks } from "../../src/adapters/attendance/attendance-links.js";
import { generateApiKeySecret, secretMatches } from "../../src/adapters/auth/api-key-secret.js";
import { isCanonicalBase64url } from "../../src/adapters/auth/base64url.js";
import { SignedTokens } from "../../src/adapters/auth/signed-tokens.js";
import { TokenService } from "../../src/adapters/auth/tokens.js";
import { TestClock } from "../support/test-clock.js";

const SECRET = "s".repeat(48);
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** The other spellings of the token's last character that decode to the same bytes. */
function sameBytesVariants(token: string): string[] {
  const last = ALPHABET.indexOf(token.at(-1)!);
  return [1, 2, 3].map((bits) => token.slice(0, -1) + ALPHABET[last ^ bits]!);
}

const lastPiece = (token: string) => token.split(".").at(-1)!;

describe("tokens are compared in canonical form", () => {
  it("the variants do decode to the same MAC (the flaw the check closes)", () => {
    const token = new SignedTokens(SECRET, "refresh-token", "rt_").sign(["sign-in", "1", "x"]);
    for (const variant of sameBytesVariants(token)) {
      expect(Buffer.from(lastPiece(variant), "base64url").equals(Buffer.from(lastPiece(token), "base64url"))).toBe(true);
    }
  });

  it.each([
    ["refresh", "refresh-token", "rt_", ["sign-in-1", "3", "family"]],
    ["invitation", "invitation", "inv_", ["user-1", "invitation-1"]],
  ])("%s tokens: only the token as signed verifies", (_name, purpose, prefix, parts) => {
    const tokens = new SignedTokens(SECRET, purpose, prefix);
    const token = tokens.sign(parts);
    expect(tokens.verify(token, parts.length)).toEqual(parts);
    for (const variant of sameBytesVariants(token)) expect(tokens.verify(variant, parts.length), variant).toBeNull();
  });

  it("attendance links: only the token as signed names the session", () => {
    const links = new AttendanceLinks(new SignedTokens(SECRET, "attendance", "att_"), "http://localhost");
    const token = links.tokenFor("session-1");
    expect(links.sessionIdOf(token)).toBe("session-1");
    for (const variant of sameBytesVariants(token)) expect(links.sessionIdOf(variant), variant).toBeNull();
  });

  it("access tokens (JWT): only the token as signed is valid", async () => {
    const clock = new TestClock();
    const tokens = new TokenService(SECRET, 3600, clock);
    const { token } = await tokens.issue({ userId: "u1", organizationId: "o1", signInId: "s1" }, clock.now());
    expect((await tokens.check(token)).ok).toBe(true);
    for (const variant of sameBytesVariants(token)) expect(await tokens.check(variant), variant).toEqual({ ok: false, reason: "INVALID" });
  });

  it("API-key secrets: the whole secret is hashed, so any other spelling is refused", () => {
    const { secret, secretHash } = generateApiKeySecret("0b9e4f0a-2c1d-4e5f-8a9b-0c1d2e3f4a5b");
    expect(secretMatches(secret, secretHash)).toBe(true);
    for (const variant of sameBytesVariants(secret)) expect(secretMatches(variant, secretHash), variant).toBe(false);
  });

  it("isCanonicalBase64url", () => {
    const encoded = Buffer.from("any bytes!").toString("base64url");
    expect(isCanonicalBase64url(encoded)).toBe(true);
    for (const variant of sameBytesVariants(encoded)) expect(isCanonicalBase64url(variant)).toBe(false);
    expect(isCanonicalBase64url(`${encoded}=`)).toBe(false);
    expect(isCanonicalBase64url("a+b/")).toBe(false);
  });
});
