import { z } from "zod";
import { eventCodec } from "../shared/event-codec.js";
import { PAYMENT_METHODS, type OrganizationSettingsChanges } from "./settings.js";

/** Stream of one organization: `organization-<id>`. */
export const ORGANIZATION_CATEGORY = "organization";
export const organizationStreamName = (organizationId: string) => `${ORGANIZATION_CATEGORY}-${organizationId}`;

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
  pricesIncludeVat: z.boolean(),
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
