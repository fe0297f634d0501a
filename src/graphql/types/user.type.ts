import { Field, Float, ID, Int, ObjectType } from "type-graphql";
import { DateTimeResolver } from "graphql-scalars";
import { PaymentMethod, Role, UserStatus } from "./enums.js";
import type { OrganizationAccount, OrganizationSnapshot } from "../../domain/organizations/use-cases.js";
import type { SignInGrant } from "../../domain/sign-ins/use-cases.js";
import type { UserAccount, UserSnapshot } from "../../domain/users/use-cases.js";

/**
 * Marks the account a sign-in answers (signIn, signUp, acceptInvitation…): the caller holding the
 * new tokens is that person, although the request itself carries no token yet.
 */
export const OWN_ACCOUNT = Symbol("the caller's own account");

export const USER_DETAILS = "Staff, the person themself and API keys with people:read; null for everyone else";

@ObjectType({
  description:
    "A person of the organization: staff, learner or both. Whoever may see a user sees its id and displayName; its other fields follow the authorization table (User.*)",
})
export class User {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true, description: `Unique in the organization, lower-cased. ${USER_DETAILS}` })
  email!: string | null;

  @Field(() => String)
  displayName!: string;

  @Field(() => [Role], { nullable: true, description: USER_DETAILS })
  roles!: Role[] | null;

  @Field(() => UserStatus, { nullable: true, description: USER_DETAILS })
  status!: UserStatus | null;

  @Field(() => String, { nullable: true, description: `ISO 3166-1 alpha-2. ${USER_DETAILS}` })
  country!: string | null;

  @Field(() => Boolean, { nullable: true, description: `Member of the organization (member pricing). ${USER_DETAILS}` })
  isMember!: boolean | null;

  @Field(() => Boolean, { nullable: true, description: `False until the person sets a password (invitation). ${USER_DETAILS}` })
  hasPassword!: boolean | null;

  @Field(() => DateTimeResolver, { nullable: true, description: `When the pending invitation expires. ${USER_DETAILS}` })
  invitationExpiresAt!: Date | null;

  @Field(() => DateTimeResolver, { nullable: true, description: USER_DETAILS })
  createdAt!: Date | null;

  @Field(() => DateTimeResolver, { nullable: true, description: USER_DETAILS })
  updatedAt!: Date | null;

  /** Not a field: where the user's relations are read. */
  organizationId!: string;

  [OWN_ACCOUNT]?: true;
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

  @Field(() => Boolean, {
    description: "Prices are entered VAT included (the default: the VAT is the part of them the rate gives) or excluded (VAT added to them)",
  })
  pricesIncludeVat!: boolean;

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

export const toUserView = (user: Omit<UserAccount, "passwordHash">): User => ({
  id: user.id,
  organizationId: user.organizationId,
  email: user.email,
  displayName: user.displayName,
  roles: user.roles,
  status: user.status,
  country: user.country,
  isMember: user.isMember,
  hasPassword: user.hasPassword,
  invitationExpiresAt: user.invitationExpiresAt ? new Date(user.invitationExpiresAt) : null,
  createdAt: new Date(user.createdAt),
  updatedAt: new Date(user.updatedAt),
});

/** The user as a decision left it (the read model has not caught up): `updatedAt` is the answer's time. */
export const userViewOf = ({ user, status }: UserSnapshot, updatedAt: Date): User =>
  toUserView({
    id: user.userId,
    organizationId: user.organizationId,
    email: user.email,
    displayName: user.displayName,
    roles: user.roles,
    status,
    country: user.country,
    isMember: user.isMember,
    hasPassword: user.hasPassword,
    invitationExpiresAt: user.pendingInvitation?.expiresAt ?? null,
    createdAt: user.registeredAt ?? updatedAt.toISOString(),
    updatedAt: updatedAt.toISOString(),
  });

export const toOrganizationView = (organization: OrganizationAccount): Organization => {
  const { settings } = organization;
  return {
    id: organization.id,
    name: organization.name,
    timezone: organization.timezone,
    currency: organization.currency,
    settings: {
      timezone: settings.timezone,
      defaultCurrency: settings.currency,
      paymentMethods: settings.paymentMethods,
      clientCancellationWindowHours: settings.clientCancellationWindowHours,
      reminderLeadTimeHours: settings.reminderLeadTimeHours,
      accessCodesEnabled: settings.accessCodesEnabled,
      personalSessionsEnabled: settings.personalSessionsEnabled,
      pricesIncludeVat: settings.pricesIncludeVat,
      vatCategories: settings.vatCategories,
    },
    createdAt: new Date(organization.createdAt),
  };
};

/** The organization as a decision left it (the read model has not caught up). */
export const organizationViewOf = ({ organizationId, settings, createdAt }: OrganizationSnapshot, now: Date): Organization =>
  toOrganizationView({
    id: organizationId,
    name: settings.name,
    timezone: settings.timezone,
    currency: settings.currency,
    settings,
    createdAt: createdAt ?? now.toISOString(),
  });

/** The tokens of a sign-in, with the account they are for. */
export const toAuthPayload = (grant: SignInGrant): AuthPayload => ({
  token: grant.token,
  expiresAt: grant.expiresAt,
  refreshToken: grant.refreshToken,
  refreshTokenExpiresAt: grant.refreshTokenExpiresAt,
  user: { ...toUserView(grant.user), [OWN_ACCOUNT]: true },
  organization: toOrganizationView(grant.organization),
});
