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

  @Field(() => String, {
    nullable: true,
    description:
      "Send the same key when retrying: one organization is created per key and admin e-mail; a retry with the same password answers it again (with a new sign-in), any other password is refused as for an existing account",
  })
  idempotencyKey?: string | null;
}

@InputType()
export class SignInInput {
  @Field(() => String)
  email!: string;

  @Field(() => String)
  password!: string;

  @Field(() => ID, { nullable: true, description: "Needed only when the e-mail belongs to several organizations" })
  organizationId?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      "Accepted for a uniform API; it changes nothing: each sign-in checks the password and starts a new sign-in",
  })
  idempotencyKey?: string | null;
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

  @Field(() => String, {
    nullable: true,
    description:
      "Send the same key when retrying: one account is created per key and e-mail; a retry with the same password answers it again (with a new sign-in), any other password is refused (ALREADY_EXISTS)",
  })
  idempotencyKey?: string | null;
}

@InputType()
export class RefreshAccessTokenInput {
  @Field(() => String)
  refreshToken!: string;

  @Field(() => String, {
    nullable: true,
    description:
      "Accepted for a uniform API; it changes nothing: a refresh token works once, so a retry with the same token ends the sign-in: sign in again",
  })
  idempotencyKey?: string | null;
}

@InputType()
export class AcceptInvitationInput {
  @Field(() => String, { description: "The token from the invitation e-mail's link" })
  token!: string;

  @Field(() => String, { description: "The password the person chooses" })
  password!: string;

  @Field(() => String, { nullable: true, description: "Replaces the name the inviter typed" })
  displayName?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      "Accepted for a uniform API; it changes nothing: an invitation works once, so a retry after success is refused (INVALID_INVITATION, reason USED): sign in with the chosen password",
  })
  idempotencyKey?: string | null;
}

@InputType()
export class ChangePasswordInput {
  @Field(() => String)
  currentPassword!: string;

  @Field(() => String)
  newPassword!: string;

  @Field(() => String, {
    nullable: true,
    description:
      "Send the same key when retrying: a retry whose new password is already the current one answers true and changes nothing (without a key it is refused, the current password having changed)",
  })
  idempotencyKey?: string | null;
}

@InputType()
export class SignOutInput {
  @Field(() => String, {
    nullable: true,
    description:
      "Accepted for a uniform API; it changes nothing: signing out twice is harmless, but a retry after success presents a token that no longer works (UNAUTHENTICATED)",
  })
  idempotencyKey?: string | null;
}
