import { z } from "zod";
import { API_KEY_SCOPES, type ApiKeyScope } from "../access/actor.js";
import { eventCodec } from "../shared/event-codec.js";

/** An integrator's key: only a hash of its secret is recorded. Stream: `apikey-<id>`. */
export const API_KEY_CATEGORY = "apikey";
export const apiKeyStreamName = (apiKeyId: string) => `${API_KEY_CATEGORY}-${apiKeyId}`;

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
