import { DateTimeResolver } from "graphql-scalars";
import { Field, ID, ObjectType } from "type-graphql";
import type { ApiKeySnapshot } from "../../domain/api-keys/use-cases.js";
import type { ApiKeyRecord } from "../../projections/api-keys.queries.js";
import { ApiKeyScope } from "./enums.js";

@ObjectType({ description: "An integrator's key; its secret is never shown again after creation" })
export class ApiKey {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => [ApiKeyScope])
  scopes!: string[];

  @Field(() => String, { description: "The first characters of the secret, to recognise it" })
  prefix!: string;

  @Field(() => ID)
  createdBy!: string;

  @Field(() => DateTimeResolver)
  createdAt!: Date;

  @Field(() => DateTimeResolver, { nullable: true })
  revokedAt!: Date | null;
}

@ObjectType()
export class CreatedApiKey {
  @Field(() => ApiKey)
  apiKey!: ApiKey;

  @Field(() => String, {
    nullable: true,
    description:
      "Send as `Authorization: Bearer <secret>`. Shown only this once: null when this answers a retry (same idempotencyKey) of a key already created",
  })
  secret!: string | null;
}

export const toApiKeyView = (key: ApiKeyRecord): ApiKey => ({
  id: key.id,
  name: key.name,
  scopes: key.scopes,
  prefix: key.prefix,
  createdBy: key.createdBy,
  createdAt: new Date(key.createdAt),
  revokedAt: key.revokedAt ? new Date(key.revokedAt) : null,
});

/** The key as a decision tells it (when the read model has not caught up yet). */
export const apiKeyViewOf = (key: ApiKeySnapshot): ApiKey => ({
  id: key.apiKeyId,
  name: key.name,
  scopes: key.scopes,
  prefix: key.prefix,
  createdBy: key.createdBy,
  createdAt: new Date(key.createdAt),
  revokedAt: key.revokedAt ? new Date(key.revokedAt) : null,
});
