import type { OrganizationRecord, UserRecord } from "../../projections/identity.queries.js";
import type { Organization, User } from "./user.type.js";

export const toUserView = (user: UserRecord): User => ({
  id: user.id,
  email: user.email,
  displayName: user.displayName,
  roles: user.roles,
  createdAt: new Date(user.createdAt),
});

export const toOrganizationView = (organization: OrganizationRecord): Organization => ({
  id: organization.id,
  name: organization.name,
  timezone: organization.timezone,
  currency: organization.currency,
  createdAt: new Date(organization.createdAt),
});
