import type { Actor } from "../access/actor.js";
import { authorize } from "../access/authorization.js";
import type { CommandHandler, Decision } from "../shared/command-handler.js";
import type { CommandContext } from "../shared/decider.js";
import { DomainError, ValidationError } from "../shared/errors.js";
import { followUpContext } from "../shared/idempotency.js";
import { type Outcome, outcomeOf } from "../shared/outcome.js";
import type { Webhook, WebhookCommand, WebhookState } from "./decider.js";
import { type WebhookEvent, type WebhookRegistered, type WebhookSecretRotated, webhookStreamName } from "./events.js";

export interface WebhookPorts {
  webhooks: CommandHandler<WebhookCommand, WebhookEvent, WebhookState>;
  /** A new signing secret. */
  newSecret(): string;
  /** The events one command recorded on a stream (for a retry: those of the first request). */
  recordedBy(streamName: string, commandId: string): Promise<WebhookEvent[]>;
  /** Global position of the log's last event (null: the log is empty). */
  headPosition(): Promise<bigint | null>;
  /** Where a webhook may point (no internal addresses). */
  targets: WebhookTargets;
}

export interface WebhookTargets {
  /** Why a webhook may not point at this URL (e.g. a private address), or null. */
  refusal(url: string): string | null;
}

/** A webhook as its stream tells it after a command: the answer when the read model lags. */
export type WebhookSnapshot = Webhook;

export interface WebhookWithSecret {
  webhook: WebhookSnapshot;
  /** The secret this request set: a retry answers the one the first request recorded. */
  secret: string;
}

export interface WebhookReplay {
  replayId: string;
  webhook: WebhookSnapshot;
  afterPosition: string;
  untilPosition: string;
}

export interface WebhookSettings {
  webhookId: string;
  url: string;
  eventTypes: string[];
  description: string | null;
}

/** Webhooks for integrators: register, change or pause, rotate the secret, delete, replay. */
export class WebhookUseCases {
  constructor(private readonly ports: WebhookPorts) {}

  async registerWebhook(actor: Actor, input: WebhookSettings, context: CommandContext): Promise<Outcome<WebhookEvent, WebhookWithSecret>> {
    authorize(actor, "registerWebhook");
    this.checkTarget(input.url);
    const decision = await this.ports.webhooks.handle(webhookStreamName(input.webhookId), {
      type: "RegisterWebhook",
      ...input,
      secret: this.ports.newSecret(),
      context,
    });
    const secret = await this.secretSetBy(decision, input.webhookId, context);
    return outcomeOf(decision, { webhook: webhookOf(decision, input.webhookId), secret });
  }

  /** Omitted (undefined) settings keep their value; a null description clears it. */
  async updateWebhook(
    actor: Actor,
    input: { webhookId: string; url?: string; eventTypes?: string[]; description?: string | null; enabled?: boolean },
    context: CommandContext,
  ): Promise<Outcome<WebhookEvent, WebhookSnapshot>> {
    authorize(actor, "updateWebhook");
    if (input.url !== undefined) this.checkTarget(input.url);
    const decision = await this.ports.webhooks.handle(webhookStreamName(input.webhookId), { type: "UpdateWebhook", ...input, context });
    return outcomeOf(decision, webhookOf(decision, input.webhookId));
  }

  async rotateWebhookSecret(
    actor: Actor,
    input: { webhookId: string },
    context: CommandContext,
  ): Promise<Outcome<WebhookEvent, WebhookWithSecret>> {
    authorize(actor, "rotateWebhookSecret");
    const { webhookId } = input;
    const decision = await this.ports.webhooks.handle(webhookStreamName(webhookId), {
      type: "RotateWebhookSecret",
      webhookId,
      secret: this.ports.newSecret(),
      context,
    });
    const secret = await this.secretSetBy(decision, webhookId, context);
    return outcomeOf(decision, { webhook: webhookOf(decision, webhookId), secret });
  }

  /** Deleting a deleted webhook changes nothing. */
  async deleteWebhook(actor: Actor, input: { webhookId: string }, context: CommandContext): Promise<Outcome<WebhookEvent, { webhookId: string }>> {
    authorize(actor, "deleteWebhook");
    const { webhookId } = input;
    const decision = await this.ports.webhooks.handle(webhookStreamName(webhookId), { type: "DeleteWebhook", webhookId, context });
    return outcomeOf(decision, { webhookId });
  }

  /** Every matching event after `afterPosition` up to the log's head now is delivered again. */
  async replayWebhook(
    actor: Actor,
    input: { webhookId: string; afterPosition: string },
    context: CommandContext,
  ): Promise<Outcome<WebhookEvent, WebhookReplay>> {
    authorize(actor, "replayWebhook");
    const { webhookId, afterPosition } = input;
    const replayId = followUpContext(context, "replay").commandId;
    const untilPosition = ((await this.ports.headPosition()) ?? 0n).toString();
    const decision = await this.ports.webhooks.handle(webhookStreamName(webhookId), {
      type: "ReplayWebhook",
      webhookId,
      replayId,
      afterPosition,
      untilPosition,
      context,
    });
    return outcomeOf(decision, { replayId, webhook: webhookOf(decision, webhookId), afterPosition, untilPosition });
  }

  private checkTarget(url: string): void {
    const refusal = this.ports.targets.refusal(url);
    if (refusal) throw new ValidationError("url", refusal);
  }

  /** The secret the command set: the one just recorded, or for a retry the one the first request recorded. */
  private async secretSetBy(decision: Decision<WebhookEvent, WebhookState>, webhookId: string, context: CommandContext): Promise<string> {
    const events =
      decision.events.length > 0 ? decision.events : await this.ports.recordedBy(webhookStreamName(webhookId), context.commandId);
    const set = events.findLast(
      (event): event is WebhookRegistered | WebhookSecretRotated =>
        event.type === "WebhookRegistered" || event.type === "WebhookSecretRotated",
    );
    if (!set) throw webhookNotFound(webhookId);
    return set.data.secret;
  }
}

/** The webhook after the decision; a deleted one is NOT_FOUND like an unknown one. */
function webhookOf(decision: Decision<WebhookEvent, WebhookState>, webhookId: string): WebhookSnapshot {
  const { state } = decision;
  if (state.kind === "Initial" || state.deleted) throw webhookNotFound(webhookId);
  const { kind: _kind, replayIds: _replays, ...webhook } = state;
  return webhook;
}

function webhookNotFound(webhookId: string): DomainError {
  return new DomainError("NOT_FOUND", `Webhook ${webhookId} was not found`);
}
