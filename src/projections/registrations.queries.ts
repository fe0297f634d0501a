import type Database from "better-sqlite3";
import type { AttendanceMethod, CancellationReason, RegistrationStatus } from "../domain/sessions/events.js";
import type { RegistrationSnapshot } from "../domain/sessions/registrations.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import { lazyCount, lazyTotals, pagesByParent, prepared } from "./read-model-db.js";

/** A registration as the read model holds it: the domain's fields, under its id, with a page cursor. */
export interface RegistrationRecord extends Omit<RegistrationSnapshot, "registrationId"> {
  id: string;
  cursor: string;
}

export interface RegistrationPage {
  records: RegistrationRecord[];
  /** Counted only when asked for (a count over a large organization costs more than the page). */
  totalCount: () => number;
  hasNextPage: boolean;
}

export type SessionRoster = "PARTICIPANTS" | "WAITLIST";
export type Timeframe = "UPCOMING" | "PAST";

const COLUMNS = `r.id, r.session_id, r.user_id, r.status, r.registered_by, r.requested_at, r.registered_at,
  r.promoted_at, r.canceled_at, r.canceled_by, r.cancellation_reason, r.cancellation_comment, r.attended_at,
  r.attendance_method,
  CASE WHEN r.status = 'WAITLISTED' THEN (SELECT count(*) FROM registrations w
    WHERE w.session_id = r.session_id AND w.status = 'WAITLISTED' AND w.waitlist_order <= r.waitlist_order) END
    AS waitlist_position`;

type Row = {
  id: string;
  session_id: string;
  user_id: string;
  status: RegistrationStatus;
  registered_by: string;
  requested_at: string;
  registered_at: string | null;
  promoted_at: string | null;
  canceled_at: string | null;
  canceled_by: string | null;
  cancellation_reason: CancellationReason | null;
  cancellation_comment: string | null;
  attended_at: string | null;
  attendance_method: AttendanceMethod | null;
  waitlist_position: number | null;
  sort_key: string | number;
};

/** Both orders are keyset-paginated on (order, id). */
const ROSTER_ORDER: Record<SessionRoster, { status: RegistrationStatus; column: string }> = {
  PARTICIPANTS: { status: "REGISTERED", column: "r.seat_order" },
  WAITLIST: { status: "WAITLISTED", column: "r.waitlist_order" },
};

export class RegistrationQueries {
  constructor(private readonly db: Database.Database) {}

  byIds(organizationId: string, ids: readonly string[]): Map<string, RegistrationRecord> {
    if (ids.length === 0) return new Map();
    const rows = prepared(
      this.db,
      `SELECT ${COLUMNS}, r.id AS sort_key FROM registrations r
       WHERE +r.organization_id = ? AND r.id IN (SELECT value FROM json_each(?))`,
    ).all(organizationId, JSON.stringify(ids)) as Row[];
    return new Map(rows.map((row) => [row.id, toRecord(row, "ID")]));
  }

  /** Each session's registration of this user: the active one, else the latest canceled one. */
  latestOfUser(organizationId: string, userId: string, sessionIds: readonly string[]): Map<string, RegistrationRecord> {
    if (sessionIds.length === 0) return new Map();
    const rows = prepared(
      this.db,
      `SELECT ${COLUMNS}, r.id AS sort_key FROM registrations r
       WHERE r.organization_id = ? AND r.user_id = ? AND r.session_id IN (SELECT value FROM json_each(?))
       ORDER BY r.status = 'CANCELED' DESC, r.revision ASC`,
    ).all(organizationId, userId, JSON.stringify(sessionIds)) as Row[];
    // Later rows win: canceled ones first, then by revision, so the active or newest one is kept.
    return new Map(rows.map((row) => [row.session_id, toRecord(row, "ID")]));
  }

  /** Seat holders in the order they got their seat, or the waitlist in line order. */
  roster(sessionId: string, roster: SessionRoster, filter: { attended?: boolean }, first: number, after?: string): RegistrationPage {
    const { status, column } = ROSTER_ORDER[roster];
    const where = ["r.session_id = @sessionId", "r.status = @status"];
    const params: Record<string, unknown> = { sessionId, status };
    if (filter.attended !== undefined) where.push(filter.attended ? "r.attended_at IS NOT NULL" : "r.attended_at IS NULL");
    const totalCount = lazyCount(this.db, `SELECT count(*) AS n FROM registrations r WHERE ${where.join(" AND ")}`, params);
    if (after) {
      const [key, id] = decodeCursor(after, roster);
      where.push(`(${column} > @afterKey OR (${column} = @afterKey AND r.id > @afterId))`);
      Object.assign(params, { afterKey: Number(key), afterId: id });
    }
    const rows = prepared(
      this.db,
      `SELECT ${COLUMNS}, ${column} AS sort_key FROM registrations r WHERE ${where.join(" AND ")}
       ORDER BY ${column}, r.id LIMIT @limit`,
    ).all({ ...params, limit: first + 1 }) as Row[];
    return page(rows, first, totalCount, roster);
  }

