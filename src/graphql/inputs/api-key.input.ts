import { Field, ID, InputType } from "type-graphql";
import { ApiKeyScope } from "../types/enums.js";

@InputType()
export class CreateApiKeyInput {
  @Field(() => String, { description: "What the key is for, e.g. 'CRM sync'" })
  name!: string;

  @Field(() => [ApiKeyScope])
  scopes!: string[];
}

@InputType()
export class RevokeApiKeyInput {
  @Field(() => ID)
  apiKeyId!: string;
}
