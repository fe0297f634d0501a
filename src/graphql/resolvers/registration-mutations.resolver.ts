import { randomUUID } from "node:crypto";
import { Arg, Ctx, Field, Mutation, ObjectType, Resolver } from "type-graphql";
import type { Actor } from "../../domain/access/actor.js";
import { authorize as authorizeWithTable, mayCall } from "../../domain/access/authorization.js";
import { canSeeSession, LEARNER_VISIBLE_STATUSES } from "../../domain/access/session-visibility.js";
import type { Participant, RegisterForSession } from "../../domain/sessions/commands.js";
import { sessionStreamName } from "../../domain/sessions/events.js";
import { registrationOfRequest } from "../../domain/sessions/registration-snapshot.js";
import { DomainError, ValidationError } from "../../domain/shared/errors.js";
import { deterministicUuid } from "../../domain/shared/event-metadata.js";
import { idSchema, parseOrThrow } from "../../domain/shared/validation.js";
import { actAs, authorize, authorizeBeforeLoading, commandContext, requireUser, type GraphQLContext } from "../context.js";
import { notFound } from "../errors.js";
import {
  CancelRegistrationInput,
  ConfirmAttendanceInput,
  MarkAttendanceInput,
  RegisterForSessionInput,
  SignUpAndRegisterInput,
} from "../inputs/registration.input.js";
import {
  registrationAfterCommand,
  runRegistrationCommand,
  sessionOfRegistration,
  sessionResource,
} from "../services/registrations.js";
import { startSignIn } from "../services/sign-in.js";
import { prepareSignUp, recordLearner, signUpSeat } from "../services/sign-up.js";
import { Registration } from "../types/registration.type.js";
import { AuthPayload } from "../types/user.type.js";

@ObjectType({ description: "The new account's tokens and its registration" })
export class SignUpAndRegisterPayload extends AuthPayload {
  @Field(() => Registration)
  registration!: Registration;
}

/** S8–S10 and S6: joining, leaving, attending. Capacity is decided on the session's stream (S9). */
@Resolver()
export class RegistrationMutationsResolver {
  @Mutation(() => Registration, {
    description:
      "Join a free session: a seat, or the waitlist when it is full. Registering again returns the same registration.",
  })
  async registerForSession(
    @Arg("input", () => RegisterForSessionInput) input: RegisterForSessionInput,
    @Ctx() context: GraphQLContext,
  ): Promise<Registration> {
    const actor = authorize(context, "registerForSession");
    const sessionId = parseOrThrow(idSchema, input.sessionId, "sessionId");
    const forSomeoneElse = input.userId != null && (actor.kind === "API_KEY" || input.userId !== actor.userId);
    if (actor.kind === "API_KEY" && input.userId == null) throw new ValidationError("userId", "is required for API keys");
    // Refused before the user is looked up, so nobody probes user ids; checked again on the decided state.
    if (forSomeoneElse && !mayCall(actor, "RegisterForSessionInput.userId")) {
      const record = await context.loaders.sessionById.load(sessionId);
      if (!record || !canSeeSession(actor, record.session)) throw notFound("Session", sessionId);
      authorizeWithTable(actor, "RegisterForSessionInput.userId", sessionResource(record.session));
    }
    const participant = await participantFor(context, actor, input.userId);
    const ctx = commandContext(context, "registerForSession", input);
    const registrationId = deterministicUuid(`registration/${ctx.commandId}/${participant.userId}`);
    const result = await runRegistrationCommand(
      context,
      actor,
      sessionId,
      {
        type: "RegisterForSession",
        sessionId,
        registrationId,
        participant,
        context: ctx,
      },
      (session) => {
        if (forSomeoneElse) authorizeWithTable(actor, "RegisterForSessionInput.userId", sessionResource(session));
      },
    );
    const current = registrationOfRequest(result.state, participant.userId, registrationId);
    if (!current) throw notFound("Registration of user", participant.userId);
    return registrationAfterCommand(context, actor.organizationId, current, result);
  }

  @Mutation(() => SignUpAndRegisterPayload, {
    description: "Public session link: create a LEARNER account, register it for the session and sign in, in one step",
  })
  async signUpAndRegister(
    @Arg("input", () => SignUpAndRegisterInput) input: SignUpAndRegisterInput,
    @Ctx() context: GraphQLContext,
  ): Promise<SignUpAndRegisterPayload> {
    authorize(context, "signUpAndRegister");
    const sessionId = parseOrThrow(idSchema, input.sessionId, "sessionId");
    const signUp = await prepareSignUp(context, input);
    const { organizationId, email } = signUp;
    if (context.app.identityQueries.userByEmail(organizationId, email)) {
      throw new DomainError("ALREADY_EXISTS", "This e-mail already has an account here: sign in, then register", {
        field: "email",
      });
    }
    const userId = randomUUID();
    const ctx = { commandId: randomUUID(), organizationId, actorId: userId, now: context.app.clock.now(), correlationId: context.requestId };
    // The seat is the scarce resource, so it is decided first (refusals write nothing, no account
    // included); the account follows, and if it cannot be recorded the seat is given back, here
    // at once, or by the sign-up-seat-release workflow when this process dies before it could.
    const register = signUpSeat(sessionId, userId, signUp, ctx);
    const result = await runRegistrationCommand(context, null, sessionId, register, (session) => {
      // The public link: open public sessions only, exactly as a learner would see them.
      const open = session.mode === "PUBLIC" && LEARNER_VISIBLE_STATUSES.includes(session.status);
      if (session.organizationId !== organizationId || !open) throw notFound("Session", sessionId);
    });
    try {
      await recordLearner(context, signUp, userId);
    } catch (error) {
      await giveSeatBack(context, register, error);
      throw error;
    }
    // The answer (registration.session…) is read as the person now signed in.
    actAs(context, { kind: "USER", userId, organizationId, email, roles: ["LEARNER"], teamIds: [] });
    const registration = await registrationAfterCommand(context, organizationId, register.registrationId, result);
    const auth = await startSignIn(context, { id: userId, organizationId }, "SIGN_UP");
    return { ...auth, registration };
  }

