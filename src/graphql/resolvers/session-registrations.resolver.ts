import { Arg, Args, Ctx, FieldResolver, Resolver, Root } from "type-graphql";
import { mayCall } from "../../domain/access/authorization.js";
import type { SessionRoster } from "../../projections/registrations.queries.js";
import { authorize, type GraphQLContext } from "../context.js";
import { trainerIdsOf } from "../../domain/sessions/use-cases.js";
import { PageArgs, type PageRequest, pageOf, toConnection } from "../types/connection.js";
import { AttendanceLink, Registration, RegistrationConnection, toRegistrationView } from "../types/registration.type.js";
import { Session } from "../types/session.type.js";

/** A session's people: 50 by default, at most 100. */
const RosterPage = PageArgs(50, 100);

/** A session's people: its roster for staff, the caller's own registration for everyone (S8–S10, S6). */
@Resolver(() => Session)
export class SessionRegistrationsResolver {
  @FieldResolver(() => RegistrationConnection, {
    nullable: true,
    description:
      "The people holding a seat, in the order they got it. Staff and API keys with sessions:read; FORBIDDEN (null) for everyone else",
  })
  participants(
    @Root() session: Session,
    @Ctx() context: GraphQLContext,
    @Args(() => RosterPage) pageArgs: PageRequest,
    @Arg("attended", () => Boolean, { nullable: true, description: "Only those who attended (true) or not (false)" })
    attended?: boolean | null,
  ): Promise<RegistrationConnection> {
    return roster(context, session, "PARTICIPANTS", pageArgs, attended ?? undefined);
  }

  @FieldResolver(() => RegistrationConnection, {
    nullable: true,
    description: "The waitlist, first in line first. Staff and API keys with sessions:read; FORBIDDEN (null) for everyone else",
  })
  waitlist(
    @Root() session: Session,
    @Ctx() context: GraphQLContext,
    @Args(() => RosterPage) pageArgs: PageRequest,
  ): Promise<RegistrationConnection> {
    return roster(context, session, "WAITLIST", pageArgs);
  }

  @FieldResolver(() => Registration, {
    nullable: true,
    description: "Your registration on this session: the active one, else your latest canceled one; null if none",
  })
  async myRegistration(@Root() session: Session, @Ctx() context: GraphQLContext): Promise<Registration | null> {
    const record = await context.loaders.myRegistrationBySessionId.load(session.id);
    return record ? toRegistrationView(record) : null;
  }

  @FieldResolver(() => AttendanceLink, {
    nullable: true,
    description: "The signed link and QR code participants open to confirm their attendance (staff; null without a schedule)",
  })
  async attendanceLink(@Root() session: Session, @Ctx() context: GraphQLContext): Promise<AttendanceLink | null> {
    const resource = { sessionAssigneeId: session.assigneeId, sessionTrainerIds: trainerIdsOf(session.format) };
    if (!session.schedule || !mayCall(context.actor, "Session.attendanceLink", resource)) return null;
    const link = await context.app.attendanceLinks.linkFor(session.id);
    return { ...link, validFrom: session.schedule.attendanceConfirmationOpensAt, validUntil: session.schedule.endsAt };
  }
}

async function roster(
  context: GraphQLContext,
  session: Session,
  which: SessionRoster,
  pageArgs: PageRequest,
  attended?: boolean,
): Promise<RegistrationConnection> {
  authorize(context, "Session.participants");
  const { first, after } = pageOf(pageArgs, RosterPage);
  // First pages are loaded together for every session of the page that asks for them.
  const page = after
    ? context.app.registrationQueries.roster(session.id, which, { attended }, first, after)
    : await context.loaders.firstRosterPage.load({ parentId: session.id, args: { roster: which, attended: attended ?? null, first } });
  return toConnection(page, after, toRegistrationView);
}
