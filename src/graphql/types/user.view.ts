import type { OrganizationRecord, UserRecord } from "../../projections/identity.queries.js";
import type { Organization, User } from "./user.type.js";

export const toUserView = (user: UserRecord): User => ({
  id: user.id,
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

export const toOrganizationView = (organization: OrganizationRecord): Organization => {
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
      vatCategories: settings.vatCategories,
    },
    createdAt: new Date(organization.createdAt),
  };
};
