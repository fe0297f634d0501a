import { Arg, Ctx, Mutation, Query, Resolver } from "type-graphql";
import { generateApiKeySecret } from "../../adapters/auth/api-key-secret.js";
import { apiKeyStreamName } from "../../domain/api-keys/api-key.js";
import { authorize, commandContext, type GraphQLContext } from "../context.js";
import { notFound } from "../errors.js";
import { createdId } from "../idempotency-keys.js";
import { CreateApiKeyInput, RevokeApiKeyInput } from "../inputs/api-key.input.js";
import { ApiKey, CreatedApiKey, toApiKeyView } from "../types/api-key.type.js";

@Resolver()
export class ApiKeyResolver {
  @Query(() => [ApiKey], { description: "Your organization's API keys, revoked ones included (never their secrets)" })
  apiKeys(@Ctx() context: GraphQLContext): ApiKey[] {
    const actor = authorize(context, "apiKeys");
    return context.app.apiKeyQueries.list(actor.organizationId).map(toApiKeyView);
  }

  @Mutation(() => CreatedApiKey, { description: "A key for an integrator; copy its secret now, it is not shown again" })
  async createApiKey(@Arg("input", () => CreateApiKeyInput) input: CreateApiKeyInput, @Ctx() context: GraphQLContext): Promise<CreatedApiKey> {
    const actor = authorize(context, "createApiKey");
    const apiKeyId = createdId(context, "api-key", input);
    const { secret, secretHash, prefix } = generateApiKeySecret(apiKeyId);
    const result = await context.app.apiKeys.handle(apiKeyStreamName(apiKeyId), {
      type: "CreateApiKey",
      apiKeyId,
      name: input.name,
      scopes: input.scopes,
      secretHash,
      prefix,
      context: commandContext(context, "createApiKey", input),
    });
    // A retry creates nothing: the secret of the first answer is known only by its hash.
    const created = result.events.length > 0;
    return { apiKey: await this.after(context, actor.organizationId, apiKeyId, result.position), secret: created ? secret : null };
  }

  @Mutation(() => ApiKey, { description: "The key stops working at once" })
  async revokeApiKey(@Arg("input", () => RevokeApiKeyInput) input: RevokeApiKeyInput, @Ctx() context: GraphQLContext): Promise<ApiKey> {
    const actor = authorize(context, "revokeApiKey");
    const result = await context.app.apiKeys.handle(apiKeyStreamName(input.apiKeyId), {
      type: "RevokeApiKey",
      apiKeyId: input.apiKeyId,
      context: commandContext(context, "revokeApiKey", input),
    });
    return this.after(context, actor.organizationId, input.apiKeyId, result.position);
  }

  private async after(context: GraphQLContext, organizationId: string, apiKeyId: string, position: bigint | null): Promise<ApiKey> {
    await context.app.caughtUp(position);
    const key = context.app.apiKeyQueries.byId(apiKeyId);
    if (!key || key.organizationId !== organizationId) throw notFound("API key", apiKeyId);
    return toApiKeyView(key);
  }
}
