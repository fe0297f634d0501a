import { z } from "zod";
import type { CommandContext, Decider } from "../shared/decider.js";
import { assertNever, DomainError, ValidationError } from "../shared/errors.js";
import { eventCodec } from "../shared/event-codec.js";
import { eventPositionSchema, optionalText, parseOrThrow, urlSchema } from "../shared/validation.js";
import { INTEGRATOR_EVENT_TYPES } from "./integrator-event-types.js";

/** An integrator's endpoint: the organization's events of the chosen types are POSTed to it, signed. */
export const WEBHOOK_CATEGORY = "webhook";
export const webhookStreamName = (webhookId: string) => `${WEBHOOK_CATEGORY}-${webhookId}`;

const eventTypesSchema = z
  .array(
    z.string().refine((type) => INTEGRATOR_EVENT_TYPES.includes(type), {
      message: `must be one of ${INTEGRATOR_EVENT_TYPES.join(", ")}`,
    }),
  )
  .min(1, "must name at least one event type")
  .transform((types) => [...new Set(types)]);

const registrationSchema = z.object({
  url: urlSchema,
  eventTypes: eventTypesSchema,
  description: optionalText(500),
});


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

export type WebhookCommand =
  | {
      type: "RegisterWebhook";
      webhookId: string;
      url: string;
      eventTypes: string[];
      description: string | null;
      secret: string;
      context: CommandContext;
    }
  | {
      type: "UpdateWebhook";
      webhookId: string;
      url?: string;
      eventTypes?: string[];
      description?: string | null;
      enabled?: boolean;
      context: CommandContext;
    }
  | { type: "RotateWebhookSecret"; webhookId: string; secret: string; context: CommandContext }
  | { type: "DeleteWebhook"; webhookId: string; context: CommandContext }
  | {
      type: "ReplayWebhook";
      webhookId: string;
      replayId: string;
      afterPosition: string;
      /** The head of the log when the replay was asked for: later events are delivered live anyway. */
      untilPosition: string;
      context: CommandContext;
    };

export type WebhookState =
  | { kind: "Initial" }
  | {
      kind: "Existing";
      organizationId: string;
      url: string;
      eventTypes: string[];
      description: string | null;
      enabled: boolean;
      deleted: boolean;
      replayIds: Set<string>;
    };

export const webhookDecider: Decider<WebhookCommand, WebhookEvent, WebhookState> = {
  codec: webhookEventCodec,
  initialState: () => ({ kind: "Initial" }),
  evolve: (state, event) => {
    switch (event.type) {
      case "WebhookRegistered":
        return {
          kind: "Existing",
          organizationId: event.data.organizationId,
          url: event.data.url,
          eventTypes: event.data.eventTypes,
          description: event.data.description,
          enabled: true,
          deleted: false,
          replayIds: new Set(),
        };
      case "WebhookUpdated":
        if (state.kind !== "Existing") return state;
        return {
          ...state,
          url: event.data.url,
          eventTypes: event.data.eventTypes,
          description: event.data.description,
          enabled: event.data.enabled,
        };
      case "WebhookSecretRotated":
        return state;
      case "WebhookDeleted":
        return state.kind === "Existing" ? { ...state, deleted: true } : state;
      case "WebhookReplayRequested":
        return state.kind === "Existing"
          ? { ...state, replayIds: new Set([...state.replayIds, event.data.replayId]) }
          : state;
      default:
        return assertNever(event);
    }
  },
  decide: (command, state) => {
    const { context, webhookId } = command;
    const at = context.now.toISOString();
    if (command.type === "RegisterWebhook") {
      if (state.kind === "Existing") {
        if (state.organizationId !== context.organizationId) throw new DomainError("ALREADY_EXISTS", `Webhook ${webhookId} exists`);
        return [];
      }
      const { url, eventTypes, description } = parseOrThrow(registrationSchema, command);
      return [
        {
          type: "WebhookRegistered",
          data: {
            webhookId,
            organizationId: context.organizationId,
            url,
            eventTypes,
            description: description || null,
            secret: command.secret,
            createdBy: context.actorId,
            createdAt: at,
          },
        },
      ];
    }
    if (state.kind === "Initial" || state.deleted || state.organizationId !== context.organizationId) {
      if (command.type === "DeleteWebhook" && state.kind === "Existing" && state.deleted) return [];
      throw new DomainError("NOT_FOUND", `Webhook ${webhookId} was not found`);
    }
    switch (command.type) {
      case "UpdateWebhook": {
        const next = parseOrThrow(registrationSchema, {
          url: command.url ?? state.url,
          eventTypes: command.eventTypes ?? state.eventTypes,
          description: command.description === undefined ? state.description : command.description,
        });
        const enabled = command.enabled ?? state.enabled;
        const description = next.description || null;
        const unchanged =
          next.url === state.url &&
          next.eventTypes.join() === state.eventTypes.join() &&
          description === state.description &&
          enabled === state.enabled;
        if (unchanged) return [];
        return [
          {
            type: "WebhookUpdated",
            data: { webhookId, ...next, description, enabled, updatedBy: context.actorId, updatedAt: at },
          },
        ];
      }
      case "RotateWebhookSecret":
        return [
          { type: "WebhookSecretRotated", data: { webhookId, secret: command.secret, rotatedBy: context.actorId, rotatedAt: at } },
        ];
      case "DeleteWebhook":
        return [{ type: "WebhookDeleted", data: { webhookId, deletedBy: context.actorId, deletedAt: at } }];
      case "ReplayWebhook": {
        if (state.replayIds.has(command.replayId)) return [];
        const afterPosition = parseOrThrow(eventPositionSchema, command.afterPosition, "afterPosition");
        if (BigInt(afterPosition) > BigInt(command.untilPosition)) {
          throw new ValidationError("afterPosition", "is beyond the last event");
        }
        return [
          {
            type: "WebhookReplayRequested",
            data: {
              webhookId,
              replayId: command.replayId,
              afterPosition,
              untilPosition: command.untilPosition,
              requestedBy: context.actorId,
              requestedAt: at,
            },
          },
        ];
      }
      default:
        return assertNever(command);
    }
  },
};
