import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** `sk_<key id without dashes>_<32 random bytes>`: the id lets us find the key, the rest proves it. */
export function generateApiKeySecret(apiKeyId: string): { secret: string; secretHash: string; prefix: string } {
  const secret = `sk_${apiKeyId.replaceAll("-", "")}_${randomBytes(32).toString("base64url")}`;
  return { secret, secretHash: hashApiKeySecret(secret), prefix: secret.slice(0, 12) };
}

/** A fast hash is enough: the secret has 256 random bits, nothing to brute-force. */
export function hashApiKeySecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

export const looksLikeApiKey = (token: string) => token.startsWith("sk_");

/** The key id inside a secret, or null when it is not shaped like one. */
export function apiKeyIdOf(secret: string): string | null {
  const match = /^sk_([0-9a-f]{32})_[\w-]{43}$/.exec(secret);
  if (!match) return null;
  const hex = match[1]!;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function secretMatches(secret: string, storedHash: string): boolean {
  const given = Buffer.from(hashApiKeySecret(secret), "hex");
  const stored = Buffer.from(storedHash, "hex");
  return given.length === stored.length && timingSafeEqual(given, stored);
}
