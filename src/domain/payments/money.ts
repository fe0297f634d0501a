/**
 * Money arithmetic on integer minor units (P1): amounts are never floats. VAT is computed on the
 * integer amount and rounded half-up (away from zero for the half) to the currency's minor unit —
 * which, amounts being in minor units already, is a whole number whatever the currency's exponent
 * (JPY has none, KWD three).
 */

/** A VAT rate in basis points: 21 % = 2100, 5.5 % = 550 (rates have at most two decimals). */
export const basisPointsOf = (ratePercent: number): number => Math.round(ratePercent * 100);

/** numerator / denominator rounded half-up, exactly (BigInt: products of large amounts and rates stay exact). */
export function divideHalfUp(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n) throw new RangeError("denominator must be positive");
  const negative = numerator < 0n;
  const magnitude = negative ? -numerator : numerator;
  const rounded = (2n * magnitude + denominator) / (2n * denominator);
  return negative ? -rounded : rounded;
}

export interface VatSplit {
  net: number;
  vat: number;
  gross: number;
}

/**
 * Net, VAT and gross of a price at a rate: a price that includes VAT is the gross (the VAT is the
 * part of it that the rate gives, rounded), one that excludes it is the net (VAT added, rounded).
 * net + vat = gross always.
 */
export function splitVat(amount: number, ratePercent: number, priceIncludesVat: boolean): VatSplit {
  if (!Number.isSafeInteger(amount)) throw new RangeError("amount must be an integer number of minor units");
  const basisPoints = BigInt(basisPointsOf(ratePercent));
  const value = BigInt(amount);
  if (priceIncludesVat) {
    const vat = Number(divideHalfUp(value * basisPoints, 10_000n + basisPoints));
    return { net: amount - vat, vat, gross: amount };
  }
  const vat = Number(divideHalfUp(value * basisPoints, 10_000n));
  return { net: amount, vat, gross: amount + vat };
}
