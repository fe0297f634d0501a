import { Field, Float, ObjectType } from "type-graphql";
import type { PriceToPay as DomainPriceToPay } from "../../domain/payments/price-to-pay.js";
import { AppliedPrice } from "./enums.js";
import { Money, money } from "./money.type.js";

@ObjectType({
  description:
    "What the caller pays (P2): the price that applies to them now, with its VAT. Amounts in minor units, VAT rounded half-up to the currency's minor unit; net + vat = gross",
})
export class PriceToPay {
  @Field(() => AppliedPrice)
  applied!: AppliedPrice;

  @Field(() => Money, { description: "Without VAT" })
  net!: Money;

  @Field(() => Money)
  vat!: Money;

  @Field(() => Money, { description: "What is paid" })
  gross!: Money;

  @Field(() => String, { nullable: true, description: "The VAT category applied; null: no VAT" })
  vatCategory!: string | null;

  @Field(() => Float, { description: "Percent, e.g. 21 or 5.5; 0 without a VAT category" })
  vatRatePercent!: number;
}

export const toPriceToPayView = (price: DomainPriceToPay): PriceToPay => ({
  applied: price.applied,
  net: money(price.net, price.currency)!,
  vat: money(price.vat, price.currency)!,
  gross: money(price.gross, price.currency)!,
  vatCategory: price.vatCategory,
  vatRatePercent: price.vatRatePercent,
});
