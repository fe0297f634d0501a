import { DateTimeResolver } from "graphql-scalars";
import { Arg, Args, Ctx, FieldResolver, ID, Query, Resolver, Root } from "type-graphql";
import { mayCall } from "../../domain/access/authorization.js";
import { REGISTRATION_STATUSES } from "../../domain/sessions/events.js";
import { authorizeBeforeLoading, requireUser, type GraphQLContext } from "../context.js";
import { notFound } from "../errors.js";
import { ListPage, type PageRequest, pageOf, toConnection } from "../types/connection.js";
import { RegistrationStatus, Timeframe } from "../types/enums.js";
import { Registration, RegistrationConnection, toRegistrationView } from "../types/registration.type.js";
import { Session, SessionDocument, SessionSurvey, toSessionView } from "../types/session.type.js";
import { toUserView, User } from "../types/user.type.js";

const ACTIVE: RegistrationStatus[] = ["REGISTERED", "WAITLISTED"];

@Resolver(() => Registration)
export class RegistrationResolver {
  @Query(() => RegistrationConnection, {
    description: "My sessions: your registrations, upcoming (soonest first) or past (latest first), with their status",
  })
  mySessions(
    @Ctx() context: GraphQLContext,
    @Args(() => ListPage) pageArgs: PageRequest,
    @Arg("timeframe", () => Timeframe, { defaultValue: "UPCOMING" }) timeframe: Timeframe,
    @Arg("status", () => [RegistrationStatus], {
      nullable: true,
      description: "Default: REGISTERED and WAITLISTED",
    })
    status?: RegistrationStatus[] | null,
  ): RegistrationConnection {
    const actor = requireUser(context, "mySessions");
    const { first, after } = pageOf(pageArgs, ListPage);
    const statuses = status?.length ? status.filter((s) => REGISTRATION_STATUSES.includes(s)) : ACTIVE;
    const page = context.app.registrationQueries.ofUser(
      actor.userId,
      timeframe,
      statuses,
      context.app.clock.now().toISOString(),
      first,
      after ?? undefined,
    );
    return toConnection(page, after, toRegistrationView);
  }

  @Query(() => Registration, { description: "One registration: staff, or the person registered; NOT_FOUND otherwise" })
  registration(@Arg("id", () => ID) id: string, @Ctx() context: GraphQLContext): Registration {
    const actor = authorizeBeforeLoading(context, "registration");
    const record = context.app.registrationQueries.byIds(actor.organizationId, [id]).get(id);
    if (!record || !mayCall(actor, "registration", { userId: record.userId })) throw notFound("Registration", id);
    return toRegistrationView(record);
  }

  @FieldResolver(() => DateTimeResolver, {
    nullable: true,
    description: "When the registration's confirmation e-mail (seat or waiting list) was sent; null until it is (N1)",
  })
  confirmationSentAt(@Root() registration: Registration, @Ctx() context: GraphQLContext): Promise<Date | null> {
    return context.loaders.confirmationSentAt.load(registration.id);
  }

  @FieldResolver(() => Session, { nullable: true })
  async session(@Root() registration: Registration, @Ctx() context: GraphQLContext): Promise<Session | null> {
    const record = await context.loaders.sessionById.load(registration.sessionId);
    return record ? toSessionView(record.session, record) : null;
  }

  @FieldResolver(() => User, {
    nullable: true,
    description: "The person registered: whoever sees the registration sees their id and displayName, the rest as User's fields allow (the person themself, staff, API keys with people:read)",
  })
  async user(@Root() registration: Registration, @Ctx() context: GraphQLContext): Promise<User | null> {
    const user = await context.loaders.userById.load(registration.userId);
    return user ? toUserView(user) : null;
  }

  @FieldResolver(() => [SessionDocument], { description: "The session's documents, for participants holding a seat" })
  async documents(@Root() registration: Registration, @Ctx() context: GraphQLContext): Promise<SessionDocument[]> {
    if (registration.status !== "REGISTERED") return [];
    const session = await this.session(registration, context);
    return session?.documents ?? [];
  }

  @FieldResolver(() => SessionSurvey, {
    nullable: true,
    description: "The survey to fill in, once the session has ended, for participants who held a seat",
  })
  async survey(@Root() registration: Registration, @Ctx() context: GraphQLContext): Promise<SessionSurvey | null> {
    if (registration.status !== "REGISTERED") return null;
    const session = await this.session(registration, context);
    const ended = session?.schedule ? session.schedule.endsAt.getTime() <= context.app.clock.now().getTime() : false;
    return ended ? (session?.survey ?? null) : null;
  }
}
