import { randomUUID } from "node:crypto";
import type { EventStore, EventSubscription, SubscribeOptions } from "../../src/domain/shared/event-store.js";

/** `count` events, each appended on its own to a stream of its own; the position of the last. */
export async function appendNotes(store: EventStore, count: number): Promise<bigint> {
  let position = 0n;
  for (let i = 0; i < count; i++) {
    const result = await store.appendToStream(
      `note-${randomUUID()}`,
      [{ id: randomUUID(), type: "NoteWritten", data: { i }, metadata: { tenantId: "org-1" } }],
      { expectedRevision: "no_stream" },
    );
    position = result.position;
  }
  return position;
}

/** The store as it is, but for its subscriptions, which `subscribe` makes (from the inner store's). */
export function withSubscriptions(
  inner: EventStore,
  subscribe: (options: SubscribeOptions | undefined, inner: EventStore) => EventSubscription,
): EventStore {
  return {
    appendToStream: (stream, events, options) => inner.appendToStream(stream, events, options),
    readStream: (stream, options) => inner.readStream(stream, options),
    readAll: (options) => inner.readAll(options),
    headPosition: () => inner.headPosition(),
    close: () => inner.close(),
    subscribe: (options) => subscribe(options, inner),
  };
}
