/**
 * The one event-store port. Every adapter (memory, sqlite, esdb) implements it and
 * passes the same contract suite in tests/event-store.
 *
 * Revisions and positions are bigint end to end (EventStoreDB uses 64-bit values).
 * - A stream revision is the 0-based index of an event within its stream.
 * - A global position orders every event of the store; it only grows, and an event
 *   appended later always has a greater position than one appended earlier.
 */

/** What the caller expects the stream to be before an append. "any" is deliberately absent. */
export type ExpectedRevision = "no_stream" | "stream_exists" | bigint;

export type JsonObject = { [key: string]: unknown };

export interface EventToAppend {
  /** UUID. Derived from the command id by callers so a retried append is recognised. */
  id: string;
  type: string;
  data: JsonObject;
  metadata: JsonObject;
}

export interface RecordedEvent {
  id: string;
  type: string;
  streamName: string;
  /** 0-based revision within the stream. */
  revision: bigint;
  /** Global position in the store's log. */
  position: bigint;
  data: JsonObject;
  metadata: JsonObject;
  /** When the store recorded it. */
  recordedAt: Date;
}

export interface AppendResult {
  /** Revision of the last event now in the stream (pass it as the next expectedRevision). */
  nextExpectedRevision: bigint;
  /** Global position of the last event of this append. */
  position: bigint;
}

export interface ReadStreamOptions {
  direction?: "forwards" | "backwards";
  /** Inclusive. Defaults to the start (forwards) or the end (backwards). */
  fromRevision?: bigint;
  maxCount?: number;
}

export interface EventFilter {
  /** Stream categories: the part of the stream name before the first "-". */
  streamCategories?: string[];
  eventTypes?: string[];
}

export interface ReadAllOptions {
  /** Exclusive: only events with a greater position. Omit to read from the beginning. */
  after?: bigint;
  maxCount?: number;
  filter?: EventFilter;
}

export interface SubscribeOptions {
  /** Exclusive: deliver events after this position. Omit to start from the beginning. */
  after?: bigint;
  filter?: EventFilter;
}

/**
 * Catch-up then live; no gap, no duplicate. Iterate once with for-await; close() (or closing
 * the store) ends the iteration. Relies on positions becoming visible in increasing order.
 */
export interface EventSubscription extends AsyncIterable<RecordedEvent> {
  close(): Promise<void>;
}

export interface EventStore {
  /**
   * Appends atomically. Throws WrongExpectedRevisionError when the stream is not as expected.
   * If every event id of the batch is already recorded in this stream, in this order, the
   * append is a retry: nothing is written and the original result is returned. Other reuse of
   * recorded ids throws DuplicateEventIdError. An expected revision of -1n means "no_stream"
   * (an empty append to a missing stream returns -1n). An empty batch writes nothing.
   */
  appendToStream(
    streamName: string,
    events: EventToAppend[],
    options: { expectedRevision: ExpectedRevision },
  ): Promise<AppendResult>;
  /** Returns [] for a stream that does not exist. */
  readStream(streamName: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  subscribe(options?: SubscribeOptions): EventSubscription;
  /** Position of the last event in the store, or null when empty. */
  headPosition(): Promise<bigint | null>;
  close(): Promise<void>;
}

/** The stream is not at the expected revision: another writer got there first. */
export class WrongExpectedRevisionError extends Error {
  readonly code = "CONCURRENCY_CONFLICT";
  constructor(
    readonly streamName: string,
    readonly expected: ExpectedRevision,
    readonly actual: bigint | "no_stream",
  ) {
    super(
      `Stream ${streamName} was expected at ${String(expected)} but is at ${String(actual)}`,
    );
    this.name = "WrongExpectedRevisionError";
  }
}

/** Event ids already recorded, in a batch that is not a retry of one earlier append. Never a conflict. */
export class DuplicateEventIdError extends Error {
  readonly code = "DUPLICATE_EVENT_ID";
  constructor(message: string) {
    super(message);
    this.name = "DuplicateEventIdError";
  }
}

/** A failure of the store itself (I/O, corrupt data, closed store). Never a conflict. */
export class EventStoreUnavailableError extends Error {
  readonly code = "EVENT_STORE_UNAVAILABLE";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "EventStoreUnavailableError";
  }
}

export function streamCategory(streamName: string): string {
  const dash = streamName.indexOf("-");
  return dash === -1 ? streamName : streamName.slice(0, dash);
}

export function matchesFilter(
  event: Pick<RecordedEvent, "streamName" | "type">,
  filter: EventFilter | undefined,
): boolean {
  if (!filter) return true;
  if (filter.streamCategories && !filter.streamCategories.includes(streamCategory(event.streamName))) {
    return false;
  }
  if (filter.eventTypes && !filter.eventTypes.includes(event.type)) return false;
  return true;
}
