import type Database from "better-sqlite3";
import { LEARNER_VISIBLE_STATUSES, type SessionVisibility } from "../domain/access/session-visibility.js";
import type { Session } from "../domain/sessions/decider.js";
import type { SessionFormatKind, SessionMode, SessionStatus } from "../domain/sessions/values.js";
import { ValidationError } from "../domain/shared/errors.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import { lazyCount, prepared } from "./read-model-db.js";

export interface SessionFilter {
  statuses?: SessionStatus[];
  modes?: SessionMode[];
  formats?: SessionFormatKind[];
  categories?: string[];
  languages?: string[];
  assigneeIds?: string[];
  /** Inclusive lower bound of startsAt (UTC ISO). */
  startsFrom?: string;
  /** Exclusive upper bound of startsAt (UTC ISO). */
  startsBefore?: string;
  /** Words searched in name and summary, case-insensitively. */
  search?: string;
}

export type SessionOrderField = "START" | "NAME" | "CREATED";
export type SortDirection = "ASC" | "DESC";

export interface SessionCounts {
  registered: number;
  waitlisted: number;
  attended: number;
}

export interface SessionRecord {
  session: Session;
  counts: SessionCounts;
  revision: bigint;
  updatedAt: string;
  cursor: string;
}

export interface SessionPage {
  records: SessionRecord[];
  /** Counted only when asked for (a count over a large organization costs more than the page). */
  totalCount: () => number;
  hasNextPage: boolean;
}

const ORDER_COLUMN: Record<SessionOrderField, string> = {
  START: "start_key",
  NAME: "name_key",
  CREATED: "created_at",
};

export const MAX_SEARCH_WORDS = 20;

type Row = {
  id: string;
  state: string;
  revision: bigint;
  updated_at: string;
  sort_key: string;
  registered_count: bigint;
  waitlisted_count: bigint;
  attended_count: bigint;
};

const COLUMNS = "id, state, revision, updated_at, registered_count, waitlisted_count, attended_count";

export class SessionQueries {
  constructor(private readonly db: Database.Database) {}

  byId(organizationId: string, id: string): SessionRecord | null {
    return this.byIds(organizationId, [id]).get(id) ?? null;
  }

  /** One query for many ids (DataLoader batches land here). */
  byIds(organizationId: string, ids: readonly string[]): Map<string, SessionRecord> {
    if (ids.length === 0) return new Map();
    const rows = prepared(
      this.db,
      `SELECT ${COLUMNS}, created_at AS sort_key FROM sessions
       WHERE +organization_id = ? AND id IN (SELECT value FROM json_each(?))`,
    )
      .safeIntegers(true)
      .all(organizationId, JSON.stringify(ids)) as Row[];
    return new Map(rows.map((row) => [row.id, toRecord(row, "CREATED")]));
  }

  list(
    organizationId: string,
    visibility: SessionVisibility,
    filter: SessionFilter,
    order: { field: SessionOrderField; direction: SortDirection },
    first: number,
    after?: string,
  ): SessionPage {
    const where = ["organization_id = @organizationId"];
    const params: Record<string, unknown> = { organizationId };
    if (visibility.kind === "AUDIENCE") {
      where.push(`status IN (SELECT value FROM json_each(@visibleStatuses))`);
      where.push(`(mode = 'PUBLIC' OR id IN (SELECT session_id FROM session_targets
        WHERE (kind = 'USER' AND value = @viewerId) OR (kind = 'EMAIL' AND value = @viewerEmail)
          OR (kind = 'TEAM' AND value IN (SELECT value FROM json_each(@viewerTeamIds)))))`);
      Object.assign(params, {
        visibleStatuses: JSON.stringify(LEARNER_VISIBLE_STATUSES),
        viewerId: visibility.userId,
        viewerEmail: visibility.email.toLowerCase(),
        viewerTeamIds: JSON.stringify(visibility.teamIds),
      });
    }
    const anyOf = (column: string, name: string, values: readonly string[] | undefined) => {
      if (!values || values.length === 0) return;
      where.push(`${column} IN (SELECT value FROM json_each(@${name}))`);
      params[name] = JSON.stringify(values);
    };
    anyOf("status", "statuses", filter.statuses);
    anyOf("mode", "modes", filter.modes);
    anyOf("format_kind", "formats", filter.formats);
    anyOf("category", "categories", filter.categories);
    anyOf("language", "languages", filter.languages);
    anyOf("assignee_id", "assigneeIds", filter.assigneeIds);
    if (filter.startsFrom) {
      where.push("starts_at >= @startsFrom");
      params.startsFrom = filter.startsFrom;
    }
    if (filter.startsBefore) {
      where.push("starts_at < @startsBefore");
      params.startsBefore = filter.startsBefore;
    }
    const words = (filter.search ?? "").toLowerCase().split(/\s+/).filter(Boolean);
    if (words.length > MAX_SEARCH_WORDS) {
      throw new ValidationError("filter.search", `must have at most ${MAX_SEARCH_WORDS} words`);
    }
    words.forEach((word, i) => {
      where.push(`search_text LIKE @word${i} ESCAPE '\\'`);
      params[`word${i}`] = `%${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    });

    const totalCount = lazyCount(this.db, `SELECT count(*) AS n FROM sessions WHERE ${where.join(" AND ")}`, params);

    const column = ORDER_COLUMN[order.field];
    const comparison = order.direction === "ASC" ? ">" : "<";
    const pageWhere = [...where];
    if (after) {
      const [key, id] = decodeCursor(after, order.field);
      pageWhere.push(`(${column} ${comparison} @afterKey OR (${column} = @afterKey AND id ${comparison} @afterId))`);
      params.afterKey = key;
      params.afterId = id;
    }
    const rows = this.db
      .prepare(
        `SELECT ${COLUMNS}, ${column} AS sort_key FROM sessions
         WHERE ${pageWhere.join(" AND ")}
         ORDER BY ${column} ${order.direction}, id ${order.direction}
         LIMIT @limit`,
      )
      .safeIntegers(true)
      .all({ ...params, limit: first + 1 }) as Row[];
    return {
      records: rows.slice(0, first).map((row) => toRecord(row, order.field)),
      totalCount,
      hasNextPage: rows.length > first,
    };
  }
}

/** Cursors name their ordering: one from another ordering would point at the wrong place. */
function toRecord(row: Row, field: SessionOrderField): SessionRecord {
  return {
    session: JSON.parse(row.state) as Session,
    counts: {
      registered: Number(row.registered_count),
      waitlisted: Number(row.waitlisted_count),
      attended: Number(row.attended_count),
    },
    revision: row.revision,
    updatedAt: row.updated_at,
    cursor: encodeCursor(field, row.sort_key, row.id),
  };
}
