import { randomUUID } from "node:crypto";
import type Database from "better-sqlite3";
import type { Logger } from "pino";
import type { Clock } from "../../domain/shared/clock.js";
import { nextAttemptAt } from "../../domain/side-effects/retry-schedule.js";
import type { SideEffectCommand, SideEffectState } from "../../domain/side-effects/decider.js";
import { sideEffectStreamName, type SideEffectEvent } from "../../domain/side-effects/events.js";
import type { CommandHandler } from "../../domain/shared/command-handler.js";
import type { CommandContext } from "../../domain/shared/decider.js";
import { DomainError } from "../../domain/shared/errors.js";
import type { EventStore, EventSubscription, RecordedEvent } from "../../domain/shared/event-store.js";
import type { Projector } from "../../projections/projector.js";
import { prepared } from "../../projections/read-model-db.js";
import type { SideEffectQueries } from "../../projections/side-effects.queries.js";
import { EffectFailure, type EffectRequest, type Reactor } from "./reactor.js";

export interface SideEffectRunnerOptions {
  store: EventStore;
  /** The read-model database: keeps this process's checkpoint. */
  db: Database.Database;
  projector: Projector;
  effects: CommandHandler<SideEffectCommand, SideEffectEvent, SideEffectState>;
  queries: SideEffectQueries;
  reactors: readonly Reactor[];
  /** Names this process in claims; unique per process start. */
  instanceId: string;
  logger: Logger;
  /** An attempt not finished within this time may be claimed by another process. */
  leaseMs: number;
  /** How often due retries and lost attempts are looked for. */
  sweepIntervalMs: number;
  /** Attempts running at once. */
  concurrency?: number;
  clock: Clock;
  random?: () => number;
}

const CHECKPOINT = "side-effects";

/**
 * Runs side effects from the event log, exactly once across replicas: every replica reads every
 * event, but an attempt runs only in the replica whose claim was appended (see src/domain/side-effects/decider.ts).
 * Each replica keeps its own checkpoint next to its read models; a replica that has none starts
 * at the head of the log (the others handled the past). Retries and attempts whose process died
 * are found by a periodic sweep of the side_effects read model and claimed the same way.
 */
export class SideEffectRunner {
  readonly #options: SideEffectRunnerOptions;
  readonly #byKind: Map<string, Reactor>;
  readonly #running = new Set<Promise<void>>();
  readonly #waiting: (() => void)[] = [];
  #active = 0;
  #subscription: EventSubscription | undefined;
  #loop: Promise<void> | undefined;
  #sweeper: NodeJS.Timeout | undefined;
  #sweeping = false;
  #stopped = false;
  #ended = false;

  constructor(options: SideEffectRunnerOptions) {
    this.#options = options;
    this.#byKind = new Map(options.reactors.map((reactor) => [reactor.kind, reactor]));
  }

