import { setImmediate as nextTurn } from "node:timers/promises";
import { DateTimeResolver } from "graphql-scalars";
import { JSONObjectResolver } from "graphql-scalars";
import { Arg, Args, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from "type-graphql";
import { actorIdOf } from "../../domain/access/actor.js";
import { mayCall } from "../../domain/access/authorization.js";
import { type HashChainVerifier, stateAsOf, verifyStreams } from "../../domain/audit/history.js";
import { sessionDecider } from "../../domain/sessions/decider.js";
import { sessionStreamName } from "../../domain/sessions/events.js";
import { rosterCounts } from "../../domain/sessions/registrations.js";
import { ValidationError } from "../../domain/shared/errors.js";
import { idSchema, parseOrThrow } from "../../domain/shared/validation.js";
import { verificationSlotsOf } from "../call-slots.js";
import { authorize, type GraphQLContext } from "../context.js";
import { notFound } from "../errors.js";
import { EventHistoryFilter } from "../inputs/audit.input.js";
import { AuditEvent, AuditEventConnection, EventHistoryVerification } from "../types/audit.type.js";
import { PageArgs, type PageRequest, pageOf, toConnection } from "../types/connection.js";
import { Session, toSessionView } from "../types/session.type.js";

/** History pages: 100 events by default, at most 500. */
const HistoryPage = PageArgs(100, 500);
const VERIFY_BATCH = 2000;
/** A person's details in events' data (User.email, User.roles, User.country), and a private audience's e-mails. */
const PERSONAL_FIELDS = new Set(["email", "invitedEmails", "roles", "previousRoles", "country", "isMember"]);

function withoutPersonalData(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutPersonalData);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, field]) => [key, PERSONAL_FIELDS.has(key) && field != null ? "[redacted]" : withoutPersonalData(field)]),
  );
}

/** N3: history for auditors — read it, rebuild the past, check nothing was altered. */
@Resolver(() => AuditEvent)
export class AuditResolver {
  @FieldResolver(() => JSONObjectResolver, {
    description:
      "What: the event's data (password and key hashes redacted; people's e-mails, roles, country and membership too, unless the caller may read people: staff, API keys with people:read)",
  })
  data(@Root() event: AuditEvent, @Ctx() context: GraphQLContext): Record<string, unknown> {
    if (mayCall(context.actor, "AuditEvent.personalData")) return event.data;
    return withoutPersonalData(event.data) as Record<string, unknown>;
  }

  @Query(() => AuditEventConnection, {
    description: "Your organization's events, oldest first, filtered and paginated by position (`after` = a cursor)",
  })
  eventHistory(
    @Ctx() context: GraphQLContext,
    @Args(() => HistoryPage) pageArgs: PageRequest,
    @Arg("filter", () => EventHistoryFilter, { nullable: true }) filter?: EventHistoryFilter | null,
  ): AuditEventConnection {
    const actor = authorize(context, "eventHistory");
    const { first, after } = pageOf(pageArgs, HistoryPage);
    const page = context.app.eventLogQueries.page(
      actor.organizationId,
      {
        streamName: filter?.streamName ?? undefined,
        types: filter?.types ?? undefined,
        categories: filter?.categories ?? undefined,
        actorId: filter?.actorId ?? undefined,
        from: filter?.from?.toISOString(),
        to: filter?.to?.toISOString(),
      },
      first,
      after ?? undefined,
    );
    return toConnection(page, after, (record) => ({
      position: record.position.toString(),
      streamName: record.streamName,
      revision: record.revision.toString(),
      type: record.type,
      actorId: record.actorId,
      occurredAt: new Date(record.occurredAt),
      eventId: record.eventId,
      correlationId: (record.metadata.correlationId as string | undefined) ?? null,
      causationId: (record.metadata.causationId as string | undefined) ?? null,
      data: record.data,
      metadata: record.metadata,
    }));
  }

  @Query(() => Session, {
    description:
      "The session exactly as it was at a past instant and/or stream revision, rebuilt from its events (fields read from other lists, like participants, are current)",
  })
  async sessionAsOf(
    @Arg("id", () => ID) id: string,
    @Ctx() context: GraphQLContext,
    @Arg("at", () => DateTimeResolver, { nullable: true }) at?: Date | null,
    @Arg("revision", () => Int, { nullable: true, description: "0 = as created" }) revision?: number | null,
  ): Promise<Session> {
    const actor = authorize(context, "sessionAsOf");
    const sessionId = parseOrThrow(idSchema, id, "id");
    if (revision != null && (!Number.isInteger(revision) || revision < 0)) {
      throw new ValidationError("revision", "must be 0 or more");
    }
    const events = await context.app.store.readStream(sessionStreamName(sessionId));
    const past = stateAsOf(sessionDecider, events, {
      ...(at ? { at } : {}),
      ...(revision != null ? { revision: BigInt(revision) } : {}),
    });
    const { state, lastEvent } = past;
    // Another organization's session, or one that did not exist yet, is simply not found.
    if (state.kind === "Initial" || state.session.organizationId !== actor.organizationId || !lastEvent) {
      throw notFound("Session", sessionId);
    }
    return toSessionView(state.session, {
      revision: lastEvent.revision,
      updatedAt: String(lastEvent.metadata.occurredAt),
      counts: rosterCounts(state.roster),
    });
  }

  @Query(() => EventHistoryVerification, {
    description:
      "Checks the hash chain of every stream of your organization (as the read models know them), reading each from the event store itself. One call at a time per caller (TOO_MANY_VERIFICATIONS)",
  })
  async verifyEventHistory(@Ctx() context: GraphQLContext): Promise<EventHistoryVerification> {
    const actor = authorize(context, "verifyEventHistory");
    const release = verificationSlotsOf(context.app).acquire(actorIdOf(actor));
    let verifier: HashChainVerifier;
    try {
      verifier = await verifyStreams(context.app.store, streamsOf(context, actor.organizationId), VERIFY_BATCH, nextTurn);
    } finally {
      release();
    }
    const found = verifier.firstBreak;
    return {
      intact: found === null,
      streamsChecked: verifier.streams,
      eventsChecked: verifier.events,
      firstBreak: found && {
        ...found,
        revision: found.revision.toString(),
        position: found.position.toString(),
      },
    };
  }
}

/** The organization's stream names, a page of the read model at a time. */
async function* streamsOf(context: GraphQLContext, organizationId: string): AsyncIterable<string> {
  for (let after: string | null = null; ; ) {
    const names = context.app.eventLogQueries.streamNames(organizationId, after, VERIFY_BATCH);
    yield* names;
    if (names.length < VERIFY_BATCH) return;
    after = names[names.length - 1]!;
  }
}
