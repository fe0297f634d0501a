import { z } from "zod";
import { API_KEY_SCOPES } from "../access/actor.js";
import type { CommandContext, Decider } from "../shared/decider.js";
import { assertNever, DomainError } from "../shared/errors.js";
import { nonEmptyText, parseOrThrow } from "../shared/validation.js";
import { type ApiKeyEvent, apiKeyEventCodec } from "./events.js";

const apiKeySchema = z.object({
  name: nonEmptyText(200),
  scopes: z
    .array(z.enum(API_KEY_SCOPES, { error: `must be one of ${API_KEY_SCOPES.join(", ")}` }))
    .min(1, "must hold at least one scope")
    .transform((scopes) => [...new Set(scopes)]),
});

export type CreateApiKey = {
  type: "CreateApiKey";
  apiKeyId: string;
  name: string;
  scopes: string[];
  secretHash: string;
  prefix: string;
  context: CommandContext;
};
export type RevokeApiKey = { type: "RevokeApiKey"; apiKeyId: string; context: CommandContext };
export type ApiKeyCommand = CreateApiKey | RevokeApiKey;

/** Only what decisions need: the key as shown is folded from its events (see use-cases.ts). */
export type ApiKeyState = { kind: "Initial" } | { kind: "Existing"; organizationId: string; revoked: boolean };

export const initialApiKeyState = (): ApiKeyState => ({ kind: "Initial" });

export function evolveApiKey(state: ApiKeyState, event: ApiKeyEvent): ApiKeyState {
  switch (event.type) {
    case "ApiKeyCreated":
      return { kind: "Existing", organizationId: event.data.organizationId, revoked: false };
    case "ApiKeyRevoked":
      return state.kind === "Existing" ? { ...state, revoked: true } : state;
    default:
      return assertNever(event);
  }
}

export function decideApiKey(command: ApiKeyCommand, state: ApiKeyState): ApiKeyEvent[] {
  const { context, apiKeyId } = command;
  switch (command.type) {
    case "CreateApiKey": {
      if (state.kind === "Existing") {
        if (state.organizationId !== context.organizationId) throw new DomainError("ALREADY_EXISTS", `API key ${apiKeyId} exists`);
        return [];
      }
      const { name, scopes } = parseOrThrow(apiKeySchema, command);
      return [
        {
          type: "ApiKeyCreated",
          data: {
            apiKeyId,
            organizationId: context.organizationId,
            name,
            scopes,
            secretHash: command.secretHash,
            prefix: command.prefix,
            createdBy: context.actorId,
            createdAt: context.now.toISOString(),
          },
        },
      ];
    }
    case "RevokeApiKey":
      if (state.kind === "Initial" || state.organizationId !== context.organizationId) {
        throw new DomainError("NOT_FOUND", `API key ${apiKeyId} was not found`);
      }
      if (state.revoked) return [];
      return [{ type: "ApiKeyRevoked", data: { apiKeyId, revokedBy: context.actorId, revokedAt: context.now.toISOString() } }];
    default:
      return assertNever(command);
  }
}

export const apiKeyDecider: Decider<ApiKeyCommand, ApiKeyEvent, ApiKeyState> = {
  codec: apiKeyEventCodec,
  initialState: initialApiKeyState,
  evolve: evolveApiKey,
  decide: decideApiKey,
};
