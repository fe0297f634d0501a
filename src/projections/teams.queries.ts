import type Database from "better-sqlite3";
import { decodeCursor, encodeCursor } from "./cursor.js";
import type { Page } from "./identity.queries.js";
import { lazyCount, prepared } from "./read-model-db.js";

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

  list(organizationId: string, search: string | undefined, first: number, after?: string): Page<TeamRecord> {
    const where = ["t.organization_id = @organizationId"];
    const params: Record<string, unknown> = { organizationId };
    if (search?.trim()) {
      where.push("t.name_key LIKE @search ESCAPE '\\'");
      params.search = `%${search.trim().toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
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

  /** Member ids of many teams in one query. */
  memberIdsByTeamIds(organizationId: string, teamIds: readonly string[]): Map<string, string[]> {
    const rows = prepared(
      this.db,
      `SELECT team_id, user_id FROM team_members
       WHERE organization_id = ? AND team_id IN (SELECT value FROM json_each(?))`,
    ).all(organizationId, JSON.stringify(teamIds)) as { user_id: string; team_id: string }[];
    const byTeam = new Map<string, string[]>(teamIds.map((id) => [id, []]));
    for (const row of rows) byTeam.get(row.team_id)?.push(row.user_id);
    return byTeam;
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
