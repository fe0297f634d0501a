import type {
  EventSubscription,
  ReadAllOptions,
  RecordedEvent,
  SubscribeOptions,
} from "../../domain/shared/event-store.js";

/** In-process "something was appended" signal shared by a store and its subscriptions. */
export class AppendNotifier {
  readonly #listeners = new Set<() => void>();

  listen(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  notify(): void {
    for (const listener of this.#listeners) listener();
  }
}

export interface CatchUpOptions extends SubscribeOptions {
  batchSize?: number;
  /** Re-read at least this often while idle, to see appends made by other processes. */
  pollIntervalMs?: number;
  onClose?: () => void;
}

/**
 * Catch-up then live by pulling the global log by position: every read starts right after
 * the last delivered event, so the switch from catch-up to live has no gap and no duplicate.
 * This relies on positions becoming visible in increasing order (true for both adapters:
 * appends are serialised).
 */
export class CatchUpSubscription implements EventSubscription {
  readonly #readAll: (options: ReadAllOptions) => Promise<RecordedEvent[]>;
  readonly #options: CatchUpOptions;
  readonly #unlisten: () => void;
  #iterator: AsyncGenerator<RecordedEvent> | undefined;
  #closed = false;
  /** An append was signalled since the last read started. */
  #dirty = false;
  #wake: (() => void) | undefined;

  constructor(
    readAll: (options: ReadAllOptions) => Promise<RecordedEvent[]>,
    notifier: AppendNotifier,
    options: CatchUpOptions,
  ) {
    this.#readAll = readAll;
    this.#options = options;
    this.#unlisten = notifier.listen(() => {
      this.#dirty = true;
      this.#wake?.();
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    if (this.#iterator) throw new Error("A subscription can be iterated only once");
    this.#iterator = this.#run();
    return this.#iterator;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#unlisten();
    this.#wake?.();
    this.#options.onClose?.();
  }

  async *#run(): AsyncGenerator<RecordedEvent> {
    const batchSize = this.#options.batchSize ?? 100;
    let after = this.#options.after;
    try {
      while (!this.#closed) {
        this.#dirty = false;
        let events: RecordedEvent[];
        try {
          events = await this.#readAll({ after, maxCount: batchSize, filter: this.#options.filter });
        } catch (error) {
          if (this.#closed) return;
          throw error;
        }
        for (const event of events) {
          if (this.#closed) return;
          after = event.position;
          yield event;
        }
        if (events.length < batchSize && !this.#dirty && !this.#closed) await this.#idle();
      }
    } finally {
      // Also reached when the consumer leaves its for-await loop early.
      await this.close();
    }
  }

  #idle(): Promise<void> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        clearTimeout(timer);
        this.#wake = undefined;
        resolve();
      };
      this.#wake = done;
      if (this.#options.pollIntervalMs !== undefined) {
        timer = setTimeout(done, this.#options.pollIntervalMs);
      }
    });
  }
}
