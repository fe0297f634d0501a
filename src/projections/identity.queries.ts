import type Database from "better-sqlite3";
import type { Role } from "../domain/users/user.js";
import { prepared } from "./read-model-db.js";

export interface UserRecord {
  id: string;
  organizationId: string;
  email: string;
  displayName: string;
  roles: Role[];
  passwordHash: string;
  createdAt: string;
}

export interface OrganizationRecord {
  id: string;
  name: string;
  timezone: string;
  currency: string;
  createdAt: string;
}

type UserRow = {
  id: string;
  organization_id: string;
  email: string;
  display_name: string;
  roles: string;
  password_hash: string;
  created_at: string;
};

export class IdentityQueries {
  constructor(private readonly db: Database.Database) {}

  /** Every account with this e-mail (one per organization at most). */
  usersByEmail(email: string): UserRecord[] {
    const rows = prepared(this.db, "SELECT * FROM users WHERE email = ? ORDER BY created_at").all(
      email.toLowerCase(),
    ) as UserRow[];
    return rows.map(toUser);
  }

  usersByIds(organizationId: string, ids: readonly string[]): Map<string, UserRecord> {
    const rows = prepared(
      this.db,
      "SELECT * FROM users WHERE organization_id = ? AND id IN (SELECT value FROM json_each(?))",
    ).all(organizationId, JSON.stringify(ids)) as UserRow[];
    return new Map(rows.map((row) => [row.id, toUser(row)]));
  }

  organization(id: string): OrganizationRecord | null {
    const row = prepared(this.db, "SELECT * FROM organizations WHERE id = ?").get(id) as
      | { id: string; name: string; timezone: string; currency: string; created_at: string }
      | undefined;
    return row ? { id: row.id, name: row.name, timezone: row.timezone, currency: row.currency, createdAt: row.created_at } : null;
  }
}

function toUser(row: UserRow): UserRecord {
  return {
    id: row.id,
    organizationId: row.organization_id,
    email: row.email,
    displayName: row.display_name,
    roles: JSON.parse(row.roles) as Role[],
    passwordHash: row.password_hash,
    createdAt: row.created_at,
  };
}
