import { z } from "zod";
import type { CommandContext, Decider } from "../shared/decider.js";
import { assertNever, DomainError, ValidationError } from "../shared/errors.js";
import { eventPositionSchema, optionalText, parseOrThrow, urlSchema } from "../shared/validation.js";
import { type WebhookEvent, webhookEventCodec } from "./events.js";
import { INTEGRATOR_EVENT_TYPES } from "./integrator-event-types.js";

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

export type RegisterWebhook = {
  type: "RegisterWebhook";
  webhookId: string;
  url: string;
  eventTypes: string[];
  description: string | null;
  secret: string;
  context: CommandContext;
};
/** Omitted fields keep their value. */
export type UpdateWebhook = {
  type: "UpdateWebhook";
  webhookId: string;
  url?: string;
  eventTypes?: string[];
  description?: string | null;
  enabled?: boolean;
  context: CommandContext;
};
export type RotateWebhookSecret = { type: "RotateWebhookSecret"; webhookId: string; secret: string; context: CommandContext };
export type DeleteWebhook = { type: "DeleteWebhook"; webhookId: string; context: CommandContext };
export type ReplayWebhook = {
  type: "ReplayWebhook";
  webhookId: string;
  replayId: string;
  afterPosition: string;
  /** The head of the log when the replay was asked for: later events are delivered live anyway. */
  untilPosition: string;
  context: CommandContext;
};
export type WebhookCommand = RegisterWebhook | UpdateWebhook | RotateWebhookSecret | DeleteWebhook | ReplayWebhook;

/** A webhook as its stream tells it (never its secret). */
export interface Webhook {
  webhookId: string;
  organizationId: string;
  url: string;
  eventTypes: string[];
  description: string | null;
  enabled: boolean;
  deleted: boolean;
  createdBy: string;
  createdAt: string;
  /** The last change of its settings or secret. */
  updatedAt: string;
}

export type WebhookState = { kind: "Initial" } | ({ kind: "Existing"; replayIds: Set<string> } & Webhook);

export const initialWebhookState = (): WebhookState => ({ kind: "Initial" });

export function evolveWebhook(state: WebhookState, event: WebhookEvent): WebhookState {
  switch (event.type) {
    case "WebhookRegistered": {
      const { webhookId, organizationId, url, eventTypes, description, createdBy, createdAt } = event.data;
      return {
        kind: "Existing",
        webhookId,
        organizationId,
        url,
        eventTypes,
        description,
        enabled: true,
        deleted: false,
        createdBy,
        createdAt,
        updatedAt: createdAt,
        replayIds: new Set(),
      };
    }
    case "WebhookUpdated":
      if (state.kind !== "Existing") return state;
      return {
        ...state,
        url: event.data.url,
        eventTypes: event.data.eventTypes,
        description: event.data.description,
        enabled: event.data.enabled,
        updatedAt: event.data.updatedAt,
      };
    case "WebhookSecretRotated":
      return state.kind === "Existing" ? { ...state, updatedAt: event.data.rotatedAt } : state;
    case "WebhookDeleted":
      return state.kind === "Existing" ? { ...state, deleted: true, updatedAt: event.data.deletedAt } : state;
    case "WebhookReplayRequested":
      return state.kind === "Existing" ? { ...state, replayIds: new Set([...state.replayIds, event.data.replayId]) } : state;
    default:
      return assertNever(event);
  }
}

export function decideWebhook(command: WebhookCommand, state: WebhookState): WebhookEvent[] {
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
      return [{ type: "WebhookSecretRotated", data: { webhookId, secret: command.secret, rotatedBy: context.actorId, rotatedAt: at } }];
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
}

export const webhookDecider: Decider<WebhookCommand, WebhookEvent, WebhookState> = {
  codec: webhookEventCodec,
  initialState: initialWebhookState,
  evolve: evolveWebhook,
  decide: decideWebhook,
};
