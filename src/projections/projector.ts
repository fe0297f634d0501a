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

export type ProjectorStatus = "idle" | "running" | "restarting" | "failed" | "stopped";

export interface ProjectorOptions {
  /**
   * Restart after a failure (a projection that throws, the read-model file busy or damaged, the
   * store's subscription failing), after `initialDelayMs`, doubling up to `maxDelayMs`. Without
   * it a failure is final: waiters are rejected with it.
   */
  restart?: { initialDelayMs: number; maxDelayMs: number };
  /** Each failure and restart is logged. */
  logger?: { error(details: object, message: string): void; info(details: object, message: string): void };
}

interface Waiter {
  position: bigint;
  /** Gives up (false) as soon as the projector fails rather than waiting for its restart. */
  failFast: boolean;
  resolve: (reached: boolean) => void;
  reject: (error: unknown) => void;
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
  private waiters: Waiter[] = [];
  private readonly listeners = new Set<ProjectedListener>();
  private failure: unknown;
  private state: ProjectorStatus = "idle";
  /** After a failure, until the restarted subscription has applied a batch or found nothing to apply. */
  private recovering = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private restartDelayMs: number;
  private restartCount = 0;
  private lastError: string | undefined;
  /** Listeners are not told again of events some read model held before this start. */
  private readonly announcedUpTo: bigint | undefined;
  /** Projections that were new or had a new version: replayed from the beginning of the log. */
  readonly replaying: readonly string[];

  constructor(
    private readonly store: EventStore,
    private readonly db: Database.Database,
    private readonly projections: readonly Projection[],
    private readonly options: ProjectorOptions = {},
  ) {
    this.replaying = installProjections(db, projections);
    this.position = readCheckpoint(db, projections) ?? 0n;
    this.announcedUpTo = furthest(db, projections);
    this.restartDelayMs = options.restart?.initialDelayMs ?? 0;
  }

  start(): void {
    if (this.running) return;
    const subscription = this.store.subscribe({ after: readCheckpoint(this.db, this.projections) });
    this.subscription = subscription;
    this.state = "running";
    this.running = (async () => {
      try {
        for await (const batch of readyBatches(subscription, MAX_BATCH)) {
          applyEvents(this.db, this.projections, batch);
          this.position = batch[batch.length - 1]!.position;
          this.recovered();
          this.releaseWaiters();
          for (const event of batch) {
            if (this.announcedUpTo !== undefined && event.position <= this.announcedUpTo) continue;
            for (const listener of this.listeners) listener(event);
          }
        }
        // The store ended the subscription (it was closed) without stop().
        if (this.state === "running") {
          if (this.options.restart) this.failed(new Error("the event store subscription ended"));
          else this.state = "stopped";
        }
      } catch (error) {
        if (this.state === "stopped") return;
        this.failed(error);
        if (!this.options.restart) throw error;
      }
    })();
    this.running.catch(() => undefined);
  }

  /** Called for each event once it is committed to the read models. */
  onProjected(listener: ProjectedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Resolves once the read models include the event at `position`; false after the timeout.
   * A waiter outlives a restart of the projector, unless `failFast`: then it is false at once
   * while the projector is not available, or as soon as it fails.
   */
  waitFor(position: bigint, timeoutMs: number, options: { failFast?: boolean } = {}): Promise<boolean> {
    if (this.state === "failed") return Promise.reject(this.failure);
    if (this.position >= position) return Promise.resolve(true);
    const failFast = options.failFast ?? false;
    if (failFast && !this.available) return Promise.resolve(false);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        position,
        failFast,
        resolve: (reached) => {
          clearTimeout(timer);
          resolve(reached);
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

  /** running: following the log; restarting: failed, restart scheduled; failed: for good; stopped: by stop(). */
  get status(): ProjectorStatus {
    return this.state;
  }

  /**
   * False from a failure until the restarted projector has applied a batch (or found nothing to
   * apply): mutations are refused meanwhile. A projector stopped on purpose (stop()) is not failed.
   */
  get available(): boolean {
    return this.state !== "restarting" && this.state !== "failed" && !this.recovering;
  }

  /** Restarts since the start, and the last failure's message. */
  get failures(): { restarts: number; lastError: string | undefined } {
    return { restarts: this.restartCount, lastError: this.lastError };
  }

  async stop(): Promise<void> {
    this.state = "stopped";
    clearTimeout(this.restartTimer);
    await this.subscription?.close();
    await this.running?.catch(() => undefined);
    this.running = undefined;
  }

  private failed(error: unknown): void {
    this.failure = error;
    this.lastError = error instanceof Error ? error.message : String(error);
    this.running = undefined;
    this.subscription = undefined;
    const restart = this.options.restart;
    if (!restart) {
      this.state = "failed";
      this.options.logger?.error({ err: error }, "projector stopped: the read models no longer follow the event log");
      // Nobody waits out their timeout for a read model that stopped.
      for (const waiter of this.waiters.splice(0)) waiter.reject(error);
      return;
    }
    this.state = "restarting";
    this.recovering = true;
    const delayMs = this.restartDelayMs;
    this.restartDelayMs = Math.min(restart.maxDelayMs, Math.max(1, delayMs) * 2);
    this.options.logger?.error({ err: error, restartInMs: delayMs }, "projector failed; restarting it");
    const failFast = this.waiters.filter((waiter) => waiter.failFast);
    this.waiters = this.waiters.filter((waiter) => !waiter.failFast);
    for (const waiter of failFast) waiter.resolve(false);
    this.restartTimer = setTimeout(() => this.restart(), delayMs);
    this.restartTimer.unref();
  }

  private restart(): void {
    if (this.state !== "restarting") return;
    this.restartCount += 1;
    // The failed batch was rolled back: continue from what is committed.
    this.position = readCheckpoint(this.db, this.projections) ?? 0n;
    this.options.logger?.info({ restarts: this.restartCount, position: String(this.position) }, "projector restarted");
    try {
      this.start();
    } catch (error) {
      this.failed(error);
      return;
    }
    // Nothing to apply after the restart: nothing will come to prove it works, so look at the head.
    void this.store
      .headPosition()
      .then((head) => {
        if (this.state === "running" && (head === null || head <= this.position)) this.recovered();
      })
      .catch(() => undefined);
  }

  private recovered(): void {
    if (!this.recovering) return;
    this.recovering = false;
    this.restartDelayMs = this.options.restart?.initialDelayMs ?? 0;
  }

  private releaseWaiters(): void {
    if (this.waiters.length === 0) return;
    const ready = this.waiters.filter((w) => w.position <= this.position);
    if (ready.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.position > this.position);
    for (const waiter of ready) waiter.resolve(true);
  }
}
