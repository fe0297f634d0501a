import { Field, Float, InputType, Int } from "type-graphql";
import { PaymentMethod } from "../types/enums.js";
import { IDEMPOTENCY } from "./session.input.js";

@InputType()
export class VatCategoryInput {
  @Field(() => String)
  name!: string;

  @Field(() => Float, { description: "Percent, at most two decimals" })
  ratePercent!: number;
}

@InputType({ description: "Omitted fields stay as they are" })
export class UpdateOrganizationSettingsInput {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true })
  timezone?: string | null;

  @Field(() => String, { nullable: true })
  defaultCurrency?: string | null;

  @Field(() => [PaymentMethod], { nullable: true })
  paymentMethods?: PaymentMethod[] | null;

  @Field(() => Int, { nullable: true })
  clientCancellationWindowHours?: number | null;

  @Field(() => Int, { nullable: true })
  reminderLeadTimeHours?: number | null;

  @Field(() => Boolean, { nullable: true })
  accessCodesEnabled?: boolean | null;

  @Field(() => Boolean, { nullable: true })
  personalSessionsEnabled?: boolean | null;

  @Field(() => Boolean, { nullable: true, description: "Prices are entered VAT included (true) or excluded (false)" })
  pricesIncludeVat?: boolean | null;

  @Field(() => [VatCategoryInput], { nullable: true, description: "Replaces the whole list" })
  vatCategories?: VatCategoryInput[] | null;

  @Field(() => String, IDEMPOTENCY)
  idempotencyKey?: string | null;
}
