/**
 * The organization decider and its settings (§0): defaults after creation
 * (cancellation window 48 h, reminder 24 h, access codes and personal sessions off, CASH),
 * partial updates that record only what differs, each validation rule, and tenancy.
 */
import { describe, expect, it } from "vitest";
import { type OrganizationCommand, organizationDecider } from "../../src/domain/organizations/decider.js";
import type { OrganizationEvent } from "../../src/domain/organizations/events.js";
import type { CommandContext } from "../../src/domain/shared/decider.js";
import { fold, spec } from "../support/given-when-then.js";
import { ACTOR_ID, NOW_ISO, ORG_ID, context } from "./session-fixtures.js";

const given = (events: OrganizationEvent[]) => spec(organizationDecider).given(events);

const create = (overrides: Partial<{ name: string; timezone: string; currency: string; context: CommandContext }> = {}): OrganizationCommand => ({
  type: "CreateOrganization",
  organizationId: ORG_ID,
  name: "Academy",
  timezone: "Europe/Brussels",
  currency: "EUR",
  context: context(),
  ...overrides,
});
const update = (changes: unknown, ctx: CommandContext = context()): OrganizationCommand => ({
  type: "UpdateOrganizationSettings",
  organizationId: ORG_ID,
  changes,
  context: ctx,
});

const created: OrganizationEvent = {
  type: "OrganizationCreated",
  data: {
    organizationId: ORG_ID,
    name: "Academy",
    timezone: "Europe/Brussels",
    currency: "EUR",
    createdBy: ACTOR_ID,
    createdAt: "2026-11-01T00:00:00.000Z",
  },
};
const changed = (changes: Record<string, unknown>): OrganizationEvent => ({
  type: "OrganizationSettingsChanged",
  data: { organizationId: ORG_ID, changes, changedBy: ACTOR_ID, changedAt: NOW_ISO },
});

function settingsAfter(events: OrganizationEvent[]) {
  const state = fold(organizationDecider, events);
  if (state.kind !== "Existing") throw new Error("no organization");
  return state.settings;
}

// =============================================================================================
describe("CreateOrganization (§0)", () => {
  it("records name, timezone and currency", () => {
    given([])
      .when(create({ name: "  Academy " }))
      .then([
        {
          type: "OrganizationCreated",
          data: {
            organizationId: ORG_ID,
            name: "Academy",
            timezone: "Europe/Brussels",
            currency: "EUR",
            createdBy: ACTOR_ID,
            createdAt: NOW_ISO,
          },
        },
      ]);
  });

  it("starts with the §0 defaults", () => {
    expect(settingsAfter([created])).toEqual({
      name: "Academy",
      timezone: "Europe/Brussels",
      currency: "EUR",
      paymentMethods: ["CASH"],
      clientCancellationWindowHours: 48,
      reminderLeadTimeHours: 24,
      accessCodesEnabled: false,
      personalSessionsEnabled: false,
      pricesIncludeVat: true,
      vatCategories: [],
    });
  });

  it.each([
    ["name", { name: "" }],
    ["timezone", { timezone: "Mars/Olympus_Mons" }],
    ["timezone", { timezone: "" }],
    ["currency", { currency: "EURO" }],
    ["currency", { currency: "ABC" }],
  ] as const)("refuses an invalid %s: %j", (field, overrides) => {
    given([]).when(create(overrides)).thenThrows("VALIDATION", undefined, { field });
  });

  it("is a no-op when it exists, ALREADY_EXISTS when created again from another organization", () => {
    given([created]).when(create()).thenNothing();
    given([created]).when(create({ context: context({ organizationId: "org-2" }) })).thenThrows("ALREADY_EXISTS");
  });
});

