import type { Actor, ApiKeyScope } from "../access/actor.js";
import { authorize } from "../access/authorization.js";
import type { CommandHandler, Decision } from "../shared/command-handler.js";
import type { CommandContext } from "../shared/decider.js";
import { assertNever, DomainError } from "../shared/errors.js";
import { type Outcome, outcomeOf } from "../shared/outcome.js";
import type { ApiKeyCommand, ApiKeyState } from "./decider.js";
import { type ApiKeyEvent, apiKeyStreamName } from "./events.js";

export interface ApiKeyPorts {
  apiKeys: CommandHandler<ApiKeyCommand, ApiKeyEvent, ApiKeyState>;
  /** A new secret for the key, and what is recorded of it: its hash and its first characters. */
  newSecret(apiKeyId: string): { secret: string; secretHash: string; prefix: string };
  /** Every event of a key's stream, oldest first. */
  history(streamName: string): Promise<ApiKeyEvent[]>;
}

/** A key as its events tell it (never its secret): the answer when the read model lags. */
export interface ApiKeySnapshot {
  apiKeyId: string;
  organizationId: string;
  name: string;
  scopes: ApiKeyScope[];
  prefix: string;
  createdBy: string;
  createdAt: string;
  revokedAt: string | null;
}

export interface CreatedApiKey {
  apiKey: ApiKeySnapshot;
  /** Null when this answers a retry: only the hash of the first answer's secret was kept. */
  secret: string | null;
}

/** The key after these events (null: they do not hold its creation). */
export function apiKeySnapshot(events: readonly ApiKeyEvent[]): ApiKeySnapshot | null {
  return events.reduce<ApiKeySnapshot | null>((key, event) => {
    switch (event.type) {
      case "ApiKeyCreated": {
        const { secretHash: _hash, ...created } = event.data;
        return { ...created, revokedAt: null };
      }
      case "ApiKeyRevoked":
        return key && { ...key, revokedAt: event.data.revokedAt };
      default:
        return assertNever(event);
    }
  }, null);
}

/** API keys for integrators: created by an ADMIN (the secret shown once), revoked at once. */
export class ApiKeyUseCases {
  constructor(private readonly ports: ApiKeyPorts) {}

  async createApiKey(
    actor: Actor,
    input: { apiKeyId: string; name: string; scopes: string[] },
    context: CommandContext,
  ): Promise<Outcome<ApiKeyEvent, CreatedApiKey>> {
    authorize(actor, "createApiKey");
    const { apiKeyId } = input;
    const { secret, secretHash, prefix } = this.ports.newSecret(apiKeyId);
    const decision = await this.ports.apiKeys.handle(apiKeyStreamName(apiKeyId), {
      type: "CreateApiKey",
      apiKeyId,
      name: input.name,
      scopes: input.scopes,
      secretHash,
      prefix,
      context,
    });
    const created = decision.events.length > 0;
    return outcomeOf(decision, { apiKey: await this.snapshot(decision, apiKeyId), secret: created ? secret : null });
  }

  /** The key stops working at once; revoking it again changes nothing. */
  async revokeApiKey(actor: Actor, input: { apiKeyId: string }, context: CommandContext): Promise<Outcome<ApiKeyEvent, ApiKeySnapshot>> {
    authorize(actor, "revokeApiKey");
    const { apiKeyId } = input;
    const decision = await this.ports.apiKeys.handle(apiKeyStreamName(apiKeyId), { type: "RevokeApiKey", apiKeyId, context });
    return outcomeOf(decision, await this.snapshot(decision, apiKeyId));
  }

  /** From the decision's own events when they hold the creation, otherwise from the key's stream. */
  private async snapshot(decision: Decision<ApiKeyEvent, ApiKeyState>, apiKeyId: string): Promise<ApiKeySnapshot> {
    const createdNow = decision.events.some((event) => event.type === "ApiKeyCreated");
    const snapshot = apiKeySnapshot(createdNow ? decision.events : await this.ports.history(apiKeyStreamName(apiKeyId)));
    if (!snapshot) throw new DomainError("NOT_FOUND", `API key ${apiKeyId} was not found`);
    return snapshot;
  }
}
