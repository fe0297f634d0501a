import type { CommandContext, Decider } from "../shared/decider.js";
import { assertNever, DomainError, ValidationError } from "../shared/errors.js";
import { parseOrThrow } from "../shared/validation.js";
import { type OrganizationEvent, organizationEventCodec } from "./events.js";
import {
  DEFAULT_SETTINGS,
  type OrganizationSettings,
  type PaymentMethod,
  organizationSettingsChangesSchema,
  organizationSettingsSchema,
} from "./settings.js";

export const organizationProfileSchema = organizationSettingsSchema.pick({ name: true, timezone: true, currency: true });

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
  /** The payment methods this server can take (STRIPE only with its Stripe account); absent: all. */
  availablePaymentMethods?: readonly PaymentMethod[];
  context: CommandContext;
};
export type OrganizationCommand = CreateOrganization | UpdateOrganizationSettings;

export type OrganizationState =
  | { kind: "Initial" }
  | { kind: "Existing"; organizationId: string; settings: OrganizationSettings; createdAt?: string };

export const initialOrganizationState = (): OrganizationState => ({ kind: "Initial" });

export function evolveOrganization(state: OrganizationState, event: OrganizationEvent): OrganizationState {
  switch (event.type) {
    case "OrganizationCreated": {
      const { organizationId, name, timezone, currency, createdAt } = event.data;
      return { kind: "Existing", organizationId, settings: { ...DEFAULT_SETTINGS, name, timezone, currency }, createdAt };
    }
    case "OrganizationSettingsChanged":
      return state.kind === "Initial" ? state : { ...state, settings: { ...state.settings, ...event.data.changes } };
    default:
      return assertNever(event);
  }
}

export function decideOrganization(command: OrganizationCommand, state: OrganizationState): OrganizationEvent[] {
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
      const unavailable = parsed.paymentMethods?.find((method) => command.availablePaymentMethods && !command.availablePaymentMethods.includes(method));
      if (unavailable) {
        throw new ValidationError(
          "paymentMethods",
          unavailable === "STRIPE"
            ? "cannot include STRIPE: this server has no Stripe account (STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET are not set)"
            : `cannot include ${unavailable}: this server does not take it`,
        );
      }
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
}

export const organizationDecider: Decider<OrganizationCommand, OrganizationEvent, OrganizationState> = {
  codec: organizationEventCodec,
  initialState: initialOrganizationState,
  evolve: evolveOrganization,
  decide: decideOrganization,
};
