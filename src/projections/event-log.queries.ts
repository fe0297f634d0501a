import type Database from "better-sqlite3";
import { ValidationError } from "../domain/shared/errors.js";
import { lazyCount, prepared } from "./read-model-db.js";

export interface EventLogFilter {
  streamName?: string;
  types?: readonly string[];
  categories?: readonly string[];
  actorId?: string;
  /** Inclusive lower bound of occurredAt (UTC ISO). */
  from?: string;
  /** Exclusive upper bound of occurredAt (UTC ISO). */
  to?: string;
}

export interface EventLogRecord {
  position: bigint;
  streamName: string;
  revision: bigint;
  type: string;
  actorId: string | null;
  occurredAt: string;
  eventId: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

type Row = Omit<EventLogRecord, "data" | "metadata" | "streamName" | "actorId" | "occurredAt" | "eventId"> & {
  stream_name: string;
  actor_id: string | null;
  occurred_at: string;
  event_id: string;
  data: string;
  metadata: string;
};

/** Positions are signed 64-bit integers in SQLite. */
const MAX_POSITION = 2n ** 63n - 1n;

/** An organization's history, oldest first, keyset-paginated by global position. */
export class EventLogQueries {
  constructor(private readonly db: Database.Database) {}

  /** The names of the organization's streams, in name order, after `after` (keyset pages). */
  streamNames(organizationId: string, after: string | null, limit: number): string[] {
    const rows = prepared(
      this.db,
      `SELECT DISTINCT stream_name FROM event_log WHERE organization_id = ? AND stream_name > ? ORDER BY stream_name LIMIT ?`,
    ).all(organizationId, after ?? "", limit) as { stream_name: string }[];
    return rows.map((row) => row.stream_name);
  }

  page(
    organizationId: string,
    filter: EventLogFilter,
    first: number,
    after?: string,
  ): { records: (EventLogRecord & { cursor: string })[]; totalCount: () => number; hasNextPage: boolean } {
    const where = ["organization_id = @organizationId"];
    const params: Record<string, unknown> = { organizationId };
    const anyOf = (column: string, name: string, values: readonly string[] | undefined) => {
      if (!values?.length) return;
      where.push(`${column} IN (SELECT value FROM json_each(@${name}))`);
      params[name] = JSON.stringify(values);
    };
    if (filter.streamName) {
      where.push("stream_name = @streamName");
      params.streamName = filter.streamName;
    }
    anyOf("type", "types", filter.types);
    anyOf("category", "categories", filter.categories);
    if (filter.actorId) {
      where.push("actor_id = @actorId");
      params.actorId = filter.actorId;
    }
    if (filter.from) {
      where.push("occurred_at >= @from");
      params.from = filter.from;
    }
    if (filter.to) {
      where.push("occurred_at < @to");
      params.to = filter.to;
    }
    const totalCount = lazyCount(this.db, `SELECT count(*) AS n FROM event_log WHERE ${where.join(" AND ")}`, params);
    if (after !== undefined) {
      if (!/^\d{1,19}$/.test(after) || BigInt(after) > MAX_POSITION) {
        throw new ValidationError("after", "must be a position returned by this list");
      }
      where.push("position > @after");
      params.after = BigInt(after);
    }
    const rows = this.db
      .prepare(`SELECT * FROM event_log WHERE ${where.join(" AND ")} ORDER BY position LIMIT @limit`)
      .safeIntegers(true)
      .all({ ...params, limit: first + 1 }) as Row[];
    return {
      records: rows.slice(0, first).map((row) => ({
        position: row.position,
        streamName: row.stream_name,
        revision: row.revision,
        type: row.type,
        actorId: row.actor_id,
        occurredAt: row.occurred_at,
        eventId: row.event_id,
        data: JSON.parse(row.data),
        metadata: JSON.parse(row.metadata),
        cursor: row.position.toString(),
      })),
      totalCount,
      hasNextPage: rows.length > first,
    };
  }
}
