import { Repeater } from "@graphql-yoga/subscription";
import { Ctx, Resolver, Root, Subscription } from "type-graphql";
import { decodeSessionStatusEvent } from "../../domain/sessions/events.js";
import { isSessionStatusEvent } from "../../domain/sessions/events.js";
import type { RecordedEvent } from "../../domain/shared/event-store.js";
import { canSeeSession, sessionVisibilityFor } from "../../domain/access/session-visibility.js";
import type { Actor } from "../../domain/access/actor.js";
import { requireActor, type GraphQLContext } from "../context.js";
import type { SessionStatus } from "../types/enums.js";
import { SessionStatusChange } from "../types/session-status-change.type.js";
import { notFound } from "../errors.js";
import { toSessionView } from "../types/session.type.js";
import { SubscriberCheck } from "./subscriber-check.js";

@Resolver()
export class SessionSubscriptionResolver {
  @Subscription(() => SessionStatusChange, {
    description: "Status changes of your organization's sessions, delivered once the read models show them",
    subscribe: ({ context }) => {
      const ctx = context as GraphQLContext;
      const subscriber = new SubscriberCheck(ctx, "sessionStatusChanged");
      const { organizationId } = subscriber.actor;
      const { projector, sessionQueries } = ctx.app;
      return new Repeater<RecordedEvent>(async (push, stop) => {
        const unwatch = subscriber.watch((error) => stop(error));
        const unsubscribe = projector.onProjected((event) => {
          if (!isSessionStatusEvent(event) || event.metadata.tenantId !== organizationId) return;
          let actor: Actor;
          try {
            // With the caller's current rights: a learner no longer gets what only staff may see.
            actor = subscriber.current();
          } catch (error) {
            stop(error);
            return;
          }
          if (sessionVisibilityFor(actor).kind !== "ALL") {
            const record = sessionQueries.byId(organizationId, String(event.data.sessionId));
            if (!record || !canSeeSession(actor, record.session)) return;
          }
          void push(event);
        });
        await stop;
        unsubscribe();
        unwatch();
      });
    },
  })
  sessionStatusChanged(@Root() event: RecordedEvent, @Ctx() context: GraphQLContext): SessionStatusChange {
    const { data } = decodeSessionStatusEvent(event);
    // Not the per-context loader: a subscription's context lives as long as the subscription.
    const record = context.app.sessionQueries.byId(requireActor(context).organizationId, data.sessionId);
    if (!record) throw notFound("Session", data.sessionId);
    return {
      sessionId: data.sessionId,
      previousStatus: data.from as SessionStatus,
      status: data.to as SessionStatus,
      reason: data.reason,
      changedBy: data.changedBy,
      changedAt: new Date(data.changedAt),
      position: event.position.toString(),
      session: toSessionView(record.session, record),
    };
  }
}
