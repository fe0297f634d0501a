import type Database from "better-sqlite3";
import type { SideEffectStatus } from "../domain/side-effects/decider.js";
import type { SideEffectKind } from "../domain/side-effects/events.js";
import { ValidationError } from "../domain/shared/errors.js";
import { prepared } from "./read-model-db.js";

export interface SideEffectRecord {
  key: string;
  organizationId: string;
  kind: SideEffectKind;
  targetId: string;
  triggerEventId: string;
  triggerEventType: string;
  triggerStream: string;
  triggerPosition: bigint;
  status: SideEffectStatus;
  attempts: number;
  claimedBy: string;
  lastError: string | null;
  lastStatusCode: number | null;
  /** Lease end while IN_PROGRESS, next attempt while RETRYING. */
  dueAt: string | null;
  createdAt: string;
  updatedAt: string;
  seq: bigint;
}

type Row = {
  key: string;
  organization_id: string;
  kind: SideEffectKind;
  target_id: string;
  trigger_event_id: string;
  trigger_event_type: string;
  trigger_stream: string;
  trigger_position: bigint;
  status: SideEffectStatus;
  attempts: bigint;
  claimed_by: string;
  last_error: string | null;
  last_status_code: bigint | null;
  due_at: string | null;
  created_at: string;
  updated_at: string;
  seq: bigint;
};

export class SideEffectQueries {
  constructor(private readonly db: Database.Database) {}

  byKey(key: string): SideEffectRecord | null {
    const row = prepared(this.db, "SELECT * FROM side_effects WHERE key = ?").safeIntegers(true).get(key) as Row | undefined;
    return row ? toRecord(row) : null;
  }

  /** When each of these effects succeeded (absent: not, or not yet), in one query. */
  succeededAt(keys: readonly string[]): Map<string, string> {
    const rows = prepared(
      this.db,
      "SELECT key, updated_at FROM side_effects WHERE key IN (SELECT value FROM json_each(?)) AND status = 'SUCCEEDED'",
    ).all(JSON.stringify(keys)) as { key: string; updated_at: string }[];
    return new Map(rows.map((row) => [row.key, row.updated_at]));
  }

  /** Attempts that may be claimed again: a retry that is due, or a claim whose holder went silent. */
  due(now: Date, limit: number): SideEffectRecord[] {
    const rows = prepared(
      this.db,
      `SELECT * FROM side_effects WHERE status IN ('RETRYING', 'IN_PROGRESS') AND due_at <= ? ORDER BY due_at LIMIT ?`,
    )
      .safeIntegers(true)
      .all(now.toISOString(), limit) as Row[];
    return rows.map(toRecord);
  }

  /** A webhook's deliveries, newest first, paginated by `seq` (the claim's position). */
  ofTarget(
    targetId: string,
    options: { status?: SideEffectStatus; first: number; after?: string },
  ): { records: SideEffectRecord[]; hasNextPage: boolean; totalCount: () => number } {
    const before = options.after === undefined ? null : decodeSeq(options.after);
    const status = options.status ?? null;
    const rows = prepared(
      this.db,
      `SELECT * FROM side_effects WHERE target_id = @targetId AND (@status IS NULL OR status = @status)
         AND (@before IS NULL OR seq < @before) ORDER BY seq DESC LIMIT @limit`,
    )
      .safeIntegers(true)
      .all({ targetId, status, before, limit: options.first + 1 }) as Row[];
    const totalCount = () =>
      (
        prepared(
          this.db,
          "SELECT COUNT(*) AS count FROM side_effects WHERE target_id = @targetId AND (@status IS NULL OR status = @status)",
        ).get({ targetId, status }) as { count: number }
      ).count;
    return { records: rows.slice(0, options.first).map(toRecord), hasNextPage: rows.length > options.first, totalCount };
  }
}

export const deliveryCursor = (record: SideEffectRecord) => Buffer.from(`delivery:${record.seq}`).toString("base64url");

function decodeSeq(cursor: string): bigint {
  const text = Buffer.from(cursor, "base64url").toString("utf8");
  const match = /^delivery:(\d{1,20})$/.exec(text);
  if (!match) throw new ValidationError("after", "is not a cursor returned by this list");
  return BigInt(match[1]!);
}

function toRecord(row: Row): SideEffectRecord {
  return {
    key: row.key,
    organizationId: row.organization_id,
    kind: row.kind,
    targetId: row.target_id,
    triggerEventId: row.trigger_event_id,
    triggerEventType: row.trigger_event_type,
    triggerStream: row.trigger_stream,
    triggerPosition: row.trigger_position,
    status: row.status,
    attempts: Number(row.attempts),
    claimedBy: row.claimed_by,
    lastError: row.last_error,
    lastStatusCode: row.last_status_code === null ? null : Number(row.last_status_code),
    dueAt: row.due_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    seq: row.seq,
  };
}
