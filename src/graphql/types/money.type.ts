import { Field, Int, ObjectType } from "type-graphql";

@ObjectType({ description: "An amount in the currency's minor unit (cents), never a float" })
export class Money {
  @Field(() => Int, { description: "Amount in minor units, e.g. 1999 for 19.99 EUR" })
  amount!: number;

  @Field(() => String, { description: "ISO 4217 code" })
  currency!: string;

  @Field(() => String, { description: "Human-readable, e.g. €19.99 (en locale)" })
  formatted!: string;
}

export function money(amount: number | null, currency: string | null): Money | null {
  if (amount === null || currency === null) return null;
  const digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  const formatted = new Intl.NumberFormat("en", { style: "currency", currency }).format(amount / 10 ** digits);
  return { amount, currency, formatted };
}
