import type Database from "better-sqlite3";
import { decodeCursor, encodeCursor } from "./cursor.js";
import type { Page } from "./identity.queries.js";
import { lazyCount, lazyTotals, pagesByParent, prepared } from "./read-model-db.js";

export interface TeamRecord {
  id: string;
  organizationId: string;
  name: string;
  memberCount: number;
  createdAt: string;
  revision: number;
  cursor: string;
}

type TeamRow = {
  id: string;
  organization_id: string;
  name: string;
  name_key: string;
  created_at: string;
  revision: number;
  member_count: number;
};

export interface TeamFilter {
  /** Part of the team's name. */
  search?: string;
  /** Only the teams this user belongs to. */
  memberId?: string;
}

const SELECT_TEAM = `SELECT t.*, (SELECT count(*) FROM team_members m WHERE m.team_id = t.id) AS member_count FROM teams t`;

export class TeamQueries {
  constructor(private readonly db: Database.Database) {}

  byIds(organizationId: string, ids: readonly string[]): Map<string, TeamRecord> {
    const rows = prepared(
      this.db,
      `${SELECT_TEAM} WHERE +t.organization_id = ? AND t.id IN (SELECT value FROM json_each(?))`,
    ).all(organizationId, JSON.stringify(ids)) as TeamRow[];
    return new Map(rows.map((row) => [row.id, toTeam(row)]));
  }

  /** Teams ordered by name, keyset-paginated: those whose name has `search`, those `memberId` belongs to. */
  list(organizationId: string, filter: TeamFilter, first: number, after?: string): Page<TeamRecord> {
    const where = ["t.organization_id = @organizationId"];
    const params: Record<string, unknown> = { organizationId };
    const search = filter.search?.trim();
    if (search) {
      where.push("t.name_key LIKE @search ESCAPE '\\'");
      params.search = `%${search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    }
    if (filter.memberId) {
      where.push("t.id IN (SELECT team_id FROM team_members WHERE user_id = @memberId AND organization_id = @organizationId)");
      params.memberId = filter.memberId;
    }
    const totalCount = lazyCount(this.db, `SELECT count(*) AS n FROM teams t WHERE ${where.join(" AND ")}`, params);
    if (after) {
      const [key, id] = decodeCursor(after, "NAME");
      where.push("(t.name_key > @afterKey OR (t.name_key = @afterKey AND t.id > @afterId))");
      Object.assign(params, { afterKey: key, afterId: id });
    }
    const rows = this.db
      .prepare(`${SELECT_TEAM} WHERE ${where.join(" AND ")} ORDER BY t.name_key, t.id LIMIT @limit`)
      .all({ ...params, limit: first + 1 }) as TeamRow[];
    return { records: rows.slice(0, first).map(toTeam), totalCount, hasNextPage: rows.length > first };
  }

  /** The first page of each user's teams, ordered by name, in one query (DataLoader batches land here). */
  firstTeamPages(organizationId: string, userIds: readonly string[], first: number): Map<string, Page<TeamRecord>> {
    const params = { organizationId, userIds: JSON.stringify(userIds) };
    const rows = prepared(
      this.db,
      `SELECT * FROM (
         SELECT t.*, (SELECT count(*) FROM team_members c WHERE c.team_id = t.id) AS member_count, m.user_id AS parent_id,
           ROW_NUMBER() OVER (PARTITION BY m.user_id ORDER BY t.name_key, t.id) AS rank
         FROM team_members m JOIN teams t ON t.id = m.team_id
         WHERE m.organization_id = @organizationId AND m.user_id IN (SELECT value FROM json_each(@userIds))
       ) WHERE rank <= @limit ORDER BY parent_id, rank`,
    ).all({ ...params, limit: first + 1 }) as (TeamRow & { parent_id: string })[];
    const totals = lazyTotals(
      this.db,
      `SELECT user_id AS parent_id, count(*) AS total FROM team_members
       WHERE organization_id = @organizationId AND user_id IN (SELECT value FROM json_each(@userIds)) GROUP BY user_id`,
      params,
    );
    return pagesByParent(userIds, rows, first, toTeam, totals);
  }

  /** Team ids of many users in one query (DataLoader batches land here). */
  teamIdsByUserIds(organizationId: string, userIds: readonly string[]): Map<string, string[]> {
    const rows = prepared(
      this.db,
      `SELECT user_id, team_id FROM team_members
       WHERE organization_id = ? AND user_id IN (SELECT value FROM json_each(?)) ORDER BY team_id`,
    ).all(organizationId, JSON.stringify(userIds)) as { user_id: string; team_id: string }[];
    const byUser = new Map<string, string[]>(userIds.map((id) => [id, []]));
    for (const row of rows) byUser.get(row.user_id)?.push(row.team_id);
    return byUser;
  }
}

function toTeam(row: TeamRow): TeamRecord {
  return {
    id: row.id,
    organizationId: row.organization_id,
    name: row.name,
    memberCount: Number(row.member_count),
    createdAt: row.created_at,
    revision: Number(row.revision),
    cursor: encodeCursor("NAME", row.name_key, row.id),
  };
}
