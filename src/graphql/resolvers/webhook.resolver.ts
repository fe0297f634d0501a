import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import { generateWebhookSecret } from "../../adapters/webhooks/webhook-signature.js";
import type { CommandContext } from "../../domain/shared/decider.js";
import type { SideEffectStatus } from "../../domain/side-effects/side-effect.js";
import { INTEGRATOR_EVENT_TYPES } from "../../domain/webhooks/integrator-event-types.js";
import { webhookStreamName } from "../../domain/webhooks/webhook.js";
import { deliveryCursor } from "../../projections/side-effects.queries.js";
import { authorize, commandContext, type GraphQLContext } from "../context.js";
import { notFound } from "../errors.js";
import { createdId, followUpContext } from "../idempotency-keys.js";
import { RegisterWebhookInput, ReplayWebhookInput, UpdateWebhookInput, WebhookIdInput } from "../inputs/webhook.input.js";
import { ListPage, type PageRequest, pageOf, toConnection } from "../types/connection.js";
import {
  toDeliveryView,
  toWebhookView,
  Webhook,
  WebhookDeliveryConnection,
  WebhookDeliveryStatus,
  WebhookReplay,
  WebhookWithSecret,
} from "../types/webhook.type.js";


/** Webhooks for integrators: register, change, pause, rotate the secret, replay, and read deliveries. */
@Resolver(() => Webhook)
export class WebhookResolver {
  @Query(() => [Webhook], { description: "Your organization's webhooks (never their secrets)" })
  webhooks(@Ctx() context: GraphQLContext): Webhook[] {
    const actor = authorize(context, "webhooks");
    return context.app.webhookQueries.list(actor.organizationId).map(toWebhookView);
  }

  @Query(() => Webhook, { description: "One webhook of your organization; NOT_FOUND otherwise (also once deleted)" })
  webhook(@Arg("id", () => ID) id: string, @Ctx() context: GraphQLContext): Webhook {
    const actor = authorize(context, "webhook");
    const record = context.app.webhookQueries.byId(id);
    if (!record || record.organizationId !== actor.organizationId || record.deletedAt) throw notFound("Webhook", id);
    return toWebhookView(record);
  }

  @Query(() => [String], { description: "Event types a webhook can deliver" })
  webhookEventTypes(@Ctx() context: GraphQLContext): string[] {
    authorize(context, "webhookEventTypes");
    return [...INTEGRATOR_EVENT_TYPES];
  }

  @FieldResolver(() => WebhookDeliveryConnection, { description: "Newest first" })
  deliveries(
    @Root() webhook: Webhook,
    @Args(() => ListPage) pageArgs: PageRequest,
    @Arg("status", () => WebhookDeliveryStatus, { nullable: true }) status: SideEffectStatus | null,
    @Ctx() context: GraphQLContext,
  ): WebhookDeliveryConnection {
    const { first, after } = pageOf(pageArgs, ListPage);
    const page = context.app.sideEffectQueries.ofTarget(webhook.id, {
      status: status ?? undefined,
      first,
      after: after ?? undefined,
    });
    const records = page.records.map((record) => ({ ...record, cursor: deliveryCursor(record) }));
    return toConnection({ ...page, records }, after, toDeliveryView);
  }

  @Mutation(() => WebhookWithSecret, { description: "Copy the secret now: it is not shown again" })
  async registerWebhook(
    @Arg("input", () => RegisterWebhookInput) input: RegisterWebhookInput,
    @Ctx() context: GraphQLContext,
  ): Promise<WebhookWithSecret> {
    const actor = authorize(context, "registerWebhook");
    const webhookId = createdId(context, "webhook", input);
    const ctx = commandContext(context, "registerWebhook", input);
    const result = await context.app.webhooks.handle(webhookStreamName(webhookId), {
      type: "RegisterWebhook",
      webhookId,
      url: input.url,
      eventTypes: input.eventTypes,
      description: input.description ?? null,
      secret: generateWebhookSecret(),
      context: ctx,
    });
    const secret = await this.secretSetBy(context, webhookId, ctx);
    return { webhook: await this.after(context, actor.organizationId, webhookId, result.position), secret };
  }

