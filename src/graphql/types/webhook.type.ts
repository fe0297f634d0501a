import { DateTimeResolver } from "graphql-scalars";
import { Field, ID, Int, ObjectType, registerEnumType } from "type-graphql";
import type { WebhookSnapshot } from "../../domain/webhooks/use-cases.js";
import type { SideEffectRecord } from "../../projections/side-effects.queries.js";
import type { WebhookRecord } from "../../projections/webhooks.queries.js";
import { Connection } from "./connection.js";

export const WebhookDeliveryStatus = {
  IN_PROGRESS: "IN_PROGRESS",
  SUCCEEDED: "SUCCEEDED",
  RETRYING: "RETRYING",
  FAILED: "FAILED",
} as const;
registerEnumType(WebhookDeliveryStatus, {
  name: "WebhookDeliveryStatus",
  description: "FAILED: every attempt failed (replay to try again); the webhook itself stays enabled",
});

@ObjectType({ description: "An endpoint your organization's events are POSTed to, signed with its secret" })
export class Webhook {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  url!: string;

  @Field(() => [String], { description: "Event types delivered (see webhookEventTypes)" })
  eventTypes!: string[];

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => Boolean, { description: "Only you disable a webhook: failures never do" })
  enabled!: boolean;

  @Field(() => ID)
  createdBy!: string;

  @Field(() => DateTimeResolver)
  createdAt!: Date;

  @Field(() => DateTimeResolver)
  updatedAt!: Date;
}

@ObjectType({ description: "A webhook with its signing secret, shown only this once" })
export class WebhookWithSecret {
  @Field(() => Webhook)
  webhook!: Webhook;

  @Field(() => String, {
    description:
      "Verify deliveries with it: header `Sessions-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, \"<t>.<raw body>\")>`",
  })
  secret!: string;
}

@ObjectType({ description: "One event sent to one webhook, with every attempt's outcome" })
export class WebhookDelivery {
  @Field(() => ID, { description: "Also sent as the `Sessions-Delivery-Id` header" })
  id!: string;

  @Field(() => ID)
  eventId!: string;

  @Field(() => String)
  eventType!: string;

  @Field(() => String, { description: "The event's position in the log" })
  eventPosition!: string;

  @Field(() => WebhookDeliveryStatus)
  status!: string;

  @Field(() => Int)
  attempts!: number;

  @Field(() => Int, { nullable: true, description: "HTTP status of the last attempt (null: no answer)" })
  lastStatusCode!: number | null;

  @Field(() => String, { nullable: true })
  lastError!: string | null;

  @Field(() => DateTimeResolver, { nullable: true, description: "When the next attempt is due (RETRYING)" })
  nextAttemptAt!: Date | null;

  @Field(() => DateTimeResolver)
  createdAt!: Date;

  @Field(() => DateTimeResolver)
  updatedAt!: Date;
}

@ObjectType()
export class WebhookDeliveryConnection extends Connection(WebhookDelivery, "WebhookDelivery") {}

@ObjectType({ description: "Deliveries were queued again for every matching event in the range" })
export class WebhookReplay {
  @Field(() => ID)
  replayId!: string;

  @Field(() => Webhook)
  webhook!: Webhook;

  @Field(() => String, { description: "Exclusive" })
  afterPosition!: string;

  @Field(() => String, { description: "Inclusive: the last event when the replay was asked; later ones are delivered live" })
  untilPosition!: string;
}

export const toWebhookView = (record: WebhookRecord): Webhook => ({
  id: record.id,
  url: record.url,
  eventTypes: record.eventTypes,
  description: record.description,
  enabled: record.enabled,
  createdBy: record.createdBy,
  createdAt: new Date(record.createdAt),
  updatedAt: new Date(record.updatedAt),
});

/** The webhook as a decision tells it (when the read model has not caught up yet). */
export const webhookViewOf = (webhook: WebhookSnapshot): Webhook => ({
  id: webhook.webhookId,
  url: webhook.url,
  eventTypes: webhook.eventTypes,
  description: webhook.description,
  enabled: webhook.enabled,
  createdBy: webhook.createdBy,
  createdAt: new Date(webhook.createdAt),
  updatedAt: new Date(webhook.updatedAt),
});

export const toDeliveryView = (record: SideEffectRecord): WebhookDelivery => ({
  id: record.key,
  eventId: record.triggerEventId,
  eventType: record.triggerEventType,
  eventPosition: record.triggerPosition.toString(),
  status: record.status,
  attempts: record.attempts,
  lastStatusCode: record.lastStatusCode,
  lastError: record.lastError,
  nextAttemptAt: record.status === "RETRYING" && record.dueAt ? new Date(record.dueAt) : null,
  createdAt: new Date(record.createdAt),
  updatedAt: new Date(record.updatedAt),
});
