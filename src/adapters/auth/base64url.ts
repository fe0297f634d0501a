/**
 * Whether `text` is base64url as an encoder writes it: decoding ignores the unused low bits of the
 * last character (and any padding), so several spellings decode to the same bytes.
 */
export function isCanonicalBase64url(text: string): boolean {
  return /^[\w-]*$/.test(text) && Buffer.from(text, "base64url").toString("base64url") === text;
}

/** A compact JWS (`header.payload.signature`) whose three parts are canonical base64url. */
export function isCanonicalCompactJws(token: string): boolean {
  const parts = token.split(".");
  return parts.length === 3 && parts.every(isCanonicalBase64url);
}
