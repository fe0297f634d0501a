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

const formatters = new Map<string, { format: Intl.NumberFormat; minorUnitsPerUnit: number }>();

/** One formatter per currency: building an Intl.NumberFormat costs more than formatting with it. */
function formatterFor(currency: string) {
  let formatter = formatters.get(currency);
  if (!formatter) {
    const format = new Intl.NumberFormat("en", { style: "currency", currency });
    formatter = { format, minorUnitsPerUnit: 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2) };
    formatters.set(currency, formatter);
  }
  return formatter;
}

export function money(amount: number | null, currency: string | null): Money | null {
  if (amount === null || currency === null) return null;
  const { format, minorUnitsPerUnit } = formatterFor(currency);
  return { amount, currency, formatted: format.format(amount / minorUnitsPerUnit) };
}