  /**
   * The first page of several sessions' rosters in one statement (a page of sessions that asks for
   * each one's participants), with their totals counted together, once, when one is asked for.
   */
  firstRosterPages(
    sessionIds: readonly string[],
    roster: SessionRoster,
    filter: { attended?: boolean },
    first: number,
  ): Map<string, RegistrationPage> {
    const { status, column } = ROSTER_ORDER[roster];
    const where = ["r.session_id IN (SELECT value FROM json_each(@sessionIds))", "r.status = @status"];
    if (filter.attended !== undefined) where.push(filter.attended ? "r.attended_at IS NOT NULL" : "r.attended_at IS NULL");
    const params = { sessionIds: JSON.stringify(sessionIds), status };
    const rows = prepared(
      this.db,
      `SELECT * FROM (
         SELECT ${COLUMNS}, ${column} AS sort_key, r.session_id AS parent_id,
           ROW_NUMBER() OVER (PARTITION BY r.session_id ORDER BY ${column}, r.id) AS rank
         FROM registrations r WHERE ${where.join(" AND ")}
       ) WHERE rank <= @limit ORDER BY session_id, rank`,
    ).all({ ...params, limit: first + 1 }) as (Row & { parent_id: string })[];
    const totals = lazyTotals(
      this.db,
      `SELECT r.session_id AS parent_id, count(*) AS total FROM registrations r WHERE ${where.join(" AND ")} GROUP BY r.session_id`,
      params,
    );
    return pagesByParent(sessionIds, rows, first, (row) => toRecord(row, roster), totals);
  }

  /** "My sessions": upcoming ones soonest first (unscheduled last), past ones latest first. */
  ofUser(
    userId: string,
    timeframe: Timeframe,
    statuses: readonly RegistrationStatus[],
    now: string,
    first: number,
    after?: string,
  ): RegistrationPage {
    const upcoming = timeframe === "UPCOMING";
    const where = [
      "r.user_id = @userId",
      "r.status IN (SELECT value FROM json_each(@statuses))",
      upcoming ? "(s.ends_at IS NULL OR s.ends_at > @now)" : "s.ends_at <= @now",
    ];
    const params: Record<string, unknown> = { userId, statuses: JSON.stringify(statuses), now };
    const from = "FROM registrations r JOIN sessions s ON s.id = r.session_id";
    const totalCount = lazyCount(this.db, `SELECT count(*) AS n ${from} WHERE ${where.join(" AND ")}`, params);
    const direction = upcoming ? "ASC" : "DESC";
    const comparison = upcoming ? ">" : "<";
    if (after) {
      const [key, id] = decodeCursor(after, timeframe);
      where.push(`(s.start_key ${comparison} @afterKey OR (s.start_key = @afterKey AND r.id ${comparison} @afterId))`);
      Object.assign(params, { afterKey: key, afterId: id });
    }
    const rows = prepared(
      this.db,
      `SELECT ${COLUMNS}, s.start_key AS sort_key ${from} WHERE ${where.join(" AND ")}
       ORDER BY s.start_key ${direction}, r.id ${direction} LIMIT @limit`,
    ).all({ ...params, limit: first + 1 }) as Row[];
    return page(rows, first, totalCount, timeframe);
  }
}

function page(rows: Row[], first: number, totalCount: () => number, order: string): RegistrationPage {
  return {
    records: rows.slice(0, first).map((row) => toRecord(row, order)),
    totalCount,
    hasNextPage: rows.length > first,
  };
}

function toRecord(row: Row, order: string): RegistrationRecord {
  return {
    id: row.id,
    sessionId: row.session_id,
    userId: row.user_id,
    status: row.status,
    registeredBy: row.registered_by,
    requestedAt: row.requested_at,
    registeredAt: row.registered_at,
    promotedAt: row.promoted_at,
    canceledAt: row.canceled_at,
    canceledBy: row.canceled_by,
    cancellationReason: row.cancellation_reason,
    cancellationComment: row.cancellation_comment,
    attendedAt: row.attended_at,
    attendanceMethod: row.attendance_method,
    waitlistPosition: row.waitlist_position,
    cursor: encodeCursor(order, String(row.sort_key), row.id),
  };
}
