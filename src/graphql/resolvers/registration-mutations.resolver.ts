import { randomUUID } from "node:crypto";
import { Arg, Ctx, Field, Mutation, ObjectType, Resolver } from "type-graphql";
import type { RegistrationOutcome } from "../../domain/sessions/use-cases.js";
import { DomainError } from "../../domain/shared/errors.js";
import { answerAfterWrite } from "../after-write.js";
import { actAs, authorize, commandContext, requireActor, type GraphQLContext } from "../context.js";
import {
  CancelRegistrationInput,
  ConfirmAttendanceInput,
  MarkAttendanceInput,
  RegisterForSessionInput,
  SignUpAndRegisterInput,
} from "../inputs/registration.input.js";
import { startSignIn } from "../services/sign-in.js";
import { prepareSignUp, recordLearner } from "../services/sign-up.js";
import { Registration } from "../types/registration.type.js";
import { toRegistrationView } from "../types/registration.view.js";
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
    const outcome = await context.app.useCases.sessions.registerForSession(
      requireActor(context),
      input,
      commandContext(context, "registerForSession", input),
    );
    return registrationAnswer(context, outcome);
  }

  @Mutation(() => SignUpAndRegisterPayload, {
    description: "Public session link: create a LEARNER account, register it for the session and sign in, in one step",
  })
  async signUpAndRegister(
    @Arg("input", () => SignUpAndRegisterInput) input: SignUpAndRegisterInput,
    @Ctx() context: GraphQLContext,
  ): Promise<SignUpAndRegisterPayload> {
    authorize(context, "signUpAndRegister");
    const signUp = await prepareSignUp(context, input);
    const { organizationId, email } = signUp;
    if (context.app.identityQueries.userByEmail(organizationId, email)) {
      throw new DomainError("ALREADY_EXISTS", "This e-mail already has an account here: sign in, then register", {
        field: "email",
      });
    }
    const userId = randomUUID();
    const ctx = { commandId: randomUUID(), organizationId, actorId: userId, now: context.app.clock.now(), correlationId: context.requestId };
    const outcome = await context.app.useCases.sessions.signUpAndRegister(
      { organizationId, sessionId: input.sessionId, userId, email, country: signUp.country },
      ctx,
      async () => void (await recordLearner(context, signUp, userId)),
    );
    // The answer (registration.session…) is read as the person now signed in.
    actAs(context, { kind: "USER", userId, organizationId, email, roles: ["LEARNER"], teamIds: [] });
    const registration = await registrationAnswer(context, outcome);
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
    const outcome = await context.app.useCases.sessions.cancelRegistration(
      requireActor(context),
      input,
      commandContext(context, "cancelRegistration", input),
    );
    return registrationAnswer(context, outcome);
  }

  @Mutation(() => Registration, {
    description: "The attendance link / QR code, opened by a registered participant while it is valid",
  })
  async confirmAttendance(
    @Arg("input", () => ConfirmAttendanceInput) input: ConfirmAttendanceInput,
    @Ctx() context: GraphQLContext,
  ): Promise<Registration> {
    const outcome = await context.app.useCases.sessions.confirmAttendance(
      requireActor(context),
      input,
      commandContext(context, "confirmAttendance", input),
    );
    return registrationAnswer(context, outcome);
  }

  @Mutation(() => Registration, { description: "Staff mark a participant as attended (from the session's start on)" })
  async markAttendance(
    @Arg("input", () => MarkAttendanceInput) input: MarkAttendanceInput,
    @Ctx() context: GraphQLContext,
  ): Promise<Registration> {
    const outcome = await context.app.useCases.sessions.markAttendance(
      requireActor(context),
      input,
      commandContext(context, "markAttendance", input),
    );
    return registrationAnswer(context, outcome);
  }
}

/** The registration decided, from the read model once caught up, else from the decision. */
function registrationAnswer(context: GraphQLContext, outcome: RegistrationOutcome): Promise<Registration> {
  const { registrationId, sessionId } = outcome.answer;
  return answerAfterWrite(
    context,
    outcome,
    () => {
      const record = context.app.registrationQueries.byIds(context.actor!.organizationId, [registrationId]).get(registrationId);
      return record && toRegistrationView(record);
    },
    (snapshot) => toRegistrationView({ ...snapshot, id: registrationId, sessionId }),
  );
}
