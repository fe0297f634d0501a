import type { Invitation } from "../../domain/users/use-cases.js";
import type { SignedTokens } from "../auth/signed-tokens.js";
import type { Mailer } from "./mailer.js";

/** The invitation e-mail: a signed, single-use link to choose one's password. */
export function invitationMail(mailer: Mailer, tokens: SignedTokens, publicUrl: string): (invitation: Invitation) => Promise<void> {
  return async (invitation) => {
    const token = tokens.sign([invitation.userId, invitation.invitationId]);
    const organization = invitation.organizationName ?? "your organization";
    const link = `${publicUrl}/accept-invitation?token=${encodeURIComponent(token)}`;
    await mailer.send({
      to: invitation.email,
      subject: `You are invited to ${organization}`,
      text: [
        `Hello ${invitation.displayName},`,
        "",
        `You have been invited to ${organization}. Choose your password here:`,
        link,
        "",
        `This link works once and expires on ${invitation.expiresAt.toUTCString()}.`,
      ].join("\n"),
    });
  };
}
