import Database from "better-sqlite3";
import {
  EventStoreUnavailableError,
  WrongExpectedRevisionError,
  streamCategory,
  type AppendResult,
  type EventStore,
  type EventSubscription,
  type EventToAppend,
  type ExpectedRevision,
  type JsonObject,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
} from "../../domain/shared/event-store.js";
import type { Clock } from "../../domain/shared/clock.js";
import { systemClock } from "../clock/system-clock.js";
import { ensureOwnerOnlySqliteFile } from "../files/owner-only.js";
import { assertDistinctIds, assertExpectedRevision, eventIdsAlreadyUsed } from "./append-rules.js";
import { AppendNotifier, CatchUpSubscription } from "./subscription.js";

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS events (
    position INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT NOT NULL UNIQUE,
    stream_name TEXT NOT NULL,
    stream_category TEXT NOT NULL,
    stream_revision INTEGER NOT NULL,
    type TEXT NOT NULL,
    data TEXT NOT NULL,
    metadata TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    UNIQUE (stream_name, stream_revision)
  );
`;

const MAX_INT64 = 9223372036854775807n;

interface EventRow {
  position: bigint;
  event_id: string;
  stream_name: string;
  stream_revision: bigint;
  type: string;
  data: string;
  metadata: string;
  recorded_at: string;
}

type EventIdRow = Pick<EventRow, "event_id" | "stream_name" | "stream_revision" | "position">;

export interface SqliteEventStoreOptions {
  /** How often an idle subscription re-reads, to see appends made through other connections. */
  pollIntervalMs?: number;
  /** Stamps `recordedAt`; the application's clock (the system clock when not given). */
  clock?: Clock;
}

/**
 * Event store in one SQLite file. Several connections and processes may share the file:
 * appends run in a BEGIN IMMEDIATE transaction (one writer at a time), so the expected-revision
 * check and the insert see the same state, and positions become visible in increasing order.
 */
export class SqliteEventStore implements EventStore {
  readonly #db: Database.Database;
  readonly #pollIntervalMs: number;
  readonly #clock: Clock;
  readonly #notifier = new AppendNotifier();
  readonly #subscriptions = new Set<EventSubscription>();
  readonly #append: Database.Transaction<
    (streamName: string, events: EventToAppend[], expected: ExpectedRevision) => AppendResult
  >;
  readonly #statements;
  #closed = false;

  static open(fileName: string, options: SqliteEventStoreOptions = {}): SqliteEventStore {
    let db: Database.Database | undefined;
    try {
      ensureOwnerOnlySqliteFile(fileName);
      db = new Database(fileName);
      db.pragma("busy_timeout = 5000");
      db.pragma("journal_mode = WAL");
      db.pragma("synchronous = FULL");
      db.defaultSafeIntegers(true);
      db.exec(SCHEMA);
      return new SqliteEventStore(db, options.pollIntervalMs ?? 100, options.clock ?? systemClock);
    } catch (error) {
      db?.close();
      throw new EventStoreUnavailableError(`Cannot open the event store ${fileName}`, { cause: error });
    }
  }

  private constructor(db: Database.Database, pollIntervalMs: number, clock: Clock) {
    this.#db = db;
    this.#pollIntervalMs = pollIntervalMs;
    this.#clock = clock;
    this.#statements = {
      streamEnd: db.prepare<[string], Pick<EventRow, "stream_revision" | "position">>(
        `SELECT stream_revision, position FROM events WHERE stream_name = ? ORDER BY stream_revision DESC LIMIT 1`,
      ),
      byIds: db.prepare<[string], EventIdRow>(
        `SELECT event_id, stream_name, stream_revision, position FROM events
         WHERE event_id IN (SELECT value FROM json_each(?))`,
      ),
      insert: db.prepare(
        `INSERT INTO events (event_id, stream_name, stream_category, stream_revision, type, data, metadata, recorded_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      forwards: db.prepare<[string, bigint, number], EventRow>(
        `SELECT * FROM events WHERE stream_name = ? AND stream_revision >= ? ORDER BY stream_revision LIMIT ?`,
      ),
      backwards: db.prepare<[string, bigint, number], EventRow>(
        `SELECT * FROM events WHERE stream_name = ? AND stream_revision <= ? ORDER BY stream_revision DESC LIMIT ?`,
      ),
      all: db.prepare<{ after: bigint; categories: string | null; types: string | null; limit: number }, EventRow>(
        `SELECT * FROM events
         WHERE position > @after
           AND (@categories IS NULL OR stream_category IN (SELECT value FROM json_each(@categories)))
           AND (@types IS NULL OR type IN (SELECT value FROM json_each(@types)))
         ORDER BY position LIMIT @limit`,
      ),
      head: db.prepare<[], { head: bigint | null }>(`SELECT MAX(position) AS head FROM events`),
    };
    this.#append = db.transaction((streamName, events, expected) => this.#appendInTransaction(streamName, events, expected));
  }

  async appendToStream(
    streamName: string,
    events: EventToAppend[],
    options: { expectedRevision: ExpectedRevision },
  ): Promise<AppendResult> {
    this.#assertOpen();
    assertDistinctIds(events);
    try {
      const result = this.#append.immediate(streamName, events, options.expectedRevision);
      if (events.length > 0) this.#notifier.notify();
      return result;
    } catch (error) {
      throw this.#translate(error, streamName, options.expectedRevision);
    }
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.#assertOpen();
    const limit = limitOf(options.maxCount);
    const rows = this.#guard(() =>
      options.direction === "backwards"
        ? this.#statements.backwards.all(streamName, options.fromRevision ?? MAX_INT64, limit)
        : this.#statements.forwards.all(streamName, options.fromRevision ?? 0n, limit),
    );
    return this.#guard(() => rows.map(toRecordedEvent));
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.#assertOpen();
    // Positions are 64-bit unsigned for EventStoreDB; none here goes past SQLite's signed range.
    if (options.after !== undefined && options.after >= MAX_INT64) return [];
    const { filter } = options;
    const rows = this.#guard(() =>
      this.#statements.all.all({
        after: options.after ?? 0n,
        categories: filter?.streamCategories ? JSON.stringify(filter.streamCategories) : null,
        types: filter?.eventTypes ? JSON.stringify(filter.eventTypes) : null,
        limit: limitOf(options.maxCount),
      }),
    );
    return this.#guard(() => rows.map(toRecordedEvent));
  }

  subscribe(options: SubscribeOptions = {}): EventSubscription {
    this.#assertOpen();
    const subscription: EventSubscription = new CatchUpSubscription(
      (readOptions) => this.readAll(readOptions),
      this.#notifier,
      {
        ...options,
        pollIntervalMs: this.#pollIntervalMs,
        onClose: () => this.#subscriptions.delete(subscription),
      },
    );
    this.#subscriptions.add(subscription);
    return subscription;
  }

  async headPosition(): Promise<bigint | null> {
    this.#assertOpen();
    return this.#guard(() => this.#statements.head.get()?.head ?? null);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#subscriptions].map((s) => s.close()));
    this.#db.close();
  }

  #appendInTransaction(streamName: string, events: EventToAppend[], expected: ExpectedRevision): AppendResult {
    const retried = this.#retriedAppend(streamName, events);
    if (retried) return retried;

    const end = this.#statements.streamEnd.get(streamName);
    const current = end?.stream_revision ?? -1n;
    assertExpectedRevision(streamName, expected, current);
    if (events.length === 0) {
      return { nextExpectedRevision: current, position: end?.position ?? this.#statements.head.get()?.head ?? 0n };
    }

    const recordedAt = this.#clock.now().toISOString();
    const category = streamCategory(streamName);
    let position = 0n;
    let revision = current;
    for (const event of events) {
      revision += 1n;
      const info = this.#statements.insert.run(
        event.id,
        streamName,
        category,
        revision,
        event.type,
        JSON.stringify(event.data),
        JSON.stringify(event.metadata),
        recordedAt,
      );
      position = BigInt(info.lastInsertRowid);
    }
    return { nextExpectedRevision: revision, position };
  }

  #retriedAppend(streamName: string, events: EventToAppend[]): AppendResult | undefined {
    if (events.length === 0) return undefined;
    const rows = this.#statements.byIds.all(JSON.stringify(events.map((e) => e.id)));
    if (rows.length === 0) return undefined;
    const byId = new Map(rows.map((row) => [row.event_id, row]));
    const recorded = events.map((e) => byId.get(e.id));
    const first = recorded[0];
    const isRetry =
      first !== undefined &&
      recorded.every(
        (r, i) => r !== undefined && r.stream_name === streamName && r.stream_revision === first.stream_revision + BigInt(i),
      );
    if (!isRetry) throw eventIdsAlreadyUsed(streamName, events);
    const last = recorded[recorded.length - 1]!;
    return { nextExpectedRevision: last.stream_revision, position: last.position };
  }

  /** Store failures become EventStoreUnavailableError; conflicts stay conflicts. */
  #translate(error: unknown, streamName: string, expected: ExpectedRevision): unknown {
    if (error instanceof Database.SqliteError) {
      // Another writer took this revision despite the check: still a conflict, not a failure.
      if (error.code === "SQLITE_CONSTRAINT_UNIQUE" && error.message.includes("stream_revision")) {
        return new WrongExpectedRevisionError(streamName, expected, this.#currentRevisionOrUnknown(streamName));
      }
      return new EventStoreUnavailableError(`Event store failure: ${error.message}`, { cause: error });
    }
    if (!this.#db.open) return new EventStoreUnavailableError("The event store is closed", { cause: error });
    return error;
  }

  #currentRevisionOrUnknown(streamName: string): bigint | "no_stream" {
    try {
      return this.#statements.streamEnd.get(streamName)?.stream_revision ?? "no_stream";
    } catch {
      return "no_stream";
    }
  }

  #guard<T>(read: () => T): T {
    try {
      return read();
    } catch (error) {
      if (error instanceof Database.SqliteError || error instanceof SyntaxError || !this.#db.open) {
        throw new EventStoreUnavailableError(`Event store failure: ${(error as Error).message}`, { cause: error });
      }
      throw error;
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new EventStoreUnavailableError("The event store is closed");
  }
}

/** SQLite reads LIMIT -1 as "no limit". */
function limitOf(maxCount: number | undefined): number {
  return maxCount === undefined || maxCount === Infinity ? -1 : Math.max(0, Math.floor(maxCount));
}

function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    type: row.type,
    streamName: row.stream_name,
    revision: row.stream_revision,
    position: row.position,
    data: JSON.parse(row.data) as JsonObject,
    metadata: JSON.parse(row.metadata) as JsonObject,
    recordedAt: new Date(row.recorded_at),
  };
}