  @Mutation(() => Webhook)
  async updateWebhook(@Arg("input", () => UpdateWebhookInput) input: UpdateWebhookInput, @Ctx() context: GraphQLContext): Promise<Webhook> {
    const actor = authorize(context, "updateWebhook");
    const result = await context.app.webhooks.handle(webhookStreamName(input.webhookId), {
      type: "UpdateWebhook",
      webhookId: input.webhookId,
      url: input.url ?? undefined,
      eventTypes: input.eventTypes ?? undefined,
      description: input.description,
      enabled: input.enabled ?? undefined,
      context: commandContext(context, "updateWebhook", input),
    });
    return this.after(context, actor.organizationId, input.webhookId, result.position);
  }

  @Mutation(() => WebhookWithSecret, { description: "Deliveries are signed with the new secret from now on; it is shown only this once" })
  async rotateWebhookSecret(@Arg("input", () => WebhookIdInput) input: WebhookIdInput, @Ctx() context: GraphQLContext): Promise<WebhookWithSecret> {
    const actor = authorize(context, "rotateWebhookSecret");
    const ctx = commandContext(context, "rotateWebhookSecret", input);
    const result = await context.app.webhooks.handle(webhookStreamName(input.webhookId), {
      type: "RotateWebhookSecret",
      webhookId: input.webhookId,
      secret: generateWebhookSecret(),
      context: ctx,
    });
    const secret = await this.secretSetBy(context, input.webhookId, ctx);
    return { webhook: await this.after(context, actor.organizationId, input.webhookId, result.position), secret };
  }

  @Mutation(() => ID, { description: "Stops deliveries; the delivery records stay in the event history" })
  async deleteWebhook(@Arg("input", () => WebhookIdInput) input: WebhookIdInput, @Ctx() context: GraphQLContext): Promise<string> {
    authorize(context, "deleteWebhook");
    const result = await context.app.webhooks.handle(webhookStreamName(input.webhookId), {
      type: "DeleteWebhook",
      webhookId: input.webhookId,
      context: commandContext(context, "deleteWebhook", input),
    });
    await context.app.caughtUp(result.position);
    return input.webhookId;
  }

  @Mutation(() => WebhookReplay, {
    description: "Deliver again every event of the webhook's types after a position, up to now (e.g. after fixing a failing endpoint)",
  })
  async replayWebhook(@Arg("input", () => ReplayWebhookInput) input: ReplayWebhookInput, @Ctx() context: GraphQLContext): Promise<WebhookReplay> {
    const actor = authorize(context, "replayWebhook");
    const ctx = commandContext(context, "replayWebhook", input);
    const replayId = followUpContext(ctx, "replay").commandId;
    const until = ((await context.app.store.headPosition()) ?? 0n).toString();
    const result = await context.app.webhooks.handle(webhookStreamName(input.webhookId), {
      type: "ReplayWebhook",
      webhookId: input.webhookId,
      replayId,
      afterPosition: input.afterPosition,
      untilPosition: until,
      context: ctx,
    });
    const webhook = await this.after(context, actor.organizationId, input.webhookId, result.position);
    return { replayId, webhook, afterPosition: input.afterPosition, untilPosition: until };
  }

  /**
   * The secret the command set: the one it just recorded, or on a retry (same idempotency key)
   * the one the first request recorded, so every answer to the request shows the same secret.
   */
  private async secretSetBy(context: GraphQLContext, webhookId: string, command: CommandContext): Promise<string> {
    const events = await context.app.store.readStream(webhookStreamName(webhookId));
    const set = events.findLast(
      (event) =>
        (event.type === "WebhookRegistered" || event.type === "WebhookSecretRotated") && event.metadata.commandId === command.commandId,
    );
    if (!set) throw notFound("Webhook", webhookId);
    return String(set.data.secret);
  }

  private async after(context: GraphQLContext, organizationId: string, webhookId: string, position: bigint | null): Promise<Webhook> {
    await context.app.caughtUp(position);
    const record = context.app.webhookQueries.byId(webhookId);
    if (!record || record.organizationId !== organizationId || record.deletedAt) throw notFound("Webhook", webhookId);
    return toWebhookView(record);
  }
}
