import { Repeater } from "@graphql-yoga/subscription";
import { setImmediate as nextTurn } from "node:timers/promises";
import { Arg, Resolver, Root, Subscription } from "type-graphql";
import { actorIdOf } from "../../domain/access/actor.js";
import { redactedJson } from "../../domain/audit/redact.js";
import { eventPositionSchema, parseOrThrow } from "../../domain/shared/validation.js";
import type { EventFilter, EventSubscription, RecordedEvent } from "../../domain/shared/event-store.js";
import type { GraphQLContext } from "../context.js";
import { replaySlotsOf } from "../call-slots.js";
import { AuditEvent } from "../types/audit.type.js";
import { SubscriberCheck } from "./subscriber-check.js";

/**
 * N2: the integrator feed. Replays the organization's events after `after`, then continues live
 * on the same store subscription (catch-up and live are one read by position: no gap, no
 * duplicate at the switch). Reconnect with the last `position` seen to continue exactly there.
 * Replays running at once are bounded per caller and per server (TOO_MANY_REPLAYS), and the feed
 * yields to the event loop after every page of events it reads, so requests keep being served.
 */
/** The store's subscription had nothing ready within a turn of the event loop: it is waiting for appends. */
const IDLE = Symbol("idle");

@Resolver()
export class EventFeedResolver {
  @Subscription(() => AuditEvent, {
    description:
      "Your organization's events in log order: first every event after `after` (omit it for the whole history), then new ones as they happen. Each carries its `position`; reconnect with the last one you processed.",
    subscribe: ({ args, context }) => {
      const ctx = context as GraphQLContext;
      const subscriber = new SubscriberCheck(ctx, "events");
      const actor = subscriber.actor;
      const after = parseAfter(args.after as string | null | undefined);
      const filter: EventFilter = {};
      if (Array.isArray(args.types)) filter.eventTypes = args.types as string[];
      if (Array.isArray(args.categories)) filter.streamCategories = args.categories as string[];
      const { store, config } = ctx.app;
      const pageSize = config.replays.pageSize;
      // Refused here, before anything is read, when the caller or the server has too many replays running.
      const release = replaySlotsOf(ctx.app).acquire(actorIdOf(actor));
      let started = false;
      const feed = new Repeater<RecordedEvent>(async (push, stop) => {
        started = true;
        let stopped = false;
        let live: EventSubscription | undefined;
        void stop.then(() => {
          stopped = true;
          release();
          void live?.close();
        });
        const unwatch = subscriber.watch((error) => stop(error));
        try {
          // The replay is over at the head as it is now, or as soon as the store has nothing more at hand.
          const head = (await store.headPosition()) ?? 0n;
          let replaying = after === undefined || after < head;
          if (!replaying) release();
          if (stopped) return;
          live = store.subscribe({ after, filter });
          const events = live[Symbol.asyncIterator]();
          let turn: Promise<typeof IDLE> | undefined;
          let sinceTurn = 0;
          while (!stopped) {
            const next = events.next();
            let result = replaying
              ? await Promise.race([next, (turn ??= nextTurn().then(() => ((turn = undefined), IDLE)))])
              : await next;
            if (result === IDLE) {
              replaying = false;
              release();
              result = await next;
            }
            if (result.done || stopped) break;
            const event = result.value;
            if (replaying && event.position >= head) {
              replaying = false;
              release();
            }
            if (event.metadata.tenantId === actor.organizationId) {
              subscriber.current();
              await push(event);
            }
            // Other organizations' events are skipped without any I/O: let requests in after every page.
            if (++sinceTurn >= pageSize) {
              sinceTurn = 0;
              await nextTurn();
            }
          }
          stop();
        } catch (error) {
          stop(error);
        } finally {
          release();
          unwatch();
          void live?.close();
        }
      });
      // A subscription ended before it ever started (the client left at once) gives its slot back too.
      const returnFeed = feed.return.bind(feed);
      feed.return = (value?: unknown) => {
        if (!started) release();
        return returnFeed(value as never);
      };
      return feed;
    },
  })
  events(
    @Arg("after", () => String, { nullable: true, description: "A position from an earlier message (exclusive)" })
    _after: string | null,
    @Arg("types", () => [String], { nullable: true, description: "Only these event types, e.g. SessionConfirmed" })
    _types: string[] | null,
    @Arg("categories", () => [String], { nullable: true, description: "Only these stream categories, e.g. session, user" })
    _categories: string[] | null,
    @Root() event: RecordedEvent,
  ): AuditEvent {
    return toAuditEvent(event);
  }
}

function parseAfter(after: string | null | undefined): bigint | undefined {
  if (after === null || after === undefined) return undefined;
  return BigInt(parseOrThrow(eventPositionSchema, after, "after"));
}

export function toAuditEvent(event: RecordedEvent): AuditEvent {
  const metadata = event.metadata;
  const text = (value: unknown) => (typeof value === "string" ? value : null);
  return {
    position: event.position.toString(),
    streamName: event.streamName,
    revision: event.revision.toString(),
    type: event.type,
    actorId: text(metadata.actorId),
    occurredAt: new Date(text(metadata.occurredAt) ?? event.recordedAt.toISOString()),
    eventId: event.id,
    correlationId: text(metadata.correlationId),
    causationId: text(metadata.causationId),
    data: JSON.parse(redactedJson(event.data)) as Record<string, unknown>,
    metadata,
  };
}