// =============================================================================================
describe("UpdateOrganizationSettings (§0, ADMIN only at the API)", () => {
  it("NOT_FOUND for no organization and for another organization (§0 tenancy)", () => {
    given([]).when(update({ reminderLeadTimeHours: 12 })).thenThrows("NOT_FOUND");
    given([created]).when(update({ reminderLeadTimeHours: 12 }, context({ organizationId: "org-2" }))).thenThrows("NOT_FOUND");
  });

  it("records only the fields that differ from the current settings", () => {
    given([created])
      .when(update({ name: "Academy", currency: "EUR", reminderLeadTimeHours: 12, accessCodesEnabled: true, paymentMethods: ["CASH"] }))
      .then([changed({ reminderLeadTimeHours: 12, accessCodesEnabled: true })]);
  });

  it("records every setting when all change", () => {
    const all = {
      name: "Academy Paris",
      timezone: "Europe/Paris",
      currency: "USD",
      paymentMethods: ["STRIPE", "CHECK"],
      clientCancellationWindowHours: 24,
      reminderLeadTimeHours: 2,
      accessCodesEnabled: true,
      personalSessionsEnabled: true,
      pricesIncludeVat: false,
      vatCategories: [{ name: "STANDARD", ratePercent: 21 }],
    };
    given([created]).when(update(all)).then([changed(all)]);
    expect(settingsAfter([created, changed(all)])).toEqual(all);
  });

  it("P3: a payment method this server cannot take is refused, naming what it lacks; the others are recorded", () => {
    const withoutStripe = (changes: unknown) => ({ ...update(changes), availablePaymentMethods: ["CASH", "CHECK"] }) as OrganizationCommand;
    given([created])
      .when(withoutStripe({ paymentMethods: ["CASH", "STRIPE"] }))
      .thenThrows("VALIDATION", /cannot include STRIPE: this server has no Stripe account/, { field: "paymentMethods" });
    given([created]).when(withoutStripe({ paymentMethods: ["CHECK"] })).then([changed({ paymentMethods: ["CHECK"] })]);
  });

  it("records nothing when the values are the current ones (or nothing is given)", () => {
    const later = [created, changed({ vatCategories: [{ name: "STANDARD", ratePercent: 21 }], paymentMethods: ["CASH", "STRIPE"] })];
    given(later)
      .when(
        update({
          name: "  Academy ",
          vatCategories: [{ name: "standard", ratePercent: 21 }],
          paymentMethods: ["CASH", "STRIPE", "CASH"],
          clientCancellationWindowHours: 48,
        }),
      )
      .thenNothing();
    given([created]).when(update({})).thenNothing();
  });

  it("de-duplicates payment methods", () => {
    given([created])
      .when(update({ paymentMethods: ["STRIPE", "CASH", "STRIPE", "CASH"] }))
      .then([changed({ paymentMethods: ["STRIPE", "CASH"] })]);
  });

  it("upper-cases VAT category names and keeps rates with two decimals", () => {
    given([created])
      .when(update({ vatCategories: [{ name: " reduced ", ratePercent: 5.5 }, { name: "Super", ratePercent: 2.15 }, { name: "zero", ratePercent: 0 }] }))
      .then([
        changed({
          vatCategories: [
            { name: "REDUCED", ratePercent: 5.5 },
            { name: "SUPER", ratePercent: 2.15 },
            { name: "ZERO", ratePercent: 0 },
          ],
        }),
      ]);
  });

  it("accepts the bounds of every number", () => {
    for (const changes of [
      { clientCancellationWindowHours: 0 },
      { clientCancellationWindowHours: 8760 },
      { reminderLeadTimeHours: 1 },
      { reminderLeadTimeHours: 720 },
      { vatCategories: [{ name: "FULL", ratePercent: 100 }] },
    ]) {
      given([created]).when(update(changes)).then([changed(changes)]);
    }
  });

  it.each([
    ["name", { name: "   " }],
    ["timezone", { timezone: "Europe/Atlantis" }],
    ["timezone", { timezone: "GMT+25" }],
    ["currency", { currency: "eu" }],
    ["currency", { currency: "BTC" }],
    ["paymentMethods.0", { paymentMethods: ["BITCOIN"] }],
    ["paymentMethods", { paymentMethods: "CASH" }],
    ["clientCancellationWindowHours", { clientCancellationWindowHours: -1 }],
    ["clientCancellationWindowHours", { clientCancellationWindowHours: 8761 }],
    ["clientCancellationWindowHours", { clientCancellationWindowHours: 1.5 }],
    ["reminderLeadTimeHours", { reminderLeadTimeHours: 0 }],
    ["reminderLeadTimeHours", { reminderLeadTimeHours: 721 }],
    ["reminderLeadTimeHours", { reminderLeadTimeHours: 2.5 }],
    ["accessCodesEnabled", { accessCodesEnabled: "yes" }],
    ["personalSessionsEnabled", { personalSessionsEnabled: 1 }],
    ["pricesIncludeVat", { pricesIncludeVat: "no" }],
    ["vatCategories", { vatCategories: [{ name: "std", ratePercent: 21 }, { name: "STD", ratePercent: 6 }] }],
    ["vatCategories", { vatCategories: Array.from({ length: 51 }, (_, i) => ({ name: `V${i}`, ratePercent: 1 })) }],
    ["vatCategories.0.name", { vatCategories: [{ name: " ", ratePercent: 21 }] }],
    ["vatCategories.0.name", { vatCategories: [{ name: "X".repeat(41), ratePercent: 21 }] }],
    ["vatCategories.0.ratePercent", { vatCategories: [{ name: "NEG", ratePercent: -0.01 }] }],
    ["vatCategories.0.ratePercent", { vatCategories: [{ name: "BIG", ratePercent: 100.01 }] }],
    ["vatCategories.0.ratePercent", { vatCategories: [{ name: "ODD", ratePercent: 5.555 }] }],
    ["vatCategories.1.ratePercent", { vatCategories: [{ name: "OK", ratePercent: 6 }, { name: "NAN", ratePercent: Number.NaN }] }],
  ] as const)("refuses an invalid %s: %j", (field, changes) => {
    given([created]).when(update(changes)).thenThrows("VALIDATION", new RegExp(`^${field.replaceAll(".", "\\.")}: `), { field });
  });

  it("a partial update leaves the other settings as they were", () => {
    const settings = settingsAfter([created, changed({ reminderLeadTimeHours: 6 }), changed({ accessCodesEnabled: true })]);
    expect(settings).toMatchObject({ reminderLeadTimeHours: 6, accessCodesEnabled: true, clientCancellationWindowHours: 48, paymentMethods: ["CASH"] });
  });
});