  start(): void {
    if (this.#loop) return;
    this.#loop = this.#follow()
      .catch((error: unknown) => {
        if (!this.#stopped) this.#options.logger.error({ err: error }, "side-effect runner stopped");
      })
      .finally(() => {
        this.#ended = true;
      });
    this.#sweeper = setInterval(() => void this.sweep(), this.#options.sweepIntervalMs);
    this.#sweeper.unref();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#sweeper);
    await this.#subscription?.close();
    await this.#loop;
    await Promise.allSettled([...this.#running]);
  }

  /** Started, following the log, and neither stopped nor crashed. */
  get running(): boolean {
    return this.#loop !== undefined && !this.#stopped && !this.#ended;
  }

  /** Claims and runs what is due now. Runs on a timer; tests may call it directly. */
  async sweep(): Promise<void> {
    if (this.#sweeping || this.#stopped) return;
    this.#sweeping = true;
    try {
      for (const record of this.#options.queries.due(this.#now(), 50)) {
        const reactor = this.#byKind.get(record.kind);
        if (!reactor) continue;
        const trigger = await this.#eventAt(record.triggerPosition, record.triggerEventId);
        if (!trigger) continue;
        const request: EffectRequest = {
          key: record.key,
          kind: record.kind,
          targetId: record.targetId,
          organizationId: record.organizationId,
          trigger,
        };
        if (await this.#claim(request, record.attempts + 1)) this.#launch(reactor, request, record.attempts + 1);
      }
    } catch (error) {
      this.#options.logger.warn({ err: error }, "side-effect sweep failed; will try again");
    } finally {
      this.#sweeping = false;
    }
  }

  async #follow(): Promise<void> {
    const { store, projector } = this.#options;
    const after = this.#checkpoint() ?? (await store.headPosition()) ?? undefined;
    if (this.#stopped) return;
    if (after !== undefined) this.#saveCheckpoint(after);
    this.#subscription = store.subscribe({ after });
    for await (const event of this.#subscription) {
      // The reactors read the read models (who subscribed, who to e-mail): wait until they hold this event.
      while (!(await projector.waitFor(event.position, 5000))) {
        if (this.#stopped) return;
      }
      for (const reactor of this.#options.reactors) {
        for (const request of await reactor.effectsOf(event)) {
          if (await this.#claim(request, 1)) this.#launch(reactor, request, 1);
        }
      }
      this.#saveCheckpoint(event.position);
    }
  }

  /** True when this process won the attempt. */
  async #claim(request: EffectRequest, attempt: number): Promise<boolean> {
    try {
      await this.#options.effects.handle(sideEffectStreamName(request.key), {
        type: "ClaimSideEffect",
        key: request.key,
        kind: request.kind,
        targetId: request.targetId,
        trigger: {
          eventId: request.trigger.id,
          eventType: request.trigger.type,
          streamName: request.trigger.streamName,
          position: request.trigger.position.toString(),
        },
        attempt,
        claimedBy: this.#options.instanceId,
        leaseMs: this.#options.leaseMs,
        context: this.#context(request),
      });
      return true;
    } catch (error) {
      if (error instanceof DomainError && (error.code === "ALREADY_CLAIMED" || error.code === "CONCURRENCY_CONFLICT")) {
        return false;
      }
      throw error;
    }
  }

  #launch(reactor: Reactor, request: EffectRequest, attempt: number): void {
    const run = this.#acquireSlot()
      .then(() => this.#attempt(reactor, request, attempt).finally(() => this.#releaseSlot()))
      .catch((error: unknown) => this.#options.logger.error({ err: error, key: request.key }, "recording a side effect failed"))
      .finally(() => this.#running.delete(run));
    this.#running.add(run);
  }

  /** At most `concurrency` attempts run at once; the others wait their turn in order. */
  #acquireSlot(): Promise<void> {
    if (this.#active < (this.#options.concurrency ?? 8)) {
      this.#active += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #releaseSlot(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#active -= 1;
  }

  async #attempt(reactor: Reactor, request: EffectRequest, attempt: number): Promise<void> {
    const stream = sideEffectStreamName(request.key);
    try {
      const outcome = await reactor.perform(request, attempt);
      await this.#options.effects.handle(stream, {
        type: "RecordSideEffectSucceeded",
        key: request.key,
        attempt,
        statusCode: outcome.statusCode,
        context: this.#context(request),
      });
    } catch (error) {
      const failure = error instanceof EffectFailure ? error : new EffectFailure(error instanceof Error ? error.message : String(error));
      const failedAt = this.#now();
      const retryAt = failure.permanent
        ? null
        : nextAttemptAt(attempt, failedAt, reactor.retryPolicy, (this.#options.random ?? Math.random)());
      this.#options.logger.warn({ key: request.key, attempt, error: failure.message, retryAt }, "side effect failed");
      await this.#options.effects.handle(stream, {
        type: "RecordSideEffectFailed",
        key: request.key,
        attempt,
        error: failure.message,
        statusCode: failure.statusCode,
        retryAt,
        context: { ...this.#context(request), now: failedAt },
      });
    }
  }

  async #eventAt(position: bigint, eventId: string): Promise<RecordedEvent | undefined> {
    const [event] = await this.#options.store.readAll({ after: position - 1n, maxCount: 1 });
    return event?.id === eventId ? event : undefined;
  }

  #context(request: EffectRequest): CommandContext {
    const commandId = randomUUID();
    return {
      // A fresh id per claim: two replicas must never send the same event ids, or the second
      // append would look like a retry of the first and both would believe they won.
      commandId,
      organizationId: request.organizationId,
      actorId: "system:side-effects",
      now: this.#now(),
      correlationId: String(request.trigger.metadata.correlationId ?? request.trigger.id),
      causationId: request.trigger.id,
    };
  }

  #checkpoint(): bigint | undefined {
    const row = prepared(this.#options.db, "SELECT position FROM side_effect_checkpoint WHERE name = ?")
      .safeIntegers(true)
      .get(CHECKPOINT) as { position: bigint } | undefined;
    return row?.position;
  }

  #saveCheckpoint(position: bigint): void {
    prepared(
      this.#options.db,
      "INSERT INTO side_effect_checkpoint (name, position) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position",
    ).run(CHECKPOINT, position);
  }

  #now(): Date {
    return this.#options.clock.now();
  }
}
