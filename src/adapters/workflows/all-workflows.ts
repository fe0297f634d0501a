import type Database from "better-sqlite3";
import type { Logger } from "pino";
import type { SessionCommand } from "../../domain/sessions/decider.js";
import type { SessionState } from "../../domain/sessions/decider.js";
import { sessionStreamName, type SessionEvent } from "../../domain/sessions/events.js";
import type { Clock } from "../../domain/shared/clock.js";
import type { CommandHandler } from "../../domain/shared/command-handler.js";
import type { EventStore } from "../../domain/shared/event-store.js";
import {
  type EmailClaimCommand,
  type EmailClaimEvent,
  type EmailClaimState,
  emailClaimStreamName,
} from "../../domain/users/email-claim.js";
import { emailClaimReleaseWorkflow } from "../../domain/workflows/email-claim-release.js";
import { signUpSeatReleaseWorkflow } from "../../domain/workflows/sign-up-seat-release.js";
import { bindWorkflow, WorkflowRunner } from "./workflow-runner.js";

export interface WorkflowDependencies {
  store: EventStore;
  db: Database.Database;
  clock: Clock;
  logger: Logger;
  intervalMs: number;
  emailClaims: CommandHandler<EmailClaimCommand, EmailClaimEvent, EmailClaimState>;
  sessions: CommandHandler<SessionCommand, SessionEvent, SessionState>;
}

/** Every workflow of the application, sending through the application's own command handlers. */
export function createWorkflowRunner({ emailClaims, sessions, ...options }: WorkflowDependencies): WorkflowRunner {
  return new WorkflowRunner({
    ...options,
    workflows: [
      bindWorkflow(emailClaimReleaseWorkflow, (command) =>
        emailClaims.handle(emailClaimStreamName(command.context.organizationId, command.email), command),
      ),
      bindWorkflow(signUpSeatReleaseWorkflow, (command) => sessions.handle(sessionStreamName(command.sessionId), command)),
    ],
  });
}
