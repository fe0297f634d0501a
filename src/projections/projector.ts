import type Database from "better-sqlite3";
import type { EventStore, EventSubscription, RecordedEvent } from "../domain/shared/event-store.js";
import type { Projection } from "./projection.js";
import { installProjections, readPositions } from "./projection-install.js";
import { prepared } from "./read-model-db.js";

export type ProjectedListener = (event: RecordedEvent) => void;

/**
 * Applies one batch of events and moves the positions, in one transaction. Each projection
 * takes only the events past its own position: one replayed from the start takes the whole
 * batch while the others skip what they already hold. The projections are installed
 * (installProjections).
 */
export function applyEvents(db: Database.Database, projections: readonly Projection[], events: RecordedEvent[]): void {
  if (events.length === 0) return;
  const last = events[events.length - 1]!.position;
  db.transaction(() => {
    const positions = readPositions(db, projections);
    const behind = projections.filter((projection) => isBefore(positions.get(projection.name), last));
    for (const event of events) {
      for (const projection of behind) {
        if (!isBefore(positions.get(projection.name), event.position)) continue;
        if (projection.handles === "ALL" || projection.handles.has(event.type)) projection.apply(db, event);
      }
    }
    prepared(
      db,
      `UPDATE projections SET position = @last
       WHERE name IN (SELECT value FROM json_each(@names)) AND (position IS NULL OR position < @last)`,
    ).run({ last, names: JSON.stringify(behind.map((projection) => projection.name)) });
  })();
}

/** The position every one of the projections has reached; undefined while one has taken nothing. */
export function readCheckpoint(db: Database.Database, projections: readonly Projection[]): bigint | undefined {
  let min: bigint | undefined;
  for (const position of readPositions(db, projections).values()) {
    if (position === undefined) return undefined;
    if (min === undefined || position < min) min = position;
  }
  return min;
}

/** The furthest any of the projections has reached; undefined while none has taken anything. */
function furthest(db: Database.Database, projections: readonly Projection[]): bigint | undefined {
  let max: bigint | undefined;
  for (const position of readPositions(db, projections).values()) {
    if (position !== undefined && (max === undefined || position > max)) max = position;
  }
  return max;
}

const isBefore = (position: bigint | undefined, event: bigint) => position === undefined || position < event;

/** Events applied in one transaction at most: a catch-up commits per page, not per event. */
const MAX_BATCH = 500;
const NOT_READY = Symbol("not ready");

/**
 * Groups what the subscription already holds (the rest of a catch-up page, events appended
 * together) into batches, without waiting for events that are not there yet: a batch ends when
 * the next event does not arrive before the event loop's next turn, or at `max`.
 */
async function* readyBatches(subscription: EventSubscription, max: number): AsyncGenerator<RecordedEvent[]> {
  const iterator = subscription[Symbol.asyncIterator]();
  const nextTurn = () => new Promise<typeof NOT_READY>((resolve) => setImmediate(() => resolve(NOT_READY)));
  let pending = iterator.next();
  try {
    for (;;) {
      const first = await pending;
      if (first.done) return;
      const batch = [first.value];
      let finished = false;
      pending = iterator.next();
      while (batch.length < max) {
        const next = await Promise.race([pending, nextTurn()]);
        if (next === NOT_READY) break; // `pending` stays outstanding: the next batch starts with it
        if (next.done) {
          finished = true;
          break;
        }
        batch.push(next.value);
        pending = iterator.next();
      }
      yield batch;
      if (finished) return;
    }
  } finally {
    // Also when the consumer fails: a read may still be waiting for new events, so the
    // subscription is closed (which ends that read) rather than asked to return behind it.
    await subscription.close();
  }
}

/**
 * Keeps the read models up to date from a catch-up-then-live subscription, and lets
 * mutations wait until what they wrote is visible (read-your-writes). Projections may stand at
 * different positions (one whose version changed starts again from the beginning): the
 * subscription starts after the least advanced, and `checkpoint` is the position every
 * projection has reached.
 */
export class Projector {
  private subscription: EventSubscription | undefined;
  private running: Promise<void> | undefined;
  private position: bigint;
  private waiters: { position: bigint; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private readonly listeners = new Set<ProjectedListener>();
  private failure: unknown;
  /** Listeners are not told again of events some read model held before this start. */
  private readonly announcedUpTo: bigint | undefined;
  /** Projections that were new or had a new version: replayed from the beginning of the log. */
  readonly replaying: readonly string[];

  constructor(
    private readonly store: EventStore,
    private readonly db: Database.Database,
    private readonly projections: readonly Projection[],
  ) {
    this.replaying = installProjections(db, projections);
    this.position = readCheckpoint(db, projections) ?? 0n;
    this.announcedUpTo = furthest(db, projections);
  }

  start(): void {
    if (this.running) return;
    const subscription = this.store.subscribe({ after: readCheckpoint(this.db, this.projections) });
    this.subscription = subscription;
    this.running = (async () => {
      try {
        for await (const batch of readyBatches(subscription, MAX_BATCH)) {
          applyEvents(this.db, this.projections, batch);
          this.position = batch[batch.length - 1]!.position;
          this.releaseWaiters();
          for (const event of batch) {
            if (this.announcedUpTo !== undefined && event.position <= this.announcedUpTo) continue;
            for (const listener of this.listeners) listener(event);
          }
        }
      } catch (error) {
        this.failure = error;
        // Nobody waits out their timeout for a read model that stopped.
        for (const waiter of this.waiters.splice(0)) waiter.reject(error);
        throw error;
      }
    })();
    this.running.catch(() => undefined);
  }

  /** Called for each event once it is committed to the read models. */
  onProjected(listener: ProjectedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves once the read models include the event at `position`; false after the timeout. */
  waitFor(position: bigint, timeoutMs: number): Promise<boolean> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.position >= position) return Promise.resolve(true);
    return new Promise((resolve, reject) => {
      const waiter = {
        position,
        resolve: () => {
          clearTimeout(timer);
          resolve(true);
        },
        reject: (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(false);
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  get checkpoint(): bigint {
    return this.position;
  }

  async stop(): Promise<void> {
    await this.subscription?.close();
    await this.running?.catch(() => undefined);
    this.running = undefined;
  }

  private releaseWaiters(): void {
    if (this.waiters.length === 0) return;
    const ready = this.waiters.filter((w) => w.position <= this.position);
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.position > this.position);
    for (const waiter of ready) waiter.resolve();
  }
}
