import { Field, ID, InputType } from "type-graphql";
import { IDEMPOTENCY } from "./session.input.js";

@InputType()
export class RegisterWebhookInput {
  @Field(() => String, { description: "http(s) URL that receives POSTs" })
  url!: string;

  @Field(() => [String], { description: "Event types to deliver, e.g. SessionConfirmed (see webhookEventTypes)" })
  eventTypes!: string[];

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => String, {
    ...IDEMPOTENCY,
    description: `${IDEMPOTENCY.description}. A retry answers the same webhook and the same secret (webhook secrets are kept to sign deliveries)`,
  })
  idempotencyKey?: string | null;
}

@InputType({ description: "Omitted fields keep their value" })
export class UpdateWebhookInput {
  @Field(() => ID)
  webhookId!: string;

  @Field(() => String, { nullable: true })
  url?: string | null;

  @Field(() => [String], { nullable: true })
  eventTypes?: string[] | null;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => Boolean, { nullable: true, description: "false pauses deliveries; replay later to catch up" })
  enabled?: boolean | null;

  @Field(() => String, IDEMPOTENCY)
  idempotencyKey?: string | null;
}

@InputType()
export class WebhookIdInput {
  @Field(() => ID)
  webhookId!: string;

  @Field(() => String, {
    ...IDEMPOTENCY,
    description: `${IDEMPOTENCY.description}. rotateWebhookSecret: a retry answers the secret this request set, rotating no further`,
  })
  idempotencyKey?: string | null;
}

@InputType()
export class ReplayWebhookInput {
  @Field(() => ID)
  webhookId!: string;

  @Field(() => String, {
    description: "Deliver again every matching event after this position (from an earlier delivery or the events feed); \"0\" for all",
  })
  afterPosition!: string;

  @Field(() => String, IDEMPOTENCY)
  idempotencyKey?: string | null;
}
