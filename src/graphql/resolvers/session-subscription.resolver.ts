import { Repeater } from "@graphql-yoga/subscription";
import { Ctx, Resolver, Root, Subscription } from "type-graphql";
import { decodeSessionStatusEvent } from "../../domain/sessions/events.js";
import { isSessionStatusEvent } from "../../domain/sessions/events.js";
import type { RecordedEvent } from "../../domain/shared/event-store.js";
import { canSeeSession, sessionVisibilityFor } from "../../domain/access/session-visibility.js";
import { authorize, requireActor, type GraphQLContext } from "../context.js";
import type { SessionStatus } from "../types/enums.js";
import { SessionStatusChange } from "../types/session-status-change.type.js";
import { notFound } from "../errors.js";
import { toSessionView } from "../types/session.type.js";
import { subscriberStillActive } from "./subscriber-check.js";

@Resolver()
export class SessionSubscriptionResolver {
  @Subscription(() => SessionStatusChange, {
    description: "Status changes of your organization's sessions, delivered once the read models show them",
    subscribe: ({ context }) => {
      const actor = authorize(context as GraphQLContext, "sessionStatusChanged");
      const { projector, sessionQueries } = (context as GraphQLContext).app;
      const everything = sessionVisibilityFor(actor).kind === "ALL";
      const visible = (event: RecordedEvent) => {
        if (event.metadata.tenantId !== actor.organizationId) return false;
        if (!subscriberStillActive((context as GraphQLContext).app, actor)) return false;
        if (everything) return true;
        const record = sessionQueries.byId(actor.organizationId, String(event.data.sessionId));
        return record !== null && canSeeSession(actor, record.session);
      };
      return new Repeater<RecordedEvent>(async (push, stop) => {
        const unsubscribe = projector.onProjected((event) => {
          if (isSessionStatusEvent(event) && visible(event)) void push(event);
        });
        await stop;
        unsubscribe();
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
