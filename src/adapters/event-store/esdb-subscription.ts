import type { AllStreamResolvedEvent, AllStreamSubscription } from "@eventstore/db-client";
import type { EventSubscription, RecordedEvent } from "../../domain/shared/event-store.js";

type ServerEvent = NonNullable<AllStreamResolvedEvent["event"]>;

export interface EsdbSubscriptionOptions {
  /** Opens the server subscription (subscribeToAll, with its server-side filter). */
  open: () => AllStreamSubscription;
  /** Exclusive start; events at or before it are dropped. */
  after: bigint | undefined;
  /** Our event, or undefined for events this subscription must not deliver. */
  toRecorded: (event: ServerEvent) => RecordedEvent | undefined;
  unavailable: (error: unknown) => Error;
  onClose: () => void;
}

/** Our EventSubscription over the server's catch-up-then-live subscribeToAll. */
export class EsdbSubscription implements EventSubscription {
  readonly #options: EsdbSubscriptionOptions;
  #server: AllStreamSubscription | undefined;
  #iterator: AsyncGenerator<RecordedEvent> | undefined;
  #closed = false;
  #wakeOnClose: (() => void) | undefined;

  constructor(options: EsdbSubscriptionOptions) {
    this.#options = options;
  }

  [Symbol.asyncIterator](): AsyncIterator<RecordedEvent> {
    if (this.#iterator) throw new Error("A subscription can be iterated only once");
    this.#iterator = this.#run();
    return this.#iterator;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#wakeOnClose?.();
    this.#options.onClose();
    await this.#server?.unsubscribe().catch(() => undefined);
  }

  async *#run(): AsyncGenerator<RecordedEvent> {
    if (this.#closed) return;
    const closed = new Promise<"closed">((resolve) => (this.#wakeOnClose = () => resolve("closed")));
    let after = this.#options.after;
    try {
      this.#server = this.#options.open();
      const server = this.#server[Symbol.asyncIterator]();
      while (!this.#closed) {
        let next: IteratorResult<AllStreamResolvedEvent> | "closed";
        try {
          next = await Promise.race([server.next(), closed]);
        } catch (error) {
          if (this.#closed) return;
          throw this.#options.unavailable(error);
        }
        if (next === "closed" || next.done) return;
        const event = next.value.event;
        if (!event) continue;
        const position = event.position.commit;
        if (after !== undefined && position <= after) continue;
        after = position;
        const recorded = this.#options.toRecorded(event);
        if (recorded) yield recorded;
      }
    } finally {
      await this.close();
    }
  }
}
