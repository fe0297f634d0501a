import { createHash } from "node:crypto";
import { z } from "zod";
import type { CommandContext, Decider } from "../shared/decider.js";
import { eventCodec } from "../shared/event-codec.js";
import { assertNever, DomainError } from "../shared/errors.js";

/**
 * E-mail addresses are unique per organization (compared lower-cased). The read model cannot
 * guarantee that under concurrency, so each address is claimed on its own stream first:
 * the append with "no stream" expected lets exactly one user have it.
 */
export const EMAIL_CLAIM_CATEGORY = "useremail";

export function emailClaimStreamName(organizationId: string, email: string): string {
  const key = createHash("sha256").update(`${organizationId}\n${email.trim().toLowerCase()}`).digest("hex").slice(0, 40);
  return `${EMAIL_CLAIM_CATEGORY}-${key}`;
}

export type EmailClaimed = {
  type: "EmailClaimed";
  data: { organizationId: string; email: string; userId: string; claimedAt: string };
};
/** The claim of a user whose registration never happened (a crash in between) moves on. */
export type EmailClaimReleased = {
  type: "EmailClaimReleased";
  data: { organizationId: string; email: string; userId: string; releasedAt: string };
};
export type EmailClaimEvent = EmailClaimed | EmailClaimReleased;

export const emailClaimEventCodec = eventCodec<EmailClaimEvent>({
  EmailClaimed: z.object({ organizationId: z.string(), email: z.string(), userId: z.string(), claimedAt: z.string() }),
  EmailClaimReleased: z.object({ organizationId: z.string(), email: z.string(), userId: z.string(), releasedAt: z.string() }),
});

export type ClaimEmail = { type: "ClaimEmail"; email: string; userId: string; context: CommandContext };
export type ReleaseEmail = { type: "ReleaseEmail"; email: string; userId: string; context: CommandContext };
export type EmailClaimCommand = ClaimEmail | ReleaseEmail;

export type EmailClaimState = { kind: "Free" } | { kind: "Claimed"; userId: string; claimedAt: string };

export const emailClaimDecider: Decider<EmailClaimCommand, EmailClaimEvent, EmailClaimState> = {
  codec: emailClaimEventCodec,
  initialState: () => ({ kind: "Free" }),
  evolve: (_state, event) => {
    switch (event.type) {
      case "EmailClaimed":
        return { kind: "Claimed", userId: event.data.userId, claimedAt: event.data.claimedAt };
      case "EmailClaimReleased":
        return { kind: "Free" };
      default:
        return assertNever(event);
    }
  },
  decide: (command, state) => {
    const { context, email, userId } = command;
    const base = { organizationId: context.organizationId, email: email.trim().toLowerCase(), userId };
    switch (command.type) {
      case "ClaimEmail":
        if (state.kind === "Claimed") {
          if (state.userId === userId) return [];
          throw new DomainError("ALREADY_EXISTS", `A user with the e-mail ${base.email} already exists in this organization`, {
            field: "email",
          });
        }
        return [{ type: "EmailClaimed", data: { ...base, claimedAt: context.now.toISOString() } }];
      case "ReleaseEmail":
        if (state.kind !== "Claimed" || state.userId !== userId) return [];
        return [{ type: "EmailClaimReleased", data: { ...base, releasedAt: context.now.toISOString() } }];
      default:
        return assertNever(command);
    }
  },
};
