/**
 * Organization settings through the HTTP API (§0): defaults at creation; an ADMIN
 * updates them partially (omitted fields stay), as an OrganizationSettingsChanged event naming
 * the actor; an identical update appends nothing; bad input changes nothing; every other role
 * is FORBIDDEN to change them but everyone of the organization reads them; the organization's
 * time zone is the default of a session's schedule (S6). STRIPE can be enabled only on a server
 * with a Stripe account (P3): elsewhere it is refused, saying which settings are missing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addMember, createOrganization, ok, refused, startTestServer, type Member, type TestServer } from "../support/test-server.js";

const SETTINGS_FIELDS = `settings {
  timezone defaultCurrency paymentMethods clientCancellationWindowHours reminderLeadTimeHours
  accessCodesEnabled personalSessionsEnabled vatCategories { name ratePercent }
}`;
const ORGANIZATION = `{ organization { id name timezone currency ${SETTINGS_FIELDS} } }`;
const UPDATE = `mutation ($input: UpdateOrganizationSettingsInput!) {
  updateOrganizationSettings(input: $input) { id name timezone currency ${SETTINGS_FIELDS} }
}`;

type Org = Awaited<ReturnType<typeof createOrganization>>;

let test: TestServer;
let org: Org;
let otherOrg: Org;

const read = async (token: string) => ok(await test.gql(ORGANIZATION, {}, token)).organization;
const update = (input: Record<string, unknown>, token = org.token) => test.gql(UPDATE, { input }, token);
const organizationEvents = async (organizationId: string) =>
  (await test.app.store.readAll()).filter((event) => event.streamName === `organization-${organizationId}`);

beforeAll(async () => {
  // This server has a Stripe account: STRIPE can be enabled.
  test = await startTestServer({ STRIPE_SECRET_KEY: "sk_test_settings", STRIPE_WEBHOOK_SECRET: "whsec_settings" });
  org = await createOrganization(test, { name: "Settings Academy", timezone: "America/New_York", currency: "USD" });
  otherOrg = await createOrganization(test, { timezone: "Europe/Brussels", currency: "EUR" });
});
afterAll(() => test.stop());

describe("organization settings (§0)", () => {
  it("has defaults: time zone and currency from the creation, CASH, 48 h, 24 h, no access codes, no personal sessions, no VAT", async () => {
    expect(await read(org.token)).toEqual({
      id: org.organizationId,
      name: "Settings Academy",
      timezone: "America/New_York",
      currency: "USD",
      settings: {
        timezone: "America/New_York",
        defaultCurrency: "USD",
        paymentMethods: ["CASH"],
        clientCancellationWindowHours: 48,
        reminderLeadTimeHours: 24,
        accessCodesEnabled: false,
        personalSessionsEnabled: false,
        vatCategories: [],
      },
    });
  });

  it("an ADMIN updates part of them: omitted fields stay; the change is an OrganizationSettingsChanged event with its actor", async () => {
    const before = await organizationEvents(org.organizationId);
    const updated = ok(await update({ clientCancellationWindowHours: 24, accessCodesEnabled: true })).updateOrganizationSettings;
    expect(updated.settings).toEqual({
      timezone: "America/New_York",
      defaultCurrency: "USD",
      paymentMethods: ["CASH"],
      clientCancellationWindowHours: 24,
      reminderLeadTimeHours: 24,
      accessCodesEnabled: true,
      personalSessionsEnabled: false,
      vatCategories: [],
    });
    expect((await read(org.token)).settings).toEqual(updated.settings);

    const after = await organizationEvents(org.organizationId);
    expect(after).toHaveLength(before.length + 1);
    const event = after.at(-1)!;
    expect(event.type).toBe("OrganizationSettingsChanged");
    expect(event.data).toMatchObject({
      organizationId: org.organizationId,
      changes: { clientCancellationWindowHours: 24, accessCodesEnabled: true },
      changedBy: org.userId,
    });
    // Only what changed is recorded.
    expect(Object.keys(event.data.changes as object).sort()).toEqual(["accessCodesEnabled", "clientCancellationWindowHours"]);
    expect(event.metadata).toMatchObject({ actorId: org.userId, tenantId: org.organizationId });
  });

  it("updates every setting; VAT category names are upper-cased, rates keep decimals (21, 5.5); the list is replaced", async () => {
    const updated = ok(
      await update({
        name: "Renamed Academy",
        timezone: "Asia/Tokyo",
        defaultCurrency: "JPY",
        paymentMethods: ["CASH", "STRIPE", "CHECK"],
        reminderLeadTimeHours: 48,
        personalSessionsEnabled: true,
        vatCategories: [
          { name: "standard", ratePercent: 21 },
          { name: "Reduced", ratePercent: 5.5 },
        ],
      }),
    ).updateOrganizationSettings;
    expect(updated).toMatchObject({ name: "Renamed Academy", timezone: "Asia/Tokyo", currency: "JPY" });
    expect(updated.settings).toEqual({
      timezone: "Asia/Tokyo",
      defaultCurrency: "JPY",
      paymentMethods: ["CASH", "STRIPE", "CHECK"],
      clientCancellationWindowHours: 24,
      reminderLeadTimeHours: 48,
      accessCodesEnabled: true,
      personalSessionsEnabled: true,
      vatCategories: [
        { name: "STANDARD", ratePercent: 21 },
        { name: "REDUCED", ratePercent: 5.5 },
      ],
    });

    const replaced = ok(await update({ vatCategories: [{ name: "zero", ratePercent: 0 }] })).updateOrganizationSettings;
    expect(replaced.settings.vatCategories).toEqual([{ name: "ZERO", ratePercent: 0 }]);
    expect(replaced.settings.paymentMethods).toEqual(["CASH", "STRIPE", "CHECK"]);

    const emptied = ok(await update({ vatCategories: [] })).updateOrganizationSettings;
    expect(emptied.settings.vatCategories).toEqual([]);

    // The other organization is untouched.
    expect((await read(otherOrg.token)).settings).toMatchObject({
      timezone: "Europe/Brussels",
      defaultCurrency: "EUR",
      paymentMethods: ["CASH"],
      vatCategories: [],
    });
  });

  it("an identical update appends nothing (idempotent)", async () => {
    const current = (await read(org.token)).settings;
    const head = await test.app.store.headPosition();
    const again = ok(
      await update({
        timezone: current.timezone,
        defaultCurrency: current.defaultCurrency,
        paymentMethods: current.paymentMethods,
        clientCancellationWindowHours: current.clientCancellationWindowHours,
        vatCategories: current.vatCategories,
      }),
    ).updateOrganizationSettings;
    expect(again.settings).toEqual(current);
    expect(ok(await update({})).updateOrganizationSettings.settings).toEqual(current);
    expect(await test.app.store.headPosition()).toBe(head);
  });

  it("refuses bad input with BAD_USER_INPUT naming the field, and changes nothing", async () => {
    const current = await read(org.token);
    const head = await test.app.store.headPosition();
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ timezone: "Mars/Olympus" }, /^timezone$/],
      [{ defaultCurrency: "EURO" }, /^defaultCurrency$/],
      [{ clientCancellationWindowHours: -1 }, /^clientCancellationWindowHours$/],
      [{ reminderLeadTimeHours: 0 }, /^reminderLeadTimeHours$/],
      [{ vatCategories: [{ name: "odd", ratePercent: 5.555 }] }, /^vatCategories/],
      [{ vatCategories: [{ name: "high", ratePercent: 120 }] }, /^vatCategories/],
      [{ vatCategories: [{ name: "same", ratePercent: 6 }, { name: "SAME", ratePercent: 21 }] }, /^vatCategories/],
      [{ name: "  " }, /^name$/],
      [{ timezone: null }, /^timezone$/],
    ];
    for (const [input, field] of cases) {
      const error = refused(await update({ clientCancellationWindowHours: 12, ...input }));
      expect(error.code, JSON.stringify(input)).toBe("BAD_USER_INPUT");
      expect(error.extensions.field, JSON.stringify(input)).toMatch(field);
    }
    expect(await test.app.store.headPosition()).toBe(head);
    expect(await read(org.token)).toEqual(current);
  });

  describe("who may (§0: ADMIN only changes settings; everyone of the organization reads them)", () => {
    const members: Record<string, Member> = {};

    beforeAll(async () => {
      for (const role of ["MANAGER", "EMPLOYEE", "TRAINER", "HOST", "LEARNER", "AUDITOR"]) {
        members[role] = await addMember(test, org.token, [role]);
      }
    });

    it("MANAGER, EMPLOYEE, TRAINER, HOST, LEARNER and AUDITOR are FORBIDDEN; nothing changes", async () => {
      const before = await read(org.token);
      const head = await test.app.store.headPosition();
      for (const [role, member] of Object.entries(members)) {
        const error = refused(await update({ clientCancellationWindowHours: 1, accessCodesEnabled: false }, member.token));
        expect(error.code, role).toBe("FORBIDDEN");
      }
      expect(refused(await update({ clientCancellationWindowHours: 1 }, "")).code).toBe("UNAUTHENTICATED");
      expect(await test.app.store.headPosition()).toBe(head);
      expect(await read(org.token)).toEqual(before);
    });

    it("another organization's ADMIN changes only their own organization", async () => {
      ok(await update({ clientCancellationWindowHours: 2 }, otherOrg.token));
      expect((await read(org.token)).settings.clientCancellationWindowHours).not.toBe(2);
      expect((await read(otherOrg.token)).settings.clientCancellationWindowHours).toBe(2);
    });

    it("every member of the organization reads the settings", async () => {
      const expected = await read(org.token);
      for (const [role, member] of Object.entries(members)) {
        expect(await read(member.token), role).toEqual(expected);
      }
      expect(refused(await test.gql(ORGANIZATION)).code).toBe("UNAUTHENTICATED");
    });
  });

  it("a new organization time zone is the default time zone of a schedule set without one (S6)", async () => {
    ok(await update({ timezone: "Australia/Sydney" }));
    const sessionId = ok(
      await test.gql(`mutation ($input: CreateSessionInput!) { createSession(input: $input) { id } }`, { input: { name: "Zoned" } }, org.token),
    ).createSession.id;
    const schedule = ok(
      await test.gql(
        `mutation ($input: SetSessionScheduleInput!) { setSessionSchedule(input: $input) { schedule { timezone startsAtLocal endsAtLocal } } }`,
        { input: { sessionId, startsAt: "2027-01-15T00:00:00Z", endsAt: "2027-01-15T02:00:00Z" } },
        org.token,
      ),
    ).setSessionSchedule.schedule;
    // Sydney is UTC+11 in January (daylight saving time).
    expect(schedule).toEqual({
      timezone: "Australia/Sydney",
      startsAtLocal: expect.stringMatching(/^2027-01-15T11:00(:00(\.000)?)?\+11:00$/),
      endsAtLocal: expect.stringMatching(/^2027-01-15T13:00(:00(\.000)?)?\+11:00$/),
    });

    // An explicit time zone still wins.
    const explicit = ok(
      await test.gql(
        `mutation ($input: SetSessionScheduleInput!) { setSessionSchedule(input: $input) { schedule { timezone } } }`,
        { input: { sessionId, startsAt: "2027-01-16T00:00:00Z", endsAt: "2027-01-16T02:00:00Z", timezone: "Europe/Paris" } },
        org.token,
      ),
    ).setSessionSchedule.schedule;
    expect(explicit.timezone).toBe("Europe/Paris");
  });
});

describe("P3: STRIPE needs the server's Stripe account", () => {
  it("without STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET, enabling STRIPE is BAD_USER_INPUT saying so, and changes nothing", async () => {
    const plain = await startTestServer();
    try {
      const admin = await createOrganization(plain);
      const head = await plain.app.store.headPosition();
      const refusal = refused(await plain.gql(UPDATE, { input: { paymentMethods: ["CASH", "STRIPE"] } }, admin.token));
      expect(refusal).toMatchObject({ code: "BAD_USER_INPUT", extensions: { field: "paymentMethods" } });
      expect(refusal.message).toMatch(/STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET/);
      expect(await plain.app.store.headPosition()).toBe(head);
      // Cash and check need nothing.
      const updated = ok(await plain.gql(UPDATE, { input: { paymentMethods: ["CASH", "CHECK"] } }, admin.token)).updateOrganizationSettings;
      expect(updated.settings.paymentMethods).toEqual(["CASH", "CHECK"]);
    } finally {
      await plain.stop();
    }
  });
});
