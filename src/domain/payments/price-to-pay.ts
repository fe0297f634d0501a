import { splitVat, type VatSplit } from "./money.js";

/** Which of an offer's prices a buyer pays (P2). */
export const APPLIED_PRICES = ["REGULAR", "PROMO", "MEMBER"] as const;
export type AppliedPrice = (typeof APPLIED_PRICES)[number];

/** What something sells for, in minor units of `currency` (a session's prices; later an appointment's or a product's). */
export interface PriceList {
  currency: string;
  price: number;
  promotionalPrice: number | null;
  /** The promotion's window, inclusive at both ends (ISO instants). */
  promoStartsAt: string | null;
  promoEndsAt: string | null;
  /** What members of the organization pay, when it differs. */
  memberPrice: number | null;
}

export interface PriceToPay extends VatSplit {
  applied: AppliedPrice;
  currency: string;
  /** The VAT category applied (null: no VAT). */
  vatCategory: string | null;
  vatRatePercent: number;
}

export interface PricingTerms {
  now: Date;
  isMember: boolean;
  /** The price's VAT category and its rate (none: 0 %). */
  vat: { category: string; ratePercent: number } | null;
  /** The organization's setting: prices are entered VAT included (the default) or excluded. */
  pricesIncludeVat: boolean;
}

/**
 * P2: the regular price; the promotional price while now is within its window; the member price
 * for members where one is set. When several apply the buyer pays the lowest (a member never pays
 * more than anyone else; at equal amounts the more particular one is named: MEMBER, then PROMO).
 */
export function priceToPay(list: PriceList, terms: PricingTerms): PriceToPay {
  const candidates: { applied: AppliedPrice; amount: number }[] = [{ applied: "REGULAR", amount: list.price }];
  if (list.promotionalPrice !== null && promotionRuns(list, terms.now)) {
    candidates.push({ applied: "PROMO", amount: list.promotionalPrice });
  }
  if (list.memberPrice !== null && terms.isMember) candidates.push({ applied: "MEMBER", amount: list.memberPrice });
  const best = candidates.reduce((lowest, candidate) => (candidate.amount <= lowest.amount ? candidate : lowest));
  return {
    applied: best.applied,
    currency: list.currency,
    vatCategory: terms.vat?.category ?? null,
    vatRatePercent: terms.vat?.ratePercent ?? 0,
    ...splitVat(best.amount, terms.vat?.ratePercent ?? 0, terms.pricesIncludeVat),
  };
}

function promotionRuns(list: PriceList, now: Date): boolean {
  if (list.promoStartsAt === null || list.promoEndsAt === null) return false;
  const at = now.getTime();
  return Date.parse(list.promoStartsAt) <= at && at <= Date.parse(list.promoEndsAt);
}
