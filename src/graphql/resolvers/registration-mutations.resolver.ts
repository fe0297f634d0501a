import { Arg, Ctx, Field, Mutation, ObjectType, Resolver } from "type-graphql";
import type { RegistrationOutcome } from "../../domain/sessions/use-cases.js";
import { answerAfterWrite } from "../after-write.js";
import { actAs, commandContext, requireActor, type GraphQLContext } from "../context.js";
import {
  CancelRegistrationInput,
  ConfirmAttendanceInput,
  MarkAttendanceInput,
  RegisterForSessionInput,
  SignUpAndRegisterInput,
} from "../inputs/registration.input.js";
import { requestFacts } from "./auth.resolver.js";
import { Registration, toRegistrationView } from "../types/registration.type.js";
import { AuthPayload, toAuthPayload } from "../types/user.type.js";

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
    const { registration, signIn, person } = await context.app.useCases.users.signUpAndRegister(
      context.actor,
      input,
      requestFacts(context),
    );
    // The answer (registration.session…) is read as the person now signed in.
    actAs(context, person);
    return { ...toAuthPayload(signIn.answer), registration: await registrationAnswer(context, registration) };
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
