import type { CommandHandler, CommandResult } from "../shared/command-handler.js";
import { DomainError } from "../shared/errors.js";
import { deterministicUuid } from "../shared/event-metadata.js";
import type { EventStore } from "../shared/event-store.js";
import type { RegisterUser, UserCommand } from "./commands.js";
import type { UserState } from "./decider.js";
import {
  type EmailClaimCommand,
  type EmailClaimEvent,
  type EmailClaimState,
  emailClaimStreamName,
} from "./email-claim.js";
import type { UserEvent } from "./events.js";
import { userStreamName } from "./user.js";

/** A claim whose user never got registered (a crash in between) is released after this long. */
const ORPHAN_CLAIM_AFTER_MS = 60_000;

/**
 * Registers a user with an e-mail unique in the organization: the address is claimed on its
 * own stream first, then the user is registered; a failed registration releases the claim.
 */
export class UserRegistration {
  constructor(
    private readonly store: EventStore,
    private readonly claims: CommandHandler<EmailClaimCommand, EmailClaimEvent, EmailClaimState>,
    private readonly users: CommandHandler<UserCommand, UserEvent, UserState>,
  ) {}

  async register(command: RegisterUser): Promise<CommandResult<UserState>> {
    const { context, userId, email } = command;
    const claimStream = emailClaimStreamName(context.organizationId, email);
    const sub = (step: string) => ({ ...context, commandId: deterministicUuid(`${context.commandId}/${step}`) });
    try {
      await this.claims.handle(claimStream, { type: "ClaimEmail", email, userId, context: sub("claim") });
    } catch (error) {
      if (!(error instanceof DomainError && error.code === "ALREADY_EXISTS")) throw error;
      const orphan = await this.orphanedClaimant(claimStream, context.now);
      if (!orphan) throw error;
      await this.claims.handle(claimStream, { type: "ReleaseEmail", email, userId: orphan, context: sub("release-orphan") });
      await this.claims.handle(claimStream, { type: "ClaimEmail", email, userId, context: sub("claim-again") });
    }
    try {
      return await this.users.handle(userStreamName(userId), command);
    } catch (error) {
      await this.claims.handle(claimStream, { type: "ReleaseEmail", email, userId, context: sub("release") });
      throw error;
    }
  }

  private async orphanedClaimant(claimStream: string, now: Date): Promise<string | null> {
    const events = await this.store.readStream(claimStream, { direction: "backwards", maxCount: 1 });
    const last = events[0];
    if (last?.type !== "EmailClaimed") return null;
    const claimant = String(last.data.userId);
    if (now.getTime() - new Date(String(last.data.claimedAt)).getTime() < ORPHAN_CLAIM_AFTER_MS) return null;
    const user = await this.store.readStream(userStreamName(claimant), { maxCount: 1 });
    return user.length === 0 ? claimant : null;
  }
}
