import type { CommandHandler, Decision } from "../shared/command-handler.js";
import { deterministicUuid } from "../shared/event-metadata.js";
import type { RegisterUser, UserCommand, UserState } from "./decider.js";
import {
  type EmailClaimCommand,
  type EmailClaimEvent,
  type EmailClaimState,
  emailClaimStreamName,
} from "./email-claim.js";
import { type UserEvent, userStreamName } from "./events.js";

/**
 * Registers a user with an e-mail unique in the organization: the address is claimed on its
 * own stream first, then the user is registered; a failed registration releases the claim at
 * once. A claim left behind by a process that died in between is released from the event log
 * by the email-claim-release workflow (src/domain/workflows/), not by a later request.
 */
export class UserRegistration {
  constructor(
    private readonly claims: CommandHandler<EmailClaimCommand, EmailClaimEvent, EmailClaimState>,
    private readonly users: CommandHandler<UserCommand, UserEvent, UserState>,
  ) {}

  async register(command: RegisterUser): Promise<Decision<UserEvent, UserState>> {
    const { context, userId, email } = command;
    const claimStream = emailClaimStreamName(context.organizationId, email);
    const sub = (step: string) => ({ ...context, commandId: deterministicUuid(`${context.commandId}/${step}`) });
    await this.claims.handle(claimStream, { type: "ClaimEmail", email, userId, context: sub("claim") });
    try {
      return await this.users.handle(userStreamName(userId), command);
    } catch (error) {
      await this.claims.handle(claimStream, { type: "ReleaseEmail", email, userId, context: sub("release") });
      throw error;
    }
  }
}
