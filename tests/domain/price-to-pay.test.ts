/**
 * P1, P2: the price a buyer pays — regular, promotional within its window (inclusive), member
 * price for members, the lowest when several apply — and its VAT split, exact in integer minor
 * units with half-up rounding, whether prices include VAT or not.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { divideHalfUp, splitVat } from "../../src/domain/payments/money.js";
import { type PriceList, priceToPay } from "../../src/domain/payments/price-to-pay.js";

const NOW = new Date("2027-03-10T12:00:00Z");
const list = (overrides: Partial<PriceList> = {}): PriceList => ({
  currency: "EUR",
  price: 10_000,
  promotionalPrice: null,
  promoStartsAt: null,
  promoEndsAt: null,
  memberPrice: null,
  ...overrides,
});
const terms = { now: NOW, isMember: false, vat: null, pricesIncludeVat: true };
const promo = { promotionalPrice: 8_000, promoStartsAt: "2027-03-01T00:00:00Z", promoEndsAt: "2027-03-10T12:00:00Z" };

describe("P2 which price applies", () => {
  it("the regular price without promotion or membership", () => {
    expect(priceToPay(list(), terms)).toMatchObject({ applied: "REGULAR", gross: 10_000, net: 10_000, vat: 0, currency: "EUR" });
  });

  it("the promotional price from its start to its end, both included; the regular one outside", () => {
    expect(priceToPay(list(promo), terms)).toMatchObject({ applied: "PROMO", gross: 8_000 });
    expect(priceToPay(list(promo), { ...terms, now: new Date("2027-03-01T00:00:00Z") }).applied).toBe("PROMO");
    expect(priceToPay(list(promo), { ...terms, now: new Date("2027-03-10T12:00:00.001Z") }).applied).toBe("REGULAR");
    expect(priceToPay(list(promo), { ...terms, now: new Date("2027-02-28T23:59:59Z") }).applied).toBe("REGULAR");
  });

  it("the member price for members only; the lowest applicable price when several apply", () => {
    expect(priceToPay(list({ memberPrice: 9_000 }), terms).applied).toBe("REGULAR");
    expect(priceToPay(list({ memberPrice: 9_000 }), { ...terms, isMember: true })).toMatchObject({ applied: "MEMBER", gross: 9_000 });
    expect(priceToPay(list({ ...promo, memberPrice: 9_000 }), { ...terms, isMember: true })).toMatchObject({ applied: "PROMO", gross: 8_000 });
    expect(priceToPay(list({ ...promo, memberPrice: 7_000 }), { ...terms, isMember: true })).toMatchObject({ applied: "MEMBER", gross: 7_000 });
    expect(priceToPay(list({ ...promo, memberPrice: 8_000 }), { ...terms, isMember: true }).applied).toBe("MEMBER");
  });

  it("never more than the regular price, for anyone at any time (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000_000 }),
        fc.option(fc.integer({ min: 0, max: 10_000_000 })),
        fc.option(fc.integer({ min: 0, max: 10_000_000 })),
        fc.boolean(),
        fc.integer({ min: -40, max: 40 }),
        (price, promotional, member, isMember, day) => {
          const offer = list({
            price,
            promotionalPrice: promotional === null ? null : Math.min(promotional, price - 1),
            promoStartsAt: "2027-03-01T00:00:00Z",
            promoEndsAt: "2027-03-20T00:00:00Z",
            memberPrice: member,
          });
          const now = new Date(Date.parse("2027-03-10T00:00:00Z") + day * 86_400_000);
          const paid = priceToPay(offer, { ...terms, now, isMember }).gross;
          expect(paid).toBeLessThanOrEqual(price);
          if (isMember && member !== null) expect(paid).toBeLessThanOrEqual(member);
        },
      ),
    );
  });
});

describe("P1 VAT in integer minor units, rounded half-up", () => {
  it("a price including VAT is the gross; one excluding it is the net", () => {
    // 100.00 at 21 % included: VAT 17.355… → 17.36.
    expect(splitVat(10_000, 21, true)).toEqual({ net: 8_264, vat: 1_736, gross: 10_000 });
    expect(splitVat(10_000, 21, false)).toEqual({ net: 10_000, vat: 2_100, gross: 12_100 });
    expect(splitVat(10_000, 0, true)).toEqual({ net: 10_000, vat: 0, gross: 10_000 });
  });

  it("rounds the half up: 0.5 of a minor unit becomes one", () => {
    expect(splitVat(50, 1, false)).toEqual({ net: 50, vat: 1, gross: 51 }); // 0.5
    expect(splitVat(49, 1, false).vat).toBe(0); // 0.49
    expect(splitVat(100, 5.5, false).vat).toBe(6); // 5.5
    expect(splitVat(211, 5.5, true).vat).toBe(11); // 11.0000…
    expect(divideHalfUp(5n, 2n)).toBe(3n);
    expect(divideHalfUp(-5n, 2n)).toBe(-3n);
    expect(divideHalfUp(7n, 3n)).toBe(2n);
  });

  it("works in any currency's minor unit: yen have none, dinars three", () => {
    // 1,000 JPY at 10 % included: 90.909… → 91 yen.
    expect(priceToPay(list({ currency: "JPY", price: 1_000 }), { ...terms, vat: { category: "STANDARD", ratePercent: 10 } })).toMatchObject({
      currency: "JPY",
      net: 909,
      vat: 91,
      gross: 1_000,
      vatCategory: "STANDARD",
      vatRatePercent: 10,
    });
    // 12.345 KWD excluding 5 %: 0.61725 → 0.617.
    expect(splitVat(12_345, 5, false)).toEqual({ net: 12_345, vat: 617, gross: 12_962 });
  });

  it("net + VAT = gross, VAT within half a minor unit of the exact rate, whatever the amount and rate (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: Math.floor(Number.MAX_SAFE_INTEGER / 2) }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.boolean(),
        (amount, basisPoints, included) => {
          const { net, vat, gross } = splitVat(amount, basisPoints / 100, included);
          expect(net + vat).toBe(gross);
          expect(vat).toBeGreaterThanOrEqual(0);
          const exactTimes2 = included
            ? (2n * BigInt(amount) * BigInt(basisPoints)) / (10_000n + BigInt(basisPoints))
            : (2n * BigInt(amount) * BigInt(basisPoints)) / 10_000n;
          // 2·vat is within one unit of 2·exact (floor of the doubled exact value).
          expect(BigInt(2 * vat) - exactTimes2).toBeGreaterThanOrEqual(-1n);
          expect(BigInt(2 * vat) - exactTimes2).toBeLessThanOrEqual(2n);
          expect(included ? gross : net).toBe(amount);
        },
      ),
    );
  });
});
