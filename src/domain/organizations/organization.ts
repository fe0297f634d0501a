import { z } from "zod";
import type { CommandContext, Decider } from "../shared/decider.js";
import { eventCodec } from "../shared/event-codec.js";
import { assertNever, DomainError } from "../shared/errors.js";
import { parseOrThrow } from "../shared/validation.js";
import {
  DEFAULT_SETTINGS,
  PAYMENT_METHODS,
  type OrganizationSettings,
  type OrganizationSettingsChanges,
  organizationSettingsChangesSchema,
  organizationSettingsSchema,
} from "./settings.js";

export const ORGANIZATION_CATEGORY = "organization";
export const organizationStreamName = (organizationId: string) => `${ORGANIZATION_CATEGORY}-${organizationId}`;

export const organizationProfileSchema = organizationSettingsSchema.pick({ name: true, timezone: true, currency: true });

export type OrganizationCreated = {
  type: "OrganizationCreated";
  data: { organizationId: string; name: string; timezone: string; currency: string; createdBy: string; createdAt: string };
};
export type OrganizationSettingsChanged = {
  type: "OrganizationSettingsChanged";
  data: { organizationId: string; changes: OrganizationSettingsChanges; changedBy: string; changedAt: string };
};
export type OrganizationEvent = OrganizationCreated | OrganizationSettingsChanged;

const recordedSettings = z.object({
  name: z.string(),
  timezone: z.string(),
  currency: z.string(),
  paymentMethods: z.array(z.enum(PAYMENT_METHODS)),
  clientCancellationWindowHours: z.number(),
  reminderLeadTimeHours: z.number(),
  accessCodesEnabled: z.boolean(),
  personalSessionsEnabled: z.boolean(),
  vatCategories: z.array(z.object({ name: z.string(), ratePercent: z.number() })),
});

export const organizationEventCodec = eventCodec<OrganizationEvent>({
  OrganizationCreated: z.object({
    organizationId: z.string(),
    name: z.string(),
    timezone: z.string(),
    currency: z.string(),
    createdBy: z.string(),
    createdAt: z.string(),
  }),
  OrganizationSettingsChanged: z.object({
    organizationId: z.string(),
    changes: recordedSettings.partial(),
    changedBy: z.string(),
    changedAt: z.string(),
  }),
});
export const ORGANIZATION_EVENT_TYPES = organizationEventCodec.types;

export type CreateOrganization = {
  type: "CreateOrganization";
  organizationId: string;
  name: string;
  timezone: string;
  currency: string;
  context: CommandContext;
};
/** Omitted settings stay as they are. */
export type UpdateOrganizationSettings = {
  type: "UpdateOrganizationSettings";
  organizationId: string;
  changes: unknown;
  context: CommandContext;
};
export type OrganizationCommand = CreateOrganization | UpdateOrganizationSettings;

export type OrganizationState =
  | { kind: "Initial" }
  | { kind: "Existing"; organizationId: string; settings: OrganizationSettings };

export function evolveOrganization(state: OrganizationState, event: OrganizationEvent): OrganizationState {
  switch (event.type) {
    case "OrganizationCreated": {
      const { organizationId, name, timezone, currency } = event.data;
      return { kind: "Existing", organizationId, settings: { ...DEFAULT_SETTINGS, name, timezone, currency } };
    }
    case "OrganizationSettingsChanged":
      return state.kind === "Initial" ? state : { ...state, settings: { ...state.settings, ...event.data.changes } };
    default:
      return assertNever(event);
  }
}

export const organizationDecider: Decider<OrganizationCommand, OrganizationEvent, OrganizationState> = {
  codec: organizationEventCodec,
  initialState: () => ({ kind: "Initial" }),
  evolve: evolveOrganization,
  decide: (command, state) => {
    const { context } = command;
    switch (command.type) {
      case "CreateOrganization": {
        if (state.kind === "Existing") {
          if (state.organizationId !== context.organizationId) {
            throw new DomainError("ALREADY_EXISTS", `Organization ${command.organizationId} already exists`);
          }
          return [];
        }
        const profile = parseOrThrow(organizationProfileSchema, command);
        return [
          {
            type: "OrganizationCreated",
            data: {
              organizationId: command.organizationId,
              ...profile,
              createdBy: context.actorId,
              createdAt: context.now.toISOString(),
            },
          },
        ];
      }
      case "UpdateOrganizationSettings": {
        if (state.kind === "Initial" || state.organizationId !== context.organizationId) {
          throw new DomainError("NOT_FOUND", `Organization ${command.organizationId} was not found`);
        }
        const parsed = parseOrThrow(organizationSettingsChangesSchema, command.changes);
        const changes = Object.fromEntries(
          Object.entries(parsed).filter(
            ([key, value]) =>
              value !== undefined && JSON.stringify(value) !== JSON.stringify(state.settings[key as keyof OrganizationSettings]),
          ),
        );
        if (Object.keys(changes).length === 0) return [];
        return [
          {
            type: "OrganizationSettingsChanged",
            data: { organizationId: state.organizationId, changes, changedBy: context.actorId, changedAt: context.now.toISOString() },
          },
        ];
      }
      default:
        return assertNever(command);
    }
  },
};
