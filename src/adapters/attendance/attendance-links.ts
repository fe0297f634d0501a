import QRCode from "qrcode";
import type { SignedTokens } from "../auth/signed-tokens.js";

export interface AttendanceLink {
  url: string;
  token: string;
  qrCodeSvg: string;
  /** `data:image/png;base64,…`, ready for an <img src>. */
  qrCodePngDataUrl: string;
}

/**
 * S6: one signed link per session (`att_<session id>.<mac>`), shown in the room as a QR code.
 * It carries no user and no time: who is marked is the signed-in person opening it, and the
 * window is checked against the session's schedule at that moment (a reschedule moves it).
 */
export class AttendanceLinks {
  constructor(
    private readonly tokens: SignedTokens,
    private readonly publicUrl: string,
  ) {}

  tokenFor(sessionId: string): string {
    return this.tokens.sign([sessionId]);
  }

  /** The session the token was signed for, or null when it is not one of ours. */
  sessionIdOf(token: string): string | null {
    return this.tokens.verify(token, 1)?.[0] ?? null;
  }

  async linkFor(sessionId: string): Promise<AttendanceLink> {
    const token = this.tokenFor(sessionId);
    const url = `${this.publicUrl}/sessions/${encodeURIComponent(sessionId)}/attendance?token=${encodeURIComponent(token)}`;
    const [qrCodeSvg, qrCodePngDataUrl] = await Promise.all([
      QRCode.toString(url, { type: "svg", errorCorrectionLevel: "M", margin: 2 }),
      QRCode.toDataURL(url, { errorCorrectionLevel: "M", margin: 2, width: 512 }),
    ]);
    return { url, token, qrCodeSvg, qrCodePngDataUrl };
  }
}
