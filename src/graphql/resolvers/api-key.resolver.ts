import { Arg, Ctx, Mutation, Query, Resolver } from "type-graphql";
import type { ApiKeySnapshot } from "../../domain/api-keys/use-cases.js";
import { answerAfterWrite } from "../after-write.js";
import { authorize, commandContext, requireActor, type GraphQLContext } from "../context.js";
import { createdId } from "../idempotency-keys.js";
import { CreateApiKeyInput, RevokeApiKeyInput } from "../inputs/api-key.input.js";
import { ApiKey, apiKeyViewOf, CreatedApiKey, toApiKeyView } from "../types/api-key.type.js";

@Resolver()
export class ApiKeyResolver {
  @Query(() => [ApiKey], { description: "Your organization's API keys, revoked ones included (never their secrets)" })
  apiKeys(@Ctx() context: GraphQLContext): ApiKey[] {
    const actor = authorize(context, "apiKeys");
    return context.app.apiKeyQueries.list(actor.organizationId).map(toApiKeyView);
  }

  @Mutation(() => CreatedApiKey, { description: "A key for an integrator; copy its secret now, it is not shown again" })
  async createApiKey(@Arg("input", () => CreateApiKeyInput) input: CreateApiKeyInput, @Ctx() context: GraphQLContext): Promise<CreatedApiKey> {
    const apiKeyId = createdId(context, "api-key", input);
    const outcome = await context.app.useCases.apiKeys.createApiKey(
      requireActor(context),
      { apiKeyId, name: input.name, scopes: input.scopes },
      commandContext(context, "createApiKey", input),
    );
    const { apiKey, secret } = outcome.answer;
    return {
      apiKey: await answerAfterWrite(context, outcome, () => fromReadModel(context, apiKey), () => apiKeyViewOf(apiKey)),
      secret,
    };
  }

  @Mutation(() => ApiKey, { description: "The key stops working at once" })
  async revokeApiKey(@Arg("input", () => RevokeApiKeyInput) input: RevokeApiKeyInput, @Ctx() context: GraphQLContext): Promise<ApiKey> {
    const outcome = await context.app.useCases.apiKeys.revokeApiKey(requireActor(context), input, commandContext(context, "revokeApiKey", input));
    return answerAfterWrite(context, outcome, () => fromReadModel(context, outcome.answer), apiKeyViewOf);
  }
}

function fromReadModel(context: GraphQLContext, key: ApiKeySnapshot): ApiKey | null {
  const record = context.app.apiKeyQueries.byId(key.apiKeyId);
  return record && record.organizationId === key.organizationId ? toApiKeyView(record) : null;
}
