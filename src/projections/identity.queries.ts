import type Database from "better-sqlite3";
import type { OrganizationSettings } from "../domain/organizations/settings.js";
import type { User } from "../domain/users/decider.js";
import type { UserAccount } from "../domain/users/use-cases.js";
import type { OrganizationAccount } from "../domain/organizations/use-cases.js";
import type { Role, UserStatus } from "../domain/users/user.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import { lazyCount, lazyTotals, pagesByParent, prepared } from "./read-model-db.js";

/** A user as the read model holds it: the account the users context reads, with its row's revision and cursor. */
export interface UserRecord extends UserAccount {
  revision: number;
  cursor: string;
}

export type OrganizationRecord = OrganizationAccount;

export interface UserFilter {
  roles?: Role[];
  statuses?: UserStatus[];
  isMember?: boolean;
  teamId?: string;
  /** Words searched in name and e-mail. */
  search?: string;
}

export interface Page<T> {
  records: T[];
  /** Counted only when asked for (a count over a large organization costs more than the page). */
  totalCount: () => number;
  hasNextPage: boolean;
}

type UserRow = {
  id: string;
  organization_id: string;
  email: string;
  display_name: string;
  name_key: string;
  roles: string;
  status: UserStatus;
  password_hash: string | null;
  state: string;
  created_at: string;
  updated_at: string;
  revision: number;
};

export class IdentityQueries {
  constructor(private readonly db: Database.Database) {}

  /** Every account with this e-mail (one per organization at most). */
  usersByEmail(email: string): UserRecord[] {
    const rows = prepared(this.db, "SELECT * FROM users WHERE email = ? ORDER BY created_at").all(
      email.trim().toLowerCase(),
    ) as UserRow[];
    return rows.map(toUser);
  }

  userByEmail(organizationId: string, email: string): UserRecord | null {
    const row = prepared(this.db, "SELECT * FROM users WHERE organization_id = ? AND email = ?").get(
      organizationId,
      email.trim().toLowerCase(),
    ) as UserRow | undefined;
    return row ? toUser(row) : null;
  }

  /** A user by id whatever the organization (invitation links carry only the user id). */
  userById(id: string): UserRecord | null {
    const row = prepared(this.db, "SELECT * FROM users WHERE id = ?").get(id) as UserRow | undefined;
    return row ? toUser(row) : null;
  }

  usersByIds(organizationId: string, ids: readonly string[]): Map<string, UserRecord> {
    const rows = prepared(
      this.db,
      // `+` keeps SQLite on the primary key: the organization index would scan all its users.
      "SELECT * FROM users WHERE +organization_id = ? AND id IN (SELECT value FROM json_each(?))",
    ).all(organizationId, JSON.stringify(ids)) as UserRow[];
    return new Map(rows.map((row) => [row.id, toUser(row)]));
  }

