import type Database from "better-sqlite3";
import type { EventStore, EventSubscription, RecordedEvent } from "../domain/shared/event-store.js";
import type { Projection } from "./projection.js";
import { prepared } from "./read-model-db.js";

export const CHECKPOINT_NAME = "read-models";

export type ProjectedListener = (event: RecordedEvent) => void;

/** Applies one batch of events and moves the checkpoint, in one transaction. */
export function applyEvents(db: Database.Database, projections: readonly Projection[], events: RecordedEvent[]): void {
  if (events.length === 0) return;
  db.transaction(() => {
    for (const event of events) {
      for (const projection of projections) {
        if (projection.handles === "ALL" || projection.handles.has(event.type)) projection.apply(db, event);
      }
    }
    prepared(
      db,
      `INSERT INTO checkpoints (name, position) VALUES (?, ?)
       ON CONFLICT (name) DO UPDATE SET position = excluded.position`,
    ).run(CHECKPOINT_NAME, events[events.length - 1]!.position);
  })();
}

export function readCheckpoint(db: Database.Database): bigint | undefined {
  const row = prepared(db, "SELECT position FROM checkpoints WHERE name = ?").safeIntegers(true).get(CHECKPOINT_NAME) as
    | { position: bigint }
    | undefined;
  return row?.position;
}

/**
 * Keeps the read models up to date from a catch-up-then-live subscription, and lets
 * mutations wait until what they wrote is visible (read-your-writes).
 */
export class Projector {
  private subscription: EventSubscription | undefined;
  private running: Promise<void> | undefined;
  private position: bigint;
  private waiters: { position: bigint; resolve: () => void }[] = [];
  private readonly listeners = new Set<ProjectedListener>();
  private failure: unknown;

  constructor(
    private readonly store: EventStore,
    private readonly db: Database.Database,
    private readonly projections: readonly Projection[],
  ) {
    this.position = readCheckpoint(db) ?? 0n;
  }

  start(): void {
    if (this.running) return;
    const subscription = this.store.subscribe({ after: readCheckpoint(this.db) });
    this.subscription = subscription;
    this.running = (async () => {
      try {
        for await (const event of subscription) {
          applyEvents(this.db, this.projections, [event]);
          this.position = event.position;
          this.releaseWaiters();
          for (const listener of this.listeners) listener(event);
        }
      } catch (error) {
        this.failure = error;
        throw error;
      }
    })();
    this.running.catch(() => undefined);
  }

  /** Called after each event is committed to the read models. */
  onProjected(listener: ProjectedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves once the read models include the event at `position`; false after the timeout. */
  waitFor(position: bigint, timeoutMs: number): Promise<boolean> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.position >= position) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = {
        position,
        resolve: () => {
          clearTimeout(timer);
          resolve(true);
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
