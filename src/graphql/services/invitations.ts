import { randomUUID } from "node:crypto";
import type { CommandContext } from "../../domain/shared/decider.js";
import { deterministicUuid } from "../../domain/shared/event-metadata.js";
import { userStreamName } from "../../domain/users/user.js";
import type { GraphQLContext } from "../context.js";

/**
 * Records a new invitation (replacing any earlier one) and e-mails its link. `fromKey`: the request
 * carries an idempotency key, so the invitation id derives from the command id and a retry finds
 * the invitation already recorded (no second e-mail, the first link keeps working).
 */
export async function inviteAndEmail(
  context: GraphQLContext,
  user: { id: string; email: string; displayName: string },
  commandContext: CommandContext,
  fromKey = false,
): Promise<bigint | null> {
  const { app } = context;
  const invitationId = fromKey ? deterministicUuid(`${commandContext.commandId}/invitation`) : randomUUID();
  const expiresAt = new Date(commandContext.now.getTime() + app.config.invitationTtlHours * 3600_000);
  const result = await app.users.handle(userStreamName(user.id), {
    type: "InviteUser",
    userId: user.id,
    invitationId,
    expiresAt,
    context: commandContext,
  });
  if (result.events.length === 0) return result.position;
  const token = app.invitationTokens.sign([user.id, invitationId]);
  const organization = app.identityQueries.organization(commandContext.organizationId);
  const link = `${app.config.publicUrl}/accept-invitation?token=${encodeURIComponent(token)}`;
  try {
    await app.mailer.send({
      to: user.email,
      subject: `You are invited to ${organization?.name ?? "your organization"}`,
      text: [
        `Hello ${user.displayName},`,
        "",
        `You have been invited to ${organization?.name ?? "your organization"}. Choose your password here:`,
        link,
        "",
        `This link works once and expires on ${expiresAt.toUTCString()}.`,
      ].join("\n"),
    });
  } catch (error) {
    // The invitation stands; staff can send it again with sendInvitation.
    app.logger.error({ err: error, userId: user.id }, "invitation e-mail could not be sent");
  }
  return result.position;
}

/** The user id and invitation id inside an invitation token, or null. */
export function readInvitationToken(context: GraphQLContext, token: string): { userId: string; invitationId: string } | null {
  const parts = context.app.invitationTokens.verify(token.trim(), 2);
  return parts ? { userId: parts[0]!, invitationId: parts[1]! } : null;
}

