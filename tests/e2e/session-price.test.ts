/**
 * P1, P2 through the API: `Session.priceToPay` for the caller — REGULAR, PROMO within its period
 * (relative to the server's clock), MEMBER for members — with net, VAT and gross from the session's
 * VAT category and the organization's `pricesIncludeVat` setting; right in currencies without or
 * with three decimals. A VAT category the organization does not define is BAD_USER_INPUT and
 * writes nothing; a price without a currency takes the organization's default.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createReadySession } from "../support/session-setup.js";
import { DAY } from "../support/test-clock.js";
import { addMember, createOrganization, type Member, ok, refused, startTestServer, type TestServer } from "../support/test-server.js";

const MONEY = "amount currency formatted";
const PRICE_TO_PAY = `applied net { ${MONEY} } vat { ${MONEY} } gross { ${MONEY} } vatCategory vatRatePercent`;
const SESSION = `query ($id: ID!) { session(id: $id) { id currency price { ${MONEY} } memberPrice { ${MONEY} } vatCategory priceToPay { ${PRICE_TO_PAY} } } }`;
const EDIT = `mutation ($input: EditSessionDetailsInput!) { editSessionDetails(input: $input) { id currency vatCategory price { amount currency } memberPrice { amount } } }`;
const PLAN = `mutation ($input: ChangeSessionStatusInput!) { planSession(input: $input) { id } }`;
const SETTINGS = `mutation ($input: UpdateOrganizationSettingsInput!) { updateOrganizationSettings(input: $input) { settings { pricesIncludeVat vatCategories { name ratePercent } } } }`;
const UPDATE_USER = `mutation ($input: UpdateUserInput!) { updateUser(input: $input) { id isMember } }`;

let test: TestServer;
let admin: Awaited<ReturnType<typeof createOrganization>>;
let member: Member;
let nonMember: Member;
let sessionId: string;

const priceFor = async (token: string, id = sessionId) => ok(await test.gql(SESSION, { id }, token)).session.priceToPay;
const edit = (changes: Record<string, unknown>, id = sessionId) => test.gql(EDIT, { input: { sessionId: id, ...changes } }, admin.token);

beforeAll(async () => {
  test = await startTestServer();
  admin = await createOrganization(test, { currency: "EUR" });
  ok(await test.gql(SETTINGS, { input: { vatCategories: [{ name: "Standard", ratePercent: 21 }, { name: "REDUCED", ratePercent: 5.5 }] } }, admin.token));
  [member, nonMember] = await Promise.all([addMember(test, admin.token, ["LEARNER"]), addMember(test, admin.token, ["LEARNER"])]);
  ok(await test.gql(UPDATE_USER, { input: { userId: member.userId, isMember: true } }, admin.token));
  sessionId = await createReadySession(test, admin.token, { name: "Priced day" });
  ok(await test.gql(PLAN, { input: { sessionId } }, admin.token));
});
afterAll(() => test.stop());

describe("P1 prices, currencies and VAT categories", () => {
  it("a price without a currency is in the organization's default currency; a VAT category is matched whatever its case", async () => {
    const edited = ok(await edit({ price: 10_000, vatCategory: "standard" })).editSessionDetails;
    expect(edited).toMatchObject({ currency: "EUR", vatCategory: "STANDARD", price: { amount: 10_000, currency: "EUR" } });
  });

  it("a VAT category the organization does not define is BAD_USER_INPUT naming the categories, and writes nothing", async () => {
    const head = await test.app.store.headPosition();
    const refusal = refused(await edit({ vatCategory: "LUXURY" }));
    expect(refusal).toMatchObject({ code: "BAD_USER_INPUT", extensions: { field: "vatCategory" } });
    expect(refusal.message).toMatch(/STANDARD, REDUCED/);
    const created = refused(
      await test.gql(`mutation ($input: CreateSessionInput!) { createSession(input: $input) { id } }`, { input: { name: "Lux", vatCategory: "LUXURY" } }, admin.token),
    );
    expect(created.extensions.field).toBe("vatCategory");
    expect(await test.app.store.headPosition()).toBe(head);
    expect(ok(await test.gql(SESSION, { id: sessionId }, admin.token)).session.vatCategory).toBe("STANDARD");
  });

  it("a member price must be lower than the price and needs one", async () => {
    expect(refused(await edit({ memberPrice: 10_000 })).extensions.field).toBe("memberPrice");
    const free = await createReadySession(test, admin.token, { name: "Free day" });
    expect(refused(await edit({ memberPrice: 500 }, free)).extensions.field).toBe("memberPrice");
  });
});

describe("P2 the price to pay", () => {
  it("REGULAR: the price, VAT included by default (21 % of 100.00 included is 17.36)", async () => {
    expect(await priceFor(nonMember.token)).toEqual({
      applied: "REGULAR",
      net: { amount: 8_264, currency: "EUR", formatted: "€82.64" },
      vat: { amount: 1_736, currency: "EUR", formatted: "€17.36" },
      gross: { amount: 10_000, currency: "EUR", formatted: "€100.00" },
      vatCategory: "STANDARD",
      vatRatePercent: 21,
    });
  });

  it("PROMO while the server's now is within the promotion, REGULAR before and after it", async () => {
    const now = test.clock.now().getTime();
    const promo = { promotionalPrice: 8_000, promoStartsAt: new Date(now - DAY).toISOString(), promoEndsAt: new Date(now + DAY).toISOString() };
    ok(await edit(promo));
    expect(await priceFor(nonMember.token)).toMatchObject({ applied: "PROMO", gross: { amount: 8_000 } });
    ok(await edit({ promoStartsAt: new Date(now + DAY).toISOString(), promoEndsAt: new Date(now + 2 * DAY).toISOString() }));
    expect(await priceFor(nonMember.token)).toMatchObject({ applied: "REGULAR", gross: { amount: 10_000 } });
    ok(await edit({ promoStartsAt: new Date(now - 2 * DAY).toISOString(), promoEndsAt: new Date(now - DAY).toISOString() }));
    expect(await priceFor(nonMember.token)).toMatchObject({ applied: "REGULAR" });
    ok(await edit({ promotionalPrice: null, promoStartsAt: null, promoEndsAt: null }));
  });

  it("MEMBER for members only, and the lowest price when a promotion is lower still", async () => {
    const edited = ok(await edit({ memberPrice: 9_000 })).editSessionDetails;
    expect(edited.memberPrice).toEqual({ amount: 9_000 });
    expect(await priceFor(member.token)).toMatchObject({ applied: "MEMBER", gross: { amount: 9_000 }, vat: { amount: 1_562 } });
    expect(await priceFor(nonMember.token)).toMatchObject({ applied: "REGULAR", gross: { amount: 10_000 } });
    // An API key is nobody's membership.
    expect(await priceFor(admin.token)).toMatchObject({ applied: "REGULAR" });
    const now = test.clock.now().getTime();
    ok(await edit({ promotionalPrice: 7_000, promoStartsAt: new Date(now - DAY).toISOString(), promoEndsAt: new Date(now + DAY).toISOString() }));
    expect(await priceFor(member.token)).toMatchObject({ applied: "PROMO", gross: { amount: 7_000 } });
    ok(await edit({ promotionalPrice: null, promoStartsAt: null, promoEndsAt: null, memberPrice: null }));
  });

  it("with prices entered VAT excluded, the VAT is added: 100.00 + 21 % = 121.00", async () => {
    ok(await test.gql(SETTINGS, { input: { pricesIncludeVat: false } }, admin.token));
    try {
      expect(await priceFor(nonMember.token)).toMatchObject({
        net: { amount: 10_000 },
        vat: { amount: 2_100 },
        gross: { amount: 12_100, formatted: "€121.00" },
      });
    } finally {
      ok(await test.gql(SETTINGS, { input: { pricesIncludeVat: true } }, admin.token));
    }
  });

  it("in yen (no minor unit) and in Kuwaiti dinars (three), amounts and their display are right", async () => {
    ok(await edit({ currency: "JPY", price: 1_000, vatCategory: "REDUCED" }));
    expect(await priceFor(nonMember.token)).toMatchObject({
      net: { amount: 948, formatted: "¥948" },
      vat: { amount: 52, formatted: "¥52" },
      gross: { amount: 1_000, currency: "JPY", formatted: "¥1,000" },
      vatRatePercent: 5.5,
    });
    ok(await edit({ currency: "KWD", price: 12_345 }));
    expect(await priceFor(nonMember.token)).toMatchObject({ vat: { amount: 644 }, gross: { amount: 12_345, formatted: expect.stringMatching(/^KWD\s12\.345$/) } });
    ok(await edit({ currency: "EUR", price: 10_000, vatCategory: "STANDARD" }));
  });

  it("a free session has no price to pay; without a VAT category the VAT is 0", async () => {
    const free = await createReadySession(test, admin.token, { name: "Free again" });
    expect(await priceFor(admin.token, free)).toBeNull();
    ok(await edit({ price: 2_500 }, free));
    expect(await priceFor(admin.token, free)).toMatchObject({ net: { amount: 2_500 }, vat: { amount: 0 }, vatCategory: null, vatRatePercent: 0 });
  });
});
