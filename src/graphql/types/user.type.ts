import { Field, Float, ID, Int, ObjectType } from "type-graphql";
import { DateTimeResolver } from "graphql-scalars";
import { PaymentMethod, Role, UserStatus } from "./enums.js";

@ObjectType({ description: "A person of the organization: staff, learner or both" })
export class User {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { description: "Unique in the organization, lower-cased" })
  email!: string;

  @Field(() => String)
  displayName!: string;

  @Field(() => [Role])
  roles!: Role[];

  @Field(() => UserStatus)
  status!: UserStatus;

  @Field(() => String, { nullable: true, description: "ISO 3166-1 alpha-2" })
  country!: string | null;

  @Field(() => Boolean, { description: "Member of the organization (member pricing)" })
  isMember!: boolean;

  @Field(() => Boolean, { description: "False until the person sets a password (invitation)" })
  hasPassword!: boolean;

  @Field(() => DateTimeResolver, { nullable: true, description: "When the pending invitation expires" })
  invitationExpiresAt!: Date | null;

  @Field(() => DateTimeResolver)
  createdAt!: Date;

  @Field(() => DateTimeResolver)
  updatedAt!: Date;
}

@ObjectType()
export class VatCategory {
  @Field(() => String, { description: "e.g. STANDARD" })
  name!: string;

  @Field(() => Float, { description: "Percent, e.g. 21 or 5.5" })
  ratePercent!: number;
}

@ObjectType({ description: "§0: what an ADMIN configures" })
export class OrganizationSettings {
  @Field(() => String, { description: "IANA time zone in which sessions are shown" })
  timezone!: string;

  @Field(() => String, { description: "ISO 4217" })
  defaultCurrency!: string;

  @Field(() => [PaymentMethod])
  paymentMethods!: PaymentMethod[];

  @Field(() => Int, { description: "Clients may cancel alone up to this many hours before start" })
  clientCancellationWindowHours!: number;

  @Field(() => Int, { description: "Reminder e-mails go this many hours before start" })
  reminderLeadTimeHours!: number;

  @Field(() => Boolean)
  accessCodesEnabled!: boolean;

  @Field(() => Boolean)
  personalSessionsEnabled!: boolean;

  @Field(() => [VatCategory])
  vatCategories!: VatCategory[];
}

@ObjectType()
export class Organization {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { description: "IANA time zone in which sessions are shown" })
  timezone!: string;

  @Field(() => String, { description: "Default ISO 4217 currency" })
  currency!: string;

  @Field(() => OrganizationSettings)
  settings!: OrganizationSettings;

  @Field(() => DateTimeResolver)
  createdAt!: Date;
}

@ObjectType()
export class AuthPayload {
  @Field(() => String, { description: "Bearer access token (JWT) for the Authorization header" })
  token!: string;

  @Field(() => DateTimeResolver, { description: "When the access token expires: refresh it before" })
  expiresAt!: Date;

  @Field(() => String, { description: "Single use: refreshAccessToken returns a new one each time" })
  refreshToken!: string;

  @Field(() => DateTimeResolver)
  refreshTokenExpiresAt!: Date;

  @Field(() => User)
  user!: User;

  @Field(() => Organization)
  organization!: Organization;
}
