import { z } from "zod";
import { API_KEY_SCOPES, type ApiKeyScope } from "../access/actor.js";
import type { CommandContext, Decider } from "../shared/decider.js";
import { assertNever, DomainError } from "../shared/errors.js";
import { eventCodec } from "../shared/event-codec.js";
import { nonEmptyText, parseOrThrow } from "../shared/validation.js";

/** An integrator's key: only a hash of its secret is recorded. */
export const API_KEY_CATEGORY = "apikey";
export const apiKeyStreamName = (apiKeyId: string) => `${API_KEY_CATEGORY}-${apiKeyId}`;

const apiKeySchema = z.object({
  name: nonEmptyText(200),
  scopes: z
    .array(z.enum(API_KEY_SCOPES, { error: `must be one of ${API_KEY_SCOPES.join(", ")}` }))
    .min(1, "must hold at least one scope")
    .transform((scopes) => [...new Set(scopes)]),
});

export type ApiKeyCreated = {
  type: "ApiKeyCreated";
  data: {
    apiKeyId: string;
    organizationId: string;
    name: string;
    scopes: ApiKeyScope[];
    /** sha256 of the secret, hex. */
    secretHash: string;
    /** The first characters of the secret, to recognise it in a list. */
    prefix: string;
    createdBy: string;
    createdAt: string;
  };
};
export type ApiKeyRevoked = { type: "ApiKeyRevoked"; data: { apiKeyId: string; revokedBy: string; revokedAt: string } };
export type ApiKeyEvent = ApiKeyCreated | ApiKeyRevoked;
export const apiKeyEventCodec = eventCodec<ApiKeyEvent>({
  ApiKeyCreated: z.object({
    apiKeyId: z.string(),
    organizationId: z.string(),
    name: z.string(),
    scopes: z.array(z.enum(API_KEY_SCOPES)),
    secretHash: z.string(),
    prefix: z.string(),
    createdBy: z.string(),
    createdAt: z.string(),
  }),
  ApiKeyRevoked: z.object({ apiKeyId: z.string(), revokedBy: z.string(), revokedAt: z.string() }),
});
export const API_KEY_EVENT_TYPES = apiKeyEventCodec.types;

export type ApiKeyCommand =
  | {
      type: "CreateApiKey";
      apiKeyId: string;
      name: string;
      scopes: string[];
      secretHash: string;
      prefix: string;
      context: CommandContext;
    }
  | { type: "RevokeApiKey"; apiKeyId: string; context: CommandContext };

export type ApiKeyState = { kind: "Initial" } | { kind: "Existing"; organizationId: string; revoked: boolean };

export const apiKeyDecider: Decider<ApiKeyCommand, ApiKeyEvent, ApiKeyState> = {
  codec: apiKeyEventCodec,
  initialState: () => ({ kind: "Initial" }),
  evolve: (state, event) => {
    switch (event.type) {
      case "ApiKeyCreated":
        return { kind: "Existing", organizationId: event.data.organizationId, revoked: false };
      case "ApiKeyRevoked":
        return state.kind === "Existing" ? { ...state, revoked: true } : state;
      default:
        return assertNever(event);
    }
  },
  decide: (command, state) => {
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
  },
};
