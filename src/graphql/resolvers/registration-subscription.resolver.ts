import { Repeater } from "@graphql-yoga/subscription";
import { Arg, Ctx, ID, Resolver, Root, Subscription } from "type-graphql";
import { mayCall } from "../../domain/access/authorization.js";
import { canSeeSession } from "../../domain/access/session-visibility.js";
import { decodeRegistrationEvent } from "../../domain/sessions/events.js";
import { isRegistrationEvent, type RegistrationEvent } from "../../domain/sessions/events.js";
import type { RecordedEvent } from "../../domain/shared/event-store.js";
import { assertNever } from "../../domain/shared/errors.js";
import type { Actor } from "../../domain/access/actor.js";
import { requireActor, type GraphQLContext } from "../context.js";
import { notFound } from "../errors.js";
import type { RegistrationChangeKind } from "../types/enums.js";
import { RegistrationChange, toRegistrationView } from "../types/registration.type.js";
import { SubscriberCheck } from "./subscriber-check.js";

@Resolver()
export class RegistrationSubscriptionResolver {
  @Subscription(() => RegistrationChange, {
    description:
      "Registrations of one session as they change (registered, waitlisted, promoted, canceled, attended): staff see all, others their own",
    subscribe: ({ args, context }) => {
      const ctx = context as GraphQLContext;
      const subscriber = new SubscriberCheck(ctx, "registrationChanged");
      const { organizationId } = subscriber.actor;
      const sessionId = String(args.sessionId);
      const record = ctx.app.sessionQueries.byId(organizationId, sessionId);
      if (!record || !canSeeSession(subscriber.actor, record.session)) throw notFound("Session", sessionId);
      return new Repeater<RecordedEvent>(async (push, stop) => {
        const unwatch = subscriber.watch((error) => stop(error));
        const unsubscribe = ctx.app.projector.onProjected((event) => {
          if (!isRegistrationEvent(event) || event.data.sessionId !== sessionId || event.metadata.tenantId !== organizationId) return;
          let actor: Actor;
          try {
            actor = subscriber.current();
          } catch (error) {
            stop(error);
            return;
          }
          // Staff as they are now see every registration; everyone else only their own.
          const everyone = actor.kind === "API_KEY" || mayCall(actor, "Session.participants");
          if (everyone || (actor.kind === "USER" && event.data.userId === actor.userId)) void push(event);
        });
        await stop;
        unsubscribe();
        unwatch();
      });
    },
  })
  registrationChanged(
    @Arg("sessionId", () => ID) _sessionId: string,
    @Root() recorded: RecordedEvent,
    @Ctx() context: GraphQLContext,
  ): RegistrationChange {
    const event = decodeRegistrationEvent(recorded);
    const organizationId = requireActor(context).organizationId;
    const record = context.app.registrationQueries.byIds(organizationId, [event.data.registrationId]).get(event.data.registrationId);
    if (!record) throw notFound("Registration", event.data.registrationId);
    return {
      change: changeOf(event),
      sessionId: event.data.sessionId,
      registration: toRegistrationView(record),
      changedBy: String(recorded.metadata.actorId),
      changedAt: new Date(String(recorded.metadata.occurredAt)),
      position: recorded.position.toString(),
    };
  }
}

function changeOf(event: RegistrationEvent): RegistrationChangeKind {
  switch (event.type) {
    case "ParticipantRegistered":
      return "REGISTERED";
    case "ParticipantWaitlisted":
      return "WAITLISTED";
    case "ParticipantPromotedFromWaitlist":
      return "PROMOTED";
    case "RegistrationCanceled":
      return "CANCELED";
    case "AttendanceConfirmed":
      return "ATTENDED";
    default:
      return assertNever(event);
  }
}
