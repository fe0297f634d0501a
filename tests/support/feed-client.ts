/**
 * A client of the integrator feed (`subscription events`, N2) over a real graphql-ws WebSocket:
 * keeps every delivered event in order (optionally "processing" the first ones slowly) and every
 * error, whether the server sent it as a result or as the subscription's error.
 */
import type { Client } from "graphql-ws";
import { sleep } from "./status-changes.js";

export const FEED_FIELDS = "position streamName revision type actorId occurredAt eventId correlationId causationId data metadata";

export const FEED = `subscription ($after: String, $types: [String!], $categories: [String!]) {
  events(after: $after, types: $types, categories: $categories) { ${FEED_FIELDS} }
}`;

export interface FeedEvent {
  position: string;
  streamName: string;
  revision: string;
  type: string;
  actorId: string | null;
  occurredAt: string;
  eventId: string;
  correlationId: string | null;
  causationId: string | null;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
}

export interface FeedError {
  message: string;
  extensions?: Record<string, unknown>;
}

export interface FeedVariables {
  after?: string | null;
  types?: string[];
  categories?: string[];
}

export interface Feed {
  /** Events processed so far, in delivery order. */
  events: FeedEvent[];
  errors: FeedError[];
  completed: boolean;
  /** Waits (bounded) until `condition` holds on the processed events; fails at once on a feed error. */
  waitFor(condition: (events: FeedEvent[]) => boolean, what: string, timeoutMs?: number): Promise<void>;
  /** Waits (bounded) for the feed to fail and returns its errors. */
  waitForErrors(timeoutMs?: number): Promise<FeedError[]>;
  close(): void;
}

export interface FeedOptions {
  /** Process each of the first `slowFirst` events `delayMs` later than the previous one. */
  slowFirst?: number;
  delayMs?: number;
}

export function openFeed(client: Client, variables: FeedVariables = {}, options: FeedOptions = {}): Feed {
  let processing: Promise<void> = Promise.resolve();
  let delivered = 0;
  const feed: Feed = {
    events: [],
    errors: [],
    completed: false,
    async waitFor(condition, what, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (feed.errors.length) throw new Error(`Feed failed while waiting for ${what}: ${JSON.stringify(feed.errors)}`);
        if (condition(feed.events)) return;
        if (feed.completed) throw new Error(`Feed completed before ${what} (${feed.events.length} events)`);
        if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what} (${feed.events.length} events)`);
        await sleep(10);
      }
    },
    async waitForErrors(timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!feed.errors.length) {
        if (feed.completed) throw new Error(`Feed completed without an error (${feed.events.length} events)`);
        if (Date.now() > deadline) throw new Error(`Timed out waiting for a feed error (${feed.events.length} events)`);
        await sleep(10);
      }
      return feed.errors;
    },
    close: () => undefined,
  };
  feed.close = client.subscribe<{ events: FeedEvent }>(
    { query: FEED, variables: { ...variables } },
    {
      next: (result) => {
        if (result.errors) feed.errors.push(...(result.errors as FeedError[]));
        const event = result.data?.events;
        if (!event) return;
        delivered += 1;
        const slow = options.delayMs !== undefined && delivered <= (options.slowFirst ?? Infinity);
        processing = processing.then(async () => {
          if (slow) await sleep(options.delayMs!);
          feed.events.push(event);
        });
      },
      error: (error) => void feed.errors.push(...((Array.isArray(error) ? error : [error]) as FeedError[])),
      complete: () => void processing.then(() => (feed.completed = true)),
    },
  );
  return feed;
}
