import { z } from "zod";
import { eventCodec } from "../shared/event-codec.js";

/** An integrator's endpoint: the organization's events of the chosen types are POSTed to it, signed. Stream: `webhook-<id>`. */
export const WEBHOOK_CATEGORY = "webhook";
export const webhookStreamName = (webhookId: string) => `${WEBHOOK_CATEGORY}-${webhookId}`;

export type WebhookRegistered = {
  type: "WebhookRegistered";
  data: {
    webhookId: string;
    organizationId: string;
    url: string;
    eventTypes: string[];
    description: string | null;
    /** Signs deliveries; shown to the caller once, redacted from histories and exports. */
    secret: string;
    createdBy: string;
    createdAt: string;
  };
};
export type WebhookUpdated = {
  type: "WebhookUpdated";
  data: {
    webhookId: string;
    url: string;
    eventTypes: string[];
    description: string | null;
    enabled: boolean;
    updatedBy: string;
    updatedAt: string;
  };
};
export type WebhookSecretRotated = {
  type: "WebhookSecretRotated";
  data: { webhookId: string; secret: string; rotatedBy: string; rotatedAt: string };
};
export type WebhookDeleted = { type: "WebhookDeleted"; data: { webhookId: string; deletedBy: string; deletedAt: string } };
/** Deliver again every matching event after `afterPosition` up to `untilPosition` (inclusive). */
export type WebhookReplayRequested = {
  type: "WebhookReplayRequested";
  data: {
    webhookId: string;
    replayId: string;
    afterPosition: string;
    untilPosition: string;
    requestedBy: string;
    requestedAt: string;
  };
};
export type WebhookEvent =
  | WebhookRegistered
  | WebhookUpdated
  | WebhookSecretRotated
  | WebhookDeleted
  | WebhookReplayRequested;
export const webhookEventCodec = eventCodec<WebhookEvent>({
  WebhookRegistered: z.object({
    webhookId: z.string(),
    organizationId: z.string(),
    url: z.string(),
    eventTypes: z.array(z.string()),
    description: z.string().nullable(),
    secret: z.string(),
    createdBy: z.string(),
    createdAt: z.string(),
  }),
  WebhookUpdated: z.object({
    webhookId: z.string(),
    url: z.string(),
    eventTypes: z.array(z.string()),
    description: z.string().nullable(),
    enabled: z.boolean(),
    updatedBy: z.string(),
    updatedAt: z.string(),
  }),
  WebhookSecretRotated: z.object({ webhookId: z.string(), secret: z.string(), rotatedBy: z.string(), rotatedAt: z.string() }),
  WebhookDeleted: z.object({ webhookId: z.string(), deletedBy: z.string(), deletedAt: z.string() }),
  WebhookReplayRequested: z.object({
    webhookId: z.string(),
    replayId: z.string(),
    afterPosition: z.string(),
    untilPosition: z.string(),
    requestedBy: z.string(),
    requestedAt: z.string(),
  }),
});
export const WEBHOOK_EVENT_TYPES = webhookEventCodec.types;
