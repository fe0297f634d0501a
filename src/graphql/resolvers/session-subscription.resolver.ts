import { Repeater } from "@graphql-yoga/subscription";
import { Ctx, Resolver, Root, Subscription } from "type-graphql";
import { isSessionStatusEvent, type SessionStatusEvent } from "../../domain/sessions/events.js";
import type { RecordedEvent } from "../../domain/shared/event-store.js";
import { requirePrincipal, type GraphQLContext } from "../context.js";
import type { SessionStatus } from "../types/enums.js";
import { SessionStatusChange } from "../types/session-status-change.type.js";
import { notFound } from "../errors.js";
import { toSessionView } from "../types/session.view.js";

@Resolver()
export class SessionSubscriptionResolver {
  @Subscription(() => SessionStatusChange, {
    description: "Status changes of your organization's sessions, delivered once the read models show them",
    subscribe: ({ context }) => {
      const principal = requirePrincipal(context as GraphQLContext);
      const { projector } = (context as GraphQLContext).app;
      return new Repeater<RecordedEvent>(async (push, stop) => {
        const unsubscribe = projector.onProjected((event) => {
          if (isSessionStatusEvent(event) && event.metadata.tenantId === principal.organizationId) void push(event);
        });
        await stop;
        unsubscribe();
      });
    },
  })
  sessionStatusChanged(@Root() event: RecordedEvent, @Ctx() context: GraphQLContext): SessionStatusChange {
    const data = event.data as SessionStatusEvent["data"];
    // Not the per-context loader: a subscription's context lives as long as the subscription.
    const record = context.app.sessionQueries.byId(requirePrincipal(context).organizationId, data.sessionId);
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
