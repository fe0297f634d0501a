import { Field, ID, InputType } from "type-graphql";
import { ApiKeyScope } from "../types/enums.js";
import { IDEMPOTENCY } from "./session.input.js";

@InputType()
export class CreateApiKeyInput {
  @Field(() => String, { description: "What the key is for, e.g. 'CRM sync'" })
  name!: string;

  @Field(() => [ApiKeyScope])
  scopes!: string[];

  @Field(() => String, {
    ...IDEMPOTENCY,
    description: `${IDEMPOTENCY.description}. A retry answers the same key with secret null: only its hash is kept, so the secret is shown to the first answer alone (lost it? revoke the key and create another)`,
  })
  idempotencyKey?: string | null;
}

@InputType()
export class RevokeApiKeyInput {
  @Field(() => ID)
  apiKeyId!: string;

  @Field(() => String, IDEMPOTENCY)
  idempotencyKey?: string | null;
}
