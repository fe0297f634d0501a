import { Arg, Args, Ctx, FieldResolver, ID, Query, Resolver, Root } from "type-graphql";
import { DomainError } from "../../domain/shared/errors.js";
import { mayCall } from "../../domain/access/authorization.js";
import { sessionVisibilityFor } from "../../domain/access/session-visibility.js";
import { authorize, type GraphQLContext } from "../context.js";
import { SessionFilterInput, SessionOrderByInput } from "../inputs/session.input.js";
import { SessionOrderField, SortDirection } from "../types/enums.js";
import { ListPage, type PageRequest, pageOf, toConnection } from "../types/connection.js";
import { SessionConnection } from "../types/session-connection.type.js";
import type { SessionAudience as DomainAudience } from "../../domain/sessions/values.js";
import { SessionAudience } from "../types/session-audience.type.js";
import { Session, toSessionView } from "../types/session.type.js";
import { toUserView, User } from "../types/user.type.js";
import { canSeeSession } from "../../domain/access/session-visibility.js";
import { notFound } from "../errors.js";

@Resolver(() => Session)
export class SessionResolver {
  @Query(() => Session, { description: "One session of your organization that you may see; NOT_FOUND otherwise" })
  async session(@Arg("id", () => ID) id: string, @Ctx() context: GraphQLContext): Promise<Session> {
    const actor = authorize(context, "session");
    const record = await context.loaders.sessionById.load(id);
    // Invisible is the same as absent: nothing tells a learner a draft exists.
    if (!record || !canSeeSession(actor, record.session)) throw notFound("Session", id);
    return toSessionView(record.session, record);
  }

  @Query(() => SessionConnection, { description: "Sessions of your organization, filtered, ordered and paginated" })
  sessions(
    @Ctx() context: GraphQLContext,
    @Args(() => ListPage) pageArgs: PageRequest,
    @Arg("filter", () => SessionFilterInput, { nullable: true }) filter?: SessionFilterInput | null,
    @Arg("orderBy", () => SessionOrderByInput, { nullable: true }) orderBy?: SessionOrderByInput | null,
  ): SessionConnection {
    const actor = authorize(context, "sessions");
    if (filter?.assigneeId?.length && !mayCall(actor, "Session.assignee")) {
      throw new DomainError("FORBIDDEN", "Only staff can filter sessions by assignee", { field: "filter.assigneeId" });
    }
    const { first, after } = pageOf(pageArgs, ListPage);
    const page = context.app.sessionQueries.list(
      actor.organizationId,
      sessionVisibilityFor(actor),
      {
        statuses: filter?.status ?? undefined,
        modes: filter?.mode ?? undefined,
        formats: filter?.format ?? undefined,
        categories: filter?.category ?? undefined,
        languages: filter?.language ?? undefined,
        assigneeIds: filter?.assigneeId ?? undefined,
        startsFrom: filter?.startsFrom?.toISOString(),
        startsBefore: filter?.startsBefore?.toISOString(),
        search: filter?.search ?? undefined,
      },
      { field: orderBy?.field ?? SessionOrderField.START, direction: orderBy?.direction ?? SortDirection.ASC },
      first,
      after ?? undefined,
    );
    for (const record of page.records) context.loaders.sessionById.prime(record.session.id, record);
    return toConnection(page, after, (record) => toSessionView(record.session, record));
  }

  @FieldResolver(() => String, { nullable: true, description: "Staff notes, never shown to learners: null for them" })
  privateNote(@Root() session: Session, @Ctx() context: GraphQLContext): string | null {
    return mayCall(context.actor, "Session.privateNote") ? session.privateNote : null;
  }

  @FieldResolver(() => ID, { nullable: true, description: "Staff only: null for learners" })
  assigneeId(@Root() session: Session, @Ctx() context: GraphQLContext): string | null {
    return mayCall(context.actor, "Session.assignee") ? session.assigneeId : null;
  }

  @FieldResolver(() => SessionAudience, {
    nullable: true,
    description:
      "Who may join. Learners see, of a private audience, only the entries naming them; API keys see its invited e-mails only with people:read",
  })
  audience(@Root() session: Session, @Ctx() context: GraphQLContext): typeof SessionAudience | null {
    const audience = session.audience as DomainAudience | null;
    const actor = context.actor;
    if (!audience || audience.mode !== "PRIVATE") return session.audience;
    if (mayCall(actor, "Session.audience")) {
      // The e-mails are people's details: a key with sessions:read but not people:read sees the ids only.
      return mayCall(actor, "User.email") ? audience : { ...audience, invitedEmails: [] };
    }
    if (actor?.kind !== "USER") return { ...audience, targetTeamIds: [], targetUserIds: [], invitedEmails: [] };
    return {
      ...audience,
      targetTeamIds: audience.targetTeamIds.filter((id) => actor.teamIds.includes(id)),
      targetUserIds: audience.targetUserIds.filter((id) => id === actor.userId),
      invitedEmails: audience.invitedEmails.filter((email) => email === actor.email.toLowerCase()),
    };
  }

  @FieldResolver(() => User, { nullable: true, description: "The manager responsible for setting it up (staff only)" })
  assignee(@Root() session: Session, @Ctx() context: GraphQLContext): Promise<User | null> {
    if (!mayCall(context.actor, "Session.assignee")) return Promise.resolve(null);
    return userOf(context, session.assigneeId);
  }

  @FieldResolver(() => User, {
    nullable: true,
    description: "The trainer of a webinar, classroom or online session: everyone who sees the session sees their id and displayName, the rest as User's fields allow",
  })
  trainer(@Root() session: Session, @Ctx() context: GraphQLContext): Promise<User | null> {
    return userOf(context, session.format?.trainerId ?? null);
  }

  @FieldResolver(() => User, {
    nullable: true,
    description: "The host of a webinar or classroom session: everyone who sees the session sees their id and displayName, the rest as User's fields allow",
  })
  host(@Root() session: Session, @Ctx() context: GraphQLContext): Promise<User | null> {
    const format = session.format;
    return userOf(context, format && "hostId" in format ? format.hostId : null);
  }
}

async function userOf(context: GraphQLContext, userId: string | null | undefined): Promise<User | null> {
  if (!userId) return null;
  const user = await context.loaders.userById.load(userId);
  return user ? toUserView(user) : null;
}
