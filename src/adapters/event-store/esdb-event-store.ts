import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError,
  eventTypeFilter,
  excludeSystemEvents,
  jsonEvent,
  streamNameFilter,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type Filter,
  type ResolvedEvent,
} from "@eventstore/db-client";
import {
  DuplicateEventIdError,
  EventStoreUnavailableError,
  WrongExpectedRevisionError,
  matchesFilter,
  type AppendResult,
  type EventFilter,
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
import { assertDistinctIds, assertExpectedRevision, eventIdsAlreadyUsed } from "./append-rules.js";
import { EsdbSubscription } from "./esdb-subscription.js";

export interface EsdbEventStoreOptions {
  /**
   * Prepended to every stream name on the server and stripped when reading, so several
   * environments (or test runs) can share one server without seeing each other's events.
   */
  streamPrefix?: string;
  /** Events per $all read page. */
  pageSize?: number;
}

type ServerEvent = NonNullable<AllStreamResolvedEvent["event"]> | NonNullable<ResolvedEvent["event"]>;
type PagedEvent = { event: ServerEvent; position: bigint };

/**
 * EventStoreDB / KurrentDB through @eventstore/db-client.
 *
 * - Our global position is the event's commit position. On current servers every event of an
 *   append has its own commit position (equal to its prepare position); `$all` is read from
 *   {commit: p, prepare: p} and anything at or before p is skipped, so no event is seen twice.
 * - System events (`$`-prefixed streams and types) are never returned.
 * - A retried append (same ids, same stream) returns the original result, whether the server
 *   recognised it or reported a wrong expected version. EventStoreDB keeps no index by event id,
 *   so ids reused in another stream are not detected here (the other adapters refuse them).
 */
export class EsdbEventStore implements EventStore {
  readonly #client: EventStoreDBClient;
  readonly #prefix: string;
  readonly #pageSize: number;
  readonly #subscriptions = new Set<EsdbSubscription>();
  #closed = false;

  private constructor(client: EventStoreDBClient, options: EsdbEventStoreOptions) {
    this.#client = client;
    this.#prefix = options.streamPrefix ?? "";
    this.#pageSize = options.pageSize ?? 500;
  }

  /** Accepts `esdb://…` and `esdb+discover://…` connection strings. */
  static connect(connectionString: string, options: EsdbEventStoreOptions = {}): EsdbEventStore {
    let client: EventStoreDBClient;
    try {
      client = EventStoreDBClient.connectionString(connectionString);
    } catch (error) {
      throw new EventStoreUnavailableError(`Invalid EventStoreDB connection string: ${(error as Error).message}`, {
        cause: error,
      });
    }
    return new EsdbEventStore(client, options);
  }

  async appendToStream(
    streamName: string,
    events: EventToAppend[],
    options: { expectedRevision: ExpectedRevision },
  ): Promise<AppendResult> {
    this.#assertOpen();
    assertDistinctIds(events);
    if (events.length === 0) return this.#emptyAppend(streamName, options.expectedRevision);
    try {
      const result = await this.#client.appendToStream(
        this.#serverName(streamName),
        events.map((event) =>
          jsonEvent({ id: event.id, type: event.type, data: event.data, metadata: event.metadata }),
        ),
        { expectedRevision: toServerRevision(options.expectedRevision) },
      );
      if (result.position === undefined) {
        throw new EventStoreUnavailableError(`The server did not report the position of the append to ${streamName}`);
      }
      return { nextExpectedRevision: result.nextExpectedRevision, position: result.position.commit };
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) {
        const outcome = await this.#explainRefusedAppend(streamName, events, options.expectedRevision, error);
        if (outcome instanceof Error) throw outcome;
        return outcome;
      }
      throw this.#unavailable(error);
    }
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.#assertOpen();
    const backwards = options.direction === "backwards";
    const maxCount = options.maxCount ?? Number.MAX_SAFE_INTEGER;
    if (maxCount <= 0) return [];
    const result: RecordedEvent[] = [];
    try {
      const read = this.#client.readStream(this.#serverName(streamName), {
        direction: backwards ? BACKWARDS : FORWARDS,
        fromRevision: options.fromRevision ?? (backwards ? END : START),
        maxCount,
      });
      for await (const resolved of read) {
        if (resolved.event) result.push(this.#toRecorded(resolved.event));
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw this.#unavailable(error);
    }
    return result;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.#assertOpen();
    const maxCount = options.maxCount ?? Number.POSITIVE_INFINITY;
    const result: RecordedEvent[] = [];
    let after = options.after;
    while (result.length < maxCount) {
      const page = await this.#readAllPage(after, FORWARDS);
      for (const event of page.events) {
        if (after !== undefined && event.position <= after) continue;
        const recorded = this.#ownEvent(event.event);
        if (recorded && matchesFilter(recorded, options.filter)) result.push(recorded);
        if (result.length >= maxCount) break;
      }
      if (page.events.length < this.#pageSize || page.last === undefined) break;
      after = page.last;
    }
    return result;
  }

  subscribe(options: SubscribeOptions = {}): EventSubscription {
    this.#assertOpen();
    const subscription = new EsdbSubscription({
      open: () =>
        this.#client.subscribeToAll({
          fromPosition: options.after === undefined ? START : { commit: options.after, prepare: options.after },
          filter: this.#serverFilter(options.filter),
        }),
      after: options.after,
      toRecorded: (event) => {
        const recorded = this.#ownEvent(event);
        return recorded && matchesFilter(recorded, options.filter) ? recorded : undefined;
      },
      unavailable: (error) => this.#unavailable(error),
      onClose: () => this.#subscriptions.delete(subscription),
    });
    this.#subscriptions.add(subscription);
    return subscription;
  }

  async headPosition(): Promise<bigint | null> {
    this.#assertOpen();
    let before: bigint | undefined;
    for (;;) {
      const page = await this.#readAllPage(before, BACKWARDS);
      for (const event of page.events) {
        if (before !== undefined && event.position >= before) continue;
        if (this.#ownEvent(event.event)) return event.position;
      }
      if (page.events.length < this.#pageSize || page.last === undefined) return null;
      before = page.last;
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#subscriptions].map((s) => s.close()));
    await this.#client.dispose().catch(() => undefined);
  }

  /** One page of $all from (and including) `from`, system events included. */
  async #readAllPage(
    from: bigint | undefined,
    direction: typeof FORWARDS | typeof BACKWARDS,
  ): Promise<{ events: PagedEvent[]; last: bigint | undefined }> {
    const events: PagedEvent[] = [];
    try {
      const read = this.#client.readAll({
        direction,
        fromPosition: from === undefined ? (direction === FORWARDS ? START : END) : { commit: from, prepare: from },
        maxCount: this.#pageSize,
      });
      for await (const resolved of read) {
        if (resolved.event) events.push({ event: resolved.event, position: resolved.event.position.commit });
      }
    } catch (error) {
      throw this.#unavailable(error);
    }
    return { events, last: events.at(-1)?.position };
  }

  async #emptyAppend(streamName: string, expected: ExpectedRevision): Promise<AppendResult> {
    const [last] = await this.readStream(streamName, { direction: "backwards", maxCount: 1 });
    assertExpectedRevision(streamName, expected, last?.revision ?? -1n);
    if (last) return { nextExpectedRevision: last.revision, position: last.position };
    return { nextExpectedRevision: -1n, position: (await this.headPosition()) ?? 0n };
  }

  /**
   * The server refused the expected revision: a retry of an earlier append (answer its original
   * result), ids already used by other events of the stream (never a conflict), or a conflict.
   */
  async #explainRefusedAppend(
    streamName: string,
    events: EventToAppend[],
    expected: ExpectedRevision,
    refusal: WrongExpectedVersionError,
  ): Promise<AppendResult | Error> {
    const recorded = await this.readStream(streamName);
    const index = new Map(recorded.map((event, i) => [event.id, i]));
    const found = events.map((event) => index.get(event.id));
    if (found.every((i) => i === undefined)) {
      const actual = refusal.actualVersion;
      return new WrongExpectedRevisionError(streamName, expected, typeof actual === "bigint" ? actual : "no_stream");
    }
    const first = found[0];
    const isRetry = first !== undefined && found.every((i, offset) => i === first + offset);
    if (!isRetry) return eventIdsAlreadyUsed(streamName, events);
    const last = recorded[first + events.length - 1];
    return { nextExpectedRevision: last.revision, position: last.position };
  }

  #serverFilter(filter: EventFilter | undefined): Filter {
    const prefix = escapeRegex(this.#prefix);
    if (filter?.streamCategories) {
      const categories = filter.streamCategories.map(escapeRegex).join("|");
      return streamNameFilter({ regex: `^${prefix}(?:${categories})(?:-|$)` });
    }
    if (filter?.eventTypes) {
      return eventTypeFilter({ regex: `^(?:${filter.eventTypes.map(escapeRegex).join("|")})$` });
    }
    if (this.#prefix) return streamNameFilter({ prefixes: [this.#prefix] });
    return excludeSystemEvents();
  }

  /** Our view of a server event, or undefined for system events and other prefixes' streams. */
  #ownEvent(event: ServerEvent): RecordedEvent | undefined {
    if (event.type.startsWith("$") || event.streamId.startsWith("$")) return undefined;
    if (!event.streamId.startsWith(this.#prefix)) return undefined;
    return this.#toRecorded(event);
  }

  #toRecorded(event: ServerEvent): RecordedEvent {
    return {
      id: event.id,
      type: event.type,
      streamName: event.streamId.slice(this.#prefix.length),
      revision: event.revision,
      // Servers before EventStoreDB 22.10 do not report positions on stream reads.
      position: event.position?.commit ?? -1n,
      data: asJsonObject(event.data),
      metadata: asJsonObject(event.metadata),
      recordedAt: event.created,
    };
  }

  #serverName(streamName: string): string {
    return this.#prefix + streamName;
  }

  #unavailable(error: unknown): Error {
    if (
      error instanceof EventStoreUnavailableError ||
      error instanceof WrongExpectedRevisionError ||
      error instanceof DuplicateEventIdError
    ) {
      return error;
    }
    if (this.#closed) return new EventStoreUnavailableError("The event store is closed", { cause: error });
    const message = error instanceof Error ? error.message : String(error);
    return new EventStoreUnavailableError(`EventStoreDB failure: ${message}`, { cause: error });
  }

  #assertOpen(): void {
    if (this.#closed) throw new EventStoreUnavailableError("The event store is closed");
  }
}

function toServerRevision(expected: ExpectedRevision): AppendExpectedRevision {
  if (expected === "no_stream" || expected === -1n) return NO_STREAM;
  if (expected === "stream_exists") return STREAM_EXISTS;
  return expected;
}

function asJsonObject(value: unknown): JsonObject {
  if (value instanceof Uint8Array) {
    return value.length === 0 ? {} : (JSON.parse(Buffer.from(value).toString("utf8")) as JsonObject);
  }
  if (value === undefined || value === null) return {};
  return value as JsonObject;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
