import { Field, ID, InputType } from "type-graphql";

@InputType()
export class CreateOrganizationInput {
  @Field(() => String)
  name!: string;

  @Field(() => String, { description: "IANA time zone, e.g. Europe/Brussels" })
  timezone!: string;

  @Field(() => String, { description: "ISO 4217 default currency, e.g. EUR" })
  currency!: string;

  @Field(() => String)
  adminEmail!: string;

  @Field(() => String, { nullable: true, description: "Defaults to the part of the e-mail before @" })
  adminName?: string | null;

  @Field(() => String, { description: "At least 10 characters, mixing letters with digits or symbols" })
  password!: string;
}

@InputType()
export class SignInInput {
  @Field(() => String)
  email!: string;

  @Field(() => String)
  password!: string;

  @Field(() => ID, { nullable: true, description: "Needed only when the e-mail belongs to several organizations" })
  organizationId?: string | null;
}
