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

@InputType()
export class SignUpInput {
  @Field(() => ID, { description: "The organization to join (from its public page or session link)" })
  organizationId!: string;

  @Field(() => String)
  email!: string;

  @Field(() => String, { description: "At least 10 characters, mixing letters with digits or symbols" })
  password!: string;

  @Field(() => String)
  displayName!: string;

  @Field(() => String, { nullable: true, description: "ISO 3166-1 alpha-2" })
  country?: string | null;
}

@InputType()
export class RefreshAccessTokenInput {
  @Field(() => String)
  refreshToken!: string;
}

@InputType()
export class AcceptInvitationInput {
  @Field(() => String, { description: "The token from the invitation e-mail's link" })
  token!: string;

  @Field(() => String, { description: "The password the person chooses" })
  password!: string;

  @Field(() => String, { nullable: true, description: "Replaces the name the inviter typed" })
  displayName?: string | null;
}

@InputType()
export class ChangePasswordInput {
  @Field(() => String)
  currentPassword!: string;

  @Field(() => String)
  newPassword!: string;
}
