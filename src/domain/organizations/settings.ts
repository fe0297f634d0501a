import { z } from "zod";
import { currencyCodeSchema, nonEmptyText, timeZoneSchema } from "../shared/validation.js";

export const PAYMENT_METHODS = ["CASH", "CHECK", "STRIPE"] as const;
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];

const unique = <T>(values: T[]) => [...new Set(values)];

export const vatCategorySchema = z.object({
  name: nonEmptyText(40).transform((name) => name.toUpperCase()),
  /** Percent with at most two decimals (21, 5.5). */
  ratePercent: z
    .number()
    .min(0, "must be between 0 and 100")
    .max(100, "must be between 0 and 100")
    .refine((rate) => Math.abs(rate * 100 - Math.round(rate * 100)) < 1e-9, "must have at most two decimals"),
});
export type VatCategory = z.output<typeof vatCategorySchema>;

/** §0: an organization's settings; everything but the name has a default. */
export const organizationSettingsSchema = z.object({
  name: nonEmptyText(200),
  timezone: timeZoneSchema,
  currency: currencyCodeSchema,
  paymentMethods: z.array(z.enum(PAYMENT_METHODS, { error: `must be one of ${PAYMENT_METHODS.join(", ")}` })).transform(unique),
  clientCancellationWindowHours: z.number().int("must be a whole number of hours").min(0, "must not be negative").max(8760, "must be at most 8760 (a year)"),
  reminderLeadTimeHours: z.number().int("must be a whole number of hours").min(1, "must be at least 1").max(720, "must be at most 720 (30 days)"),
  accessCodesEnabled: z.boolean(),
  personalSessionsEnabled: z.boolean(),
  /** P2: prices are entered VAT included (their VAT is the part of them the rate gives) or excluded (VAT added). */
  pricesIncludeVat: z.boolean(),
  vatCategories: z
    .array(vatCategorySchema)
    .max(50, "must have at most 50 categories")
    .refine((categories) => new Set(categories.map((c) => c.name)).size === categories.length, "must have distinct names"),
});
export type OrganizationSettings = z.output<typeof organizationSettingsSchema>;

export const DEFAULT_SETTINGS: Omit<OrganizationSettings, "name" | "timezone" | "currency"> = {
  paymentMethods: ["CASH"],
  clientCancellationWindowHours: 48,
  reminderLeadTimeHours: 24,
  accessCodesEnabled: false,
  personalSessionsEnabled: false,
  pricesIncludeVat: true,
  vatCategories: [],
};

export const organizationSettingsChangesSchema = organizationSettingsSchema.partial();
export type OrganizationSettingsChanges = z.output<typeof organizationSettingsChangesSchema>;