  /** Users ordered by name, keyset-paginated. */
  listUsers(organizationId: string, filter: UserFilter, first: number, after?: string): Page<UserRecord> {
    const where = ["organization_id = @organizationId"];
    const params: Record<string, unknown> = { organizationId };
    if (filter.roles?.length) {
      where.push("EXISTS (SELECT 1 FROM json_each(users.roles) r WHERE r.value IN (SELECT value FROM json_each(@roles)))");
      params.roles = JSON.stringify(filter.roles);
    }
    if (filter.statuses?.length) {
      where.push("status IN (SELECT value FROM json_each(@statuses))");
      params.statuses = JSON.stringify(filter.statuses);
    }
    if (filter.isMember !== undefined) {
      where.push("json_extract(state, '$.isMember') = @isMember");
      params.isMember = filter.isMember ? 1 : 0;
    }
    if (filter.teamId) {
      where.push("id IN (SELECT user_id FROM team_members WHERE team_id = @teamId AND organization_id = @organizationId)");
      params.teamId = filter.teamId;
    }
    const words = (filter.search ?? "").toLowerCase().split(/\s+/).filter(Boolean).slice(0, 20);
    words.forEach((word, i) => {
      where.push(`(name_key LIKE @word${i} ESCAPE '\\' OR email LIKE @word${i} ESCAPE '\\')`);
      params[`word${i}`] = `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    });
    const totalCount = lazyCount(this.db, `SELECT count(*) AS n FROM users WHERE ${where.join(" AND ")}`, params);
    if (after) {
      const [key, id] = decodeCursor(after, "NAME");
      where.push("(name_key > @afterKey OR (name_key = @afterKey AND id > @afterId))");
      Object.assign(params, { afterKey: key, afterId: id });
    }
    const rows = this.db
      .prepare(`SELECT * FROM users WHERE ${where.join(" AND ")} ORDER BY name_key, id LIMIT @limit`)
      .all({ ...params, limit: first + 1 }) as UserRow[];
    return { records: rows.slice(0, first).map(toUser), totalCount, hasNextPage: rows.length > first };
  }

  /** The first page of each team's members, ordered by name, in one query (DataLoader batches land here). */
  firstMemberPages(organizationId: string, teamIds: readonly string[], first: number): Map<string, Page<UserRecord>> {
    const params = { organizationId, teamIds: JSON.stringify(teamIds) };
    const rows = prepared(
      this.db,
      `SELECT * FROM (
         SELECT u.*, m.team_id AS parent_id, ROW_NUMBER() OVER (PARTITION BY m.team_id ORDER BY u.name_key, u.id) AS rank
         FROM team_members m JOIN users u ON u.id = m.user_id
         WHERE m.organization_id = @organizationId AND m.team_id IN (SELECT value FROM json_each(@teamIds))
       ) WHERE rank <= @limit ORDER BY parent_id, rank`,
    ).all({ ...params, limit: first + 1 }) as (UserRow & { parent_id: string })[];
    const totals = lazyTotals(
      this.db,
      `SELECT m.team_id AS parent_id, count(*) AS total FROM team_members m JOIN users u ON u.id = m.user_id
       WHERE m.organization_id = @organizationId AND m.team_id IN (SELECT value FROM json_each(@teamIds)) GROUP BY m.team_id`,
      params,
    );
    return pagesByParent(teamIds, rows, first, toUser, totals);
  }

  /** The caller behind an access token, and whether its sign-in has ended, in one statement. */
  tokenHolder(userId: string, signInId: string | null): { user: UserRecord; signInEnded: boolean } | null {
    const row = prepared(
      this.db,
      "SELECT u.*, (SELECT s.ended_at FROM sign_ins s WHERE s.id = ?) AS sign_in_ended_at FROM users u WHERE u.id = ?",
    ).get(signInId, userId) as (UserRow & { sign_in_ended_at: string | null }) | undefined;
    return row ? { user: toUser(row), signInEnded: row.sign_in_ended_at !== null } : null;
  }

  organization(id: string): OrganizationRecord | null {
    const row = prepared(this.db, "SELECT * FROM organizations WHERE id = ?").get(id) as
      | { id: string; name: string; timezone: string; currency: string; settings: string; created_at: string }
      | undefined;
    return row
      ? {
          id: row.id,
          name: row.name,
          timezone: row.timezone,
          currency: row.currency,
          settings: JSON.parse(row.settings) as OrganizationSettings,
          createdAt: row.created_at,
        }
      : null;
  }
}

function toUser(row: UserRow): UserRecord {
  const state = JSON.parse(row.state) as User;
  return {
    id: row.id,
    organizationId: row.organization_id,
    email: row.email,
    displayName: row.display_name,
    roles: JSON.parse(row.roles) as Role[],
    status: row.status,
    country: state.country,
    isMember: state.isMember,
    hasPassword: state.hasPassword,
    invitationExpiresAt: state.pendingInvitation?.expiresAt ?? null,
    passwordHash: row.password_hash,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    revision: Number(row.revision),
    cursor: encodeCursor("NAME", row.name_key, row.id),
  };
}
