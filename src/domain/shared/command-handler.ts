import type { CommandContext, Decider } from "./decider.js";
import { DomainError } from "./errors.js";
import type { DomainEvent } from "./event-codec.js";
import { assertSameInput, bindIdempotencyKey } from "./idempotency.js";
import { deterministicUuid, hashEvent, metadataOf } from "./event-metadata.js";
import {
  type EventStore,
  type EventToAppend,
  type JsonObject,
  WrongExpectedRevisionError,
} from "./event-store.js";


/** What a command decided, as recorded. */
export interface Decision<Event, State> {
  /** The events this command appended, in order; [] when it was already applied (or a retry of an append already recorded). */
  events: Event[];
  /**
   * The global position a read model must reach to show this decision: the last appended event's,
   * or for a command already applied, the stream's last event's (null: the stream is empty).
   */
  position: bigint | null;
  /** Revision of the stream after the command (null: the stream does not exist). */
  revision: bigint | null;
  /** The aggregate after the decision: the use case derives its answer from it with the context's own functions. */
  state: State;
}

/**
 * The command, or how to make it from the state the decision will use: the use case authorizes
 * there (throwing to refuse) and looks up what the command needs only once the caller may act.
 * It runs again on every retry, on the state of that attempt.
 */
export type CommandOn<Command, State> = Command | ((state: State) => Command | Promise<Command>);

interface LoadedStream<State> {
  state: State;
  revision: bigint | null;
  /** Global position of the stream's last event. */
  lastPosition: bigint | null;
  lastEventHash: string | null;
}

/**
 * Load (cached per stream, keyed by revision) → decide → append with the expected revision.
 * Commands on one stream are serialised in-process; a conflict with another process
 * drops the cache and retries a bounded number of times.
 */
export class CommandHandler<Command extends { context: CommandContext }, Event extends DomainEvent, State> {
  private readonly cache = new Map<string, LoadedStream<State>>();
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly maxAttempts: number;
  private readonly cacheSize: number;

  constructor(
    private readonly store: EventStore,
    private readonly decider: Decider<Command, Event, State>,
    options: { maxAttempts?: number; cacheSize?: number } = {},
  ) {
    this.maxAttempts = options.maxAttempts ?? 5;
    this.cacheSize = options.cacheSize ?? 10_000;
  }

  handle(streamName: string, command: CommandOn<Command, State>): Promise<Decision<Event, State>> {
    return this.serialised(streamName, () => this.decideAndAppend(streamName, command));
  }

  /** The stream's state as the store has it now (another process may have written), e.g. to refuse early. */
  async currentState(streamName: string): Promise<State> {
    return (await this.readFromStore(streamName)).state;
  }

  private async decideAndAppend(
    streamName: string,
    commandOn: CommandOn<Command, State>,
  ): Promise<Decision<Event, State>> {
    let refusedOnCachedState = false;
    for (let attempt = 1; ; attempt++) {
      const fromCache = this.cache.has(streamName);
      const loaded = await this.loadStream(streamName);
      let command: Command;
      let events: Event[];
      try {
        command = typeof commandOn === "function" ? await commandOn(loaded.state) : commandOn;
        events = this.decider.decide(command, loaded.state);
      } catch (error) {
        // Another process may have moved the stream since we cached it: a refusal (a rule of the
        // decider or the use case's NOT_FOUND / FORBIDDEN alike) is only answered when it holds on
        // what the store has now.
        if (!fromCache || refusedOnCachedState) throw error;
        refusedOnCachedState = true;
        this.cache.delete(streamName);
        attempt -= 1;
        continue;
      }
      if (events.length === 0) {
        await assertSameInput(this.store, command.context);
        return { events: [], state: loaded.state, position: loaded.lastPosition, revision: loaded.revision };
      }
      await bindIdempotencyKey(this.store, streamName, command.context);

      const toAppend = this.toStoredEvents(streamName, events, command.context, loaded);
      try {
        const result = await this.store.appendToStream(streamName, toAppend, {
          expectedRevision: loaded.revision ?? "no_stream",
        });
        const expectedNext = (loaded.revision ?? -1n) + BigInt(events.length);
        if (result.nextExpectedRevision !== expectedNext) {
          // The store recognised a retry of an earlier append: our cached view is stale.
          this.cache.delete(streamName);
          const reloaded = await this.loadStream(streamName);
          return { events: [], state: reloaded.state, position: result.position, revision: reloaded.revision };
        }
        const state = events.reduce(this.decider.evolve, loaded.state);
        const last = toAppend[toAppend.length - 1]!;
        this.remember(streamName, {
          state,
          revision: result.nextExpectedRevision,
          lastPosition: result.position,
          lastEventHash: hashEvent({ ...last, streamName, revision: result.nextExpectedRevision }),
        });
        return { events, state, position: result.position, revision: result.nextExpectedRevision };
      } catch (error) {
        this.cache.delete(streamName);
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
        if (attempt >= this.maxAttempts) {
          throw new DomainError(
            "CONCURRENCY_CONFLICT",
            `${streamName} kept changing while this command was applied; try again`,
          );
        }
      }
    }
  }

  private toStoredEvents(
    streamName: string,
    events: Event[],
    context: CommandContext,
    loaded: LoadedStream<State>,
  ): EventToAppend[] {
    let previousEventHash = loaded.lastEventHash;
    let revision = loaded.revision ?? -1n;
    return events.map((event, index) => {
      revision += 1n;
      const stored: EventToAppend = {
        id: deterministicUuid(`${context.commandId}/${streamName}/${index}`),
        type: event.type,
        data: event.data as JsonObject,
        metadata: metadataOf(context, previousEventHash),
      };
      previousEventHash = hashEvent({ ...stored, streamName, revision });
      return stored;
    });
  }

  private async loadStream(streamName: string): Promise<LoadedStream<State>> {
    const cached = this.cache.get(streamName);
    if (cached) return cached;
    const loaded = await this.readFromStore(streamName);
    if (loaded.revision !== null) this.remember(streamName, loaded);
    return loaded;
  }

  private async readFromStore(streamName: string): Promise<LoadedStream<State>> {
    const recorded = await this.store.readStream(streamName);
    let state = this.decider.initialState();
    for (const event of recorded) state = this.decider.evolve(state, this.decider.codec.decode(event));
    const last = recorded[recorded.length - 1];
    // Not cached here: a read outside the stream's queue could put an older view over a newer one.
    return { state, revision: last?.revision ?? null, lastPosition: last?.position ?? null, lastEventHash: last ? hashEvent(last) : null };
  }

  private remember(streamName: string, loaded: LoadedStream<State>): void {
    this.cache.delete(streamName);
    this.cache.set(streamName, loaded);
    if (this.cache.size > this.cacheSize) this.cache.delete(this.cache.keys().next().value!);
  }

  private serialised<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(key) ?? Promise.resolve();
    const run = previous.then(work);
    const tail = run.catch(() => undefined);
    this.queues.set(key, tail);
    void tail.then(() => {
      if (this.queues.get(key) === tail) this.queues.delete(key);
    });
    return run;
  }
}