  @Mutation(() => Registration, {
    description:
      "Leave a session or its waitlist (yours until the session starts; staff: anyone's). A freed seat goes to the first waiting person.",
  })
  async cancelRegistration(
    @Arg("input", () => CancelRegistrationInput) input: CancelRegistrationInput,
    @Ctx() context: GraphQLContext,
  ): Promise<Registration> {
    const actor = authorizeBeforeLoading(context, "cancelRegistration");
    const { sessionId, registrationId } = sessionOfRegistration(context, actor.organizationId, input.registrationId);
    const result = await runRegistrationCommand(
      context,
      actor,
      sessionId,
      {
        type: "CancelRegistration",
        sessionId,
        registrationId,
        comment: input.comment,
        context: commandContext(context, "cancelRegistration", input),
      },
      (session, entry) => {
        authorizeWithTable(actor, "cancelRegistration", { ...sessionResource(session), userId: entry(registrationId)?.userId });
      },
    );
    return registrationAfterCommand(context, actor.organizationId, registrationId, result);
  }

  @Mutation(() => Registration, {
    description: "The attendance link / QR code, opened by a registered participant while it is valid",
  })
  async confirmAttendance(
    @Arg("input", () => ConfirmAttendanceInput) input: ConfirmAttendanceInput,
    @Ctx() context: GraphQLContext,
  ): Promise<Registration> {
    const actor = requireUser(context, "confirmAttendance");
    const sessionId = parseOrThrow(idSchema, input.sessionId, "sessionId");
    const signedFor = context.app.attendanceLinks.sessionIdOf(input.token.trim());
    if (signedFor === null) throw new DomainError("INVALID_ATTENDANCE_LINK", "This attendance link is not valid", { field: "token" });
    if (signedFor !== sessionId) {
      throw new DomainError("INVALID_ATTENDANCE_LINK", "This attendance link is for another session", { field: "token" });
    }
    const result = await runRegistrationCommand(context, actor, sessionId, {
      type: "ConfirmAttendance",
      sessionId,
      method: "LINK",
      userId: actor.userId,
      context: commandContext(context, "confirmAttendance", input),
    });
    // The decision confirmed the caller's active registration (it refuses anyone without one).
    const registrationId = registrationOfRequest(result.state, actor.userId, "");
    if (!registrationId) throw notFound("Registration of user", actor.userId);
    return registrationAfterCommand(context, actor.organizationId, registrationId, result);
  }

  @Mutation(() => Registration, { description: "Staff mark a participant as attended (from the session's start on)" })
  async markAttendance(
    @Arg("input", () => MarkAttendanceInput) input: MarkAttendanceInput,
    @Ctx() context: GraphQLContext,
  ): Promise<Registration> {
    const actor = authorizeBeforeLoading(context, "markAttendance");
    const { sessionId, registrationId } = sessionOfRegistration(context, actor.organizationId, input.registrationId);
    const result = await runRegistrationCommand(
      context,
      actor,
      sessionId,
      {
        type: "ConfirmAttendance",
        sessionId,
        method: "STAFF",
        registrationId,
        context: commandContext(context, "markAttendance", input),
      },
      (session) => authorizeWithTable(actor, "markAttendance", sessionResource(session)),
    );
    return registrationAfterCommand(context, actor.organizationId, registrationId, result);
  }
}

/** Compensates a sign-up whose account could not be recorded: its seat goes to the next in line. */
async function giveSeatBack(context: GraphQLContext, register: RegisterForSession, cause: unknown): Promise<void> {
  try {
    await context.app.sessions.handle(sessionStreamName(register.sessionId), {
      type: "CancelRegistration",
      sessionId: register.sessionId,
      registrationId: register.registrationId,
      comment: "The account could not be created",
      // Not the participant (who may no longer cancel once the session started): the sign-up itself.
      context: { ...register.context, commandId: randomUUID(), actorId: "system:sign-up", now: context.app.clock.now() },
    });
  } catch (error) {
    context.app.logger.error({ err: error, cause, registrationId: register.registrationId }, "could not give a seat back");
  }
}

/** The person registering: the caller, or the user named (who must be an active member). */
async function participantFor(context: GraphQLContext, actor: Actor, userId: string | null | undefined): Promise<Participant> {
  if (actor.kind === "USER" && (userId == null || userId === actor.userId)) {
    const me = await context.loaders.userById.load(actor.userId);
    return { userId: actor.userId, email: actor.email, country: me?.country ?? null, teamIds: actor.teamIds };
  }
  const id = parseOrThrow(idSchema, userId, "userId");
  const user = await context.loaders.userById.load(id);
  if (!user || user.status === "DEACTIVATED") {
    throw new DomainError("NOT_FOUND", `userId: names no active user of your organization (${id})`, { field: "userId" });
  }
  return { userId: id, email: user.email, country: user.country, teamIds: await context.loaders.teamIdsByUserId.load(id) };
}
