import { Repeater } from "@graphql-yoga/subscription";
import { Arg, Resolver, Root, Subscription } from "type-graphql";
import { redactedJson } from "../../domain/audit/redact.js";
import { eventPositionSchema, parseOrThrow } from "../../domain/shared/validation.js";
import type { EventFilter, RecordedEvent } from "../../domain/shared/event-store.js";
import { authorize, type GraphQLContext } from "../context.js";
import { AuditEvent } from "../types/audit.type.js";
import { subscriberStillActive } from "./subscriber-check.js";

/**
 * N2: the integrator feed. Replays the organization's events after `after`, then continues live
 * on the same store subscription (catch-up and live are one read by position: no gap, no
 * duplicate at the switch). Reconnect with the last `position` seen to continue exactly there.
 */
@Resolver()
export class EventFeedResolver {
  @Subscription(() => AuditEvent, {
    description:
      "Your organization's events in log order: first every event after `after` (omit it for the whole history), then new ones as they happen. Each carries its `position`; reconnect with the last one you processed.",
    subscribe: ({ args, context }) => {
      const ctx = context as GraphQLContext;
      const actor = authorize(ctx, "events");
      const after = parseAfter(args.after as string | null | undefined);
      const filter: EventFilter = {};
      if (Array.isArray(args.types)) filter.eventTypes = args.types as string[];
      if (Array.isArray(args.categories)) filter.streamCategories = args.categories as string[];
      return new Repeater<RecordedEvent>(async (push, stop) => {
        const subscription = ctx.app.store.subscribe({ after, filter });
        void stop.then(() => subscription.close());
        try {
          for await (const event of subscription) {
            if (event.metadata.tenantId !== actor.organizationId) continue;
            if (!subscriberStillActive(ctx.app, actor)) break;
            await push(event);
          }
          stop();
        } catch (error) {
          stop(error);
        }
      });
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
