import { Field, ID, InputType } from "type-graphql";
import { SignUpInput } from "./identity.input.js";
import { IDEMPOTENCY } from "./session.input.js";

@InputType()
export class RegisterForSessionInput {
  @Field(() => ID)
  sessionId!: string;

  @Field(() => ID, {
    nullable: true,
    description: "Someone else to register (front desk, assignee, API keys); omitted = yourself",
  })
  userId?: string | null;

  @Field(() => String, IDEMPOTENCY)
  idempotencyKey?: string | null;
}

@InputType({ description: "The public session link, for someone without an account" })
export class SignUpAndRegisterInput extends SignUpInput {
  @Field(() => ID, { description: "A PUBLIC session, PLANNED or CONFIRMED" })
  sessionId!: string;

  @Field(() => String, {
    nullable: true,
    description:
      "Accepted for a uniform API; it changes nothing: the e-mail is unique in the organization, so a retry after success is refused (ALREADY_EXISTS): sign in, then register",
  })
  override idempotencyKey?: string | null = undefined;
}

@InputType()
export class CancelRegistrationInput {
  @Field(() => ID)
  registrationId!: string;

  @Field(() => String, { nullable: true, description: "Why (kept with the cancellation)" })
  comment?: string | null;

  @Field(() => String, IDEMPOTENCY)
  idempotencyKey?: string | null;
}

@InputType({ description: "Sent by the page the attendance link / QR code opens" })
export class ConfirmAttendanceInput {
  @Field(() => ID)
  sessionId!: string;

  @Field(() => String, { description: "The `token` parameter of the attendance link" })
  token!: string;

  @Field(() => String, IDEMPOTENCY)
  idempotencyKey?: string | null;
}

@InputType()
export class MarkAttendanceInput {
  @Field(() => ID)
  registrationId!: string;

  @Field(() => String, IDEMPOTENCY)
  idempotencyKey?: string | null;
}
