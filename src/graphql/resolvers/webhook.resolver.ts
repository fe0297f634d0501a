import { Arg, Args, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from "type-graphql";
import type { Outcome } from "../../domain/shared/outcome.js";
import type { SideEffectStatus } from "../../domain/side-effects/decider.js";
import { INTEGRATOR_EVENT_TYPES } from "../../domain/webhooks/integrator-event-types.js";
import type { WebhookSnapshot } from "../../domain/webhooks/use-cases.js";
import { deliveryCursor } from "../../projections/side-effects.queries.js";
import { answerAfterWrite } from "../after-write.js";
import { authorize, commandContext, requireActor, type GraphQLContext } from "../context.js";
import { notFound } from "../errors.js";
import { createdId } from "../idempotency-keys.js";
import { RegisterWebhookInput, ReplayWebhookInput, UpdateWebhookInput, WebhookIdInput } from "../inputs/webhook.input.js";
import { ListPage, type PageRequest, pageOf, toConnection } from "../types/connection.js";
import {
  toDeliveryView,
  toWebhookView,
  Webhook,
  webhookViewOf,
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

  @FieldResolver(() => WebhookDeliveryConnection, { description: "Newest first (ADMIN, AUDITOR, API keys with webhooks:manage)" })
  deliveries(
    @Root() webhook: Webhook,
    @Args(() => ListPage) pageArgs: PageRequest,
    @Arg("status", () => WebhookDeliveryStatus, { nullable: true }) status: SideEffectStatus | null,
    @Ctx() context: GraphQLContext,
  ): WebhookDeliveryConnection {
    // Whoever reads a webhook reads its deliveries: the same rule, wherever the webhook comes from.
    authorize(context, "webhook");
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
    const webhookId = createdId(context, "webhook", input);
    const outcome = await context.app.useCases.webhooks.registerWebhook(
      requireActor(context),
      { webhookId, url: input.url, eventTypes: input.eventTypes, description: input.description ?? null },
      commandContext(context, "registerWebhook", input),
    );
    const { webhook, secret } = outcome.answer;
    return { webhook: await webhookAnswer(context, outcome, webhook), secret };
  }

  @Mutation(() => Webhook)
  async updateWebhook(@Arg("input", () => UpdateWebhookInput) input: UpdateWebhookInput, @Ctx() context: GraphQLContext): Promise<Webhook> {
    const outcome = await context.app.useCases.webhooks.updateWebhook(
      requireActor(context),
      {
        webhookId: input.webhookId,
        url: input.url ?? undefined,
        eventTypes: input.eventTypes ?? undefined,
        description: input.description,
        enabled: input.enabled ?? undefined,
      },
      commandContext(context, "updateWebhook", input),
    );
    return webhookAnswer(context, outcome, outcome.answer);
  }

  @Mutation(() => WebhookWithSecret, { description: "Deliveries are signed with the new secret from now on; it is shown only this once" })
  async rotateWebhookSecret(@Arg("input", () => WebhookIdInput) input: WebhookIdInput, @Ctx() context: GraphQLContext): Promise<WebhookWithSecret> {
    const outcome = await context.app.useCases.webhooks.rotateWebhookSecret(
      requireActor(context),
      input,
      commandContext(context, "rotateWebhookSecret", input),
    );
    const { webhook, secret } = outcome.answer;
    return { webhook: await webhookAnswer(context, outcome, webhook), secret };
  }

  @Mutation(() => ID, { description: "Stops deliveries; the delivery records stay in the event history" })
  async deleteWebhook(@Arg("input", () => WebhookIdInput) input: WebhookIdInput, @Ctx() context: GraphQLContext): Promise<string> {
    const outcome = await context.app.useCases.webhooks.deleteWebhook(requireActor(context), input, commandContext(context, "deleteWebhook", input));
    return answerAfterWrite(context, outcome, () => null, (answer) => answer.webhookId);
  }

  @Mutation(() => WebhookReplay, {
    description: "Deliver again every event of the webhook's types after a position, up to now (e.g. after fixing a failing endpoint)",
  })
  async replayWebhook(@Arg("input", () => ReplayWebhookInput) input: ReplayWebhookInput, @Ctx() context: GraphQLContext): Promise<WebhookReplay> {
    const outcome = await context.app.useCases.webhooks.replayWebhook(requireActor(context), input, commandContext(context, "replayWebhook", input));
    const { replayId, webhook, afterPosition, untilPosition } = outcome.answer;
    return { replayId, webhook: await webhookAnswer(context, outcome, webhook), afterPosition, untilPosition };
  }
}

/** The webhook as the read model shows it once caught up, else as decided. */
function webhookAnswer(context: GraphQLContext, outcome: Outcome<unknown, unknown>, webhook: WebhookSnapshot): Promise<Webhook> {
  return answerAfterWrite(
    context,
    outcome,
    () => {
      const record = context.app.webhookQueries.byId(webhook.webhookId);
      return record && record.organizationId === webhook.organizationId && !record.deletedAt ? toWebhookView(record) : null;
    },
    () => webhookViewOf(webhook),
  );
}
