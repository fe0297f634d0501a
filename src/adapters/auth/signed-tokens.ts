import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * Opaque tokens `<part>.<part>…<mac>`: an HMAC-SHA256 of the parts under a key derived from the
 * server secret and the token's purpose, so an invitation token is useless as a refresh token.
 * Nothing secret is stored: the server recomputes the MAC.
 */
export class SignedTokens {
  private readonly key: Buffer;

  constructor(
    secret: string,
    purpose: string,
    private readonly prefix: string,
  ) {
    this.key = createHmac("sha256", secret).update(`purpose:${purpose}`).digest();
  }

  sign(parts: readonly string[]): string {
    return `${this.prefix}${[...parts, this.mac(parts)].join(".")}`;
  }

  /** The parts, or null when the token was not signed by us for this purpose. */
  verify(token: string, partCount: number): string[] | null {
    if (!token.startsWith(this.prefix)) return null;
    const pieces = token.slice(this.prefix.length).split(".");
    if (pieces.length !== partCount + 1 || pieces.some((piece) => !/^[\w-]{1,100}$/.test(piece))) return null;
    const parts = pieces.slice(0, partCount);
    // The MAC is compared as text: decoding it would ignore the unused low bits of its last
    // character, so several spellings of one MAC would pass.
    const given = Buffer.from(pieces[partCount]!, "utf8");
    const expected = Buffer.from(this.mac(parts), "utf8");
    return given.length === expected.length && timingSafeEqual(given, expected) ? parts : null;
  }

  private mac(parts: readonly string[]): string {
    return createHmac("sha256", this.key).update(parts.join(".")).digest("base64url");
  }
}
