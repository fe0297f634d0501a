import {
  EventStoreUnavailableError,
  WrongExpectedRevisionError,
  matchesFilter,
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
import { assertDistinctIds, assertExpectedRevision, eventIdsAlreadyUsed } from "./append-rules.js";
import { AppendNotifier, CatchUpSubscription } from "./subscription.js";

/** In-memory store for unit tests. Data goes through JSON like in a real store. */
export class MemoryEventStore implements EventStore {
  /** log[i] has position i + 1. */
  readonly #log: RecordedEvent[] = [];
  readonly #streams = new Map<string, RecordedEvent[]>();
  readonly #byId = new Map<string, RecordedEvent>();
  readonly #notifier = new AppendNotifier();
  readonly #subscriptions = new Set<EventSubscription>();
  #closed = false;

  /** `clock` stamps `recordedAt` (the system clock when not given). */
  constructor(private readonly clock: Clock = systemClock) {}

  async appendToStream(
    streamName: string,
    events: EventToAppend[],
    options: { expectedRevision: ExpectedRevision },
  ): Promise<AppendResult> {
    this.#assertOpen();
    assertDistinctIds(events);
    const retried = this.#retriedAppend(streamName, events);
    if (retried) return retried;

    const stream = this.#streams.get(streamName) ?? [];
    const current = BigInt(stream.length) - 1n;
    assertExpectedRevision(streamName, options.expectedRevision, current);
    if (events.length === 0) {
      return { nextExpectedRevision: current, position: stream.at(-1)?.position ?? BigInt(this.#log.length) };
    }

    const recordedAt = this.clock.now();
    for (const event of events) {
      const recorded: RecordedEvent = {
        id: event.id,
        type: event.type,
        streamName,
        revision: BigInt(stream.length),
        position: BigInt(this.#log.length + 1),
        data: jsonCopy(event.data),
        metadata: jsonCopy(event.metadata),
        recordedAt,
      };
      stream.push(recorded);
      this.#log.push(recorded);
      this.#byId.set(recorded.id, recorded);
    }
    this.#streams.set(streamName, stream);
    this.#notifier.notify();
    const last = stream[stream.length - 1];
    return { nextExpectedRevision: last.revision, position: last.position };
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    this.#assertOpen();
    const stream = this.#streams.get(streamName) ?? [];
    const { fromRevision, maxCount = Infinity } = options;
    const selected =
      options.direction === "backwards"
        ? stream.filter((e) => fromRevision === undefined || e.revision <= fromRevision).reverse()
        : stream.filter((e) => fromRevision === undefined || e.revision >= fromRevision);
    return selected.slice(0, Math.max(0, maxCount)).map(copy);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    this.#assertOpen();
    const { after = 0n, maxCount = Infinity, filter } = options;
    const result: RecordedEvent[] = [];
    const start = after < 0n ? 0 : Number(after);
    for (let i = start; i < this.#log.length && result.length < maxCount; i++) {
      if (matchesFilter(this.#log[i], filter)) result.push(copy(this.#log[i]));
    }
    return result;
  }

  subscribe(options: SubscribeOptions = {}): EventSubscription {
    this.#assertOpen();
    const subscription: EventSubscription = new CatchUpSubscription(
      (readOptions) => this.readAll(readOptions),
      this.#notifier,
      { ...options, onClose: () => this.#subscriptions.delete(subscription) },
    );
    this.#subscriptions.add(subscription);
    return subscription;
  }

  async headPosition(): Promise<bigint | null> {
    this.#assertOpen();
    return this.#log.length === 0 ? null : BigInt(this.#log.length);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#subscriptions].map((s) => s.close()));
  }

  /** The original result when every id of the batch is already this stream's consecutive events. */
  #retriedAppend(streamName: string, events: EventToAppend[]): AppendResult | undefined {
    if (events.length === 0) return undefined;
    const recorded = events.map((e) => this.#byId.get(e.id));
    if (recorded.every((r) => r === undefined)) return undefined;
    const first = recorded[0];
    const isRetry =
      first !== undefined &&
      recorded.every(
        (r, i) => r !== undefined && r.streamName === streamName && r.revision === first.revision + BigInt(i),
      );
    if (!isRetry) throw eventIdsAlreadyUsed(streamName, events);
    const last = recorded[recorded.length - 1]!;
    return { nextExpectedRevision: last.revision, position: last.position };
  }

  #assertOpen(): void {
    if (this.#closed) throw new EventStoreUnavailableError("The event store is closed");
  }
}

function jsonCopy(value: JsonObject): JsonObject {
  return JSON.parse(JSON.stringify(value)) as JsonObject;
}

function copy(event: RecordedEvent): RecordedEvent {
  return {
    ...event,
    data: structuredClone(event.data),
    metadata: structuredClone(event.metadata),
    recordedAt: new Date(event.recordedAt),
  };
}
