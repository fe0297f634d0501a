import { DateTimeResolver } from "graphql-scalars";
import { Field, ID, InputType, Int } from "type-graphql";
import { SessionCreationStatus, SessionFormatKind, SessionMode, SessionOrderField, SessionStatus, SortDirection } from "../types/enums.js";

export const IDEMPOTENCY = {
  nullable: true,
  description: "Send the same key when retrying a request: the change is then applied once",
} as const;

@InputType({ description: "PUBLIC needs min/max participants; PRIVATE takes teams, users and e-mails" })
export class SessionAudienceInput {
  @Field(() => SessionMode)
  mode!: SessionMode;

  @Field(() => Int, { nullable: true })
  minParticipants?: number | null;

  @Field(() => Int, { nullable: true })
  maxParticipants?: number | null;

  @Field(() => Boolean, {
    nullable: true,
    description: "PUBLIC only: beyond max, people join a waitlist (default true); false refuses them",
  })
  waitlistEnabled?: boolean | null;

  @Field(() => [ID], { nullable: true })
  targetTeamIds?: string[] | null;

  @Field(() => [ID], { nullable: true })
  targetUserIds?: string[] | null;

  @Field(() => [String], { nullable: true })
  invitedEmails?: string[] | null;
}

@InputType({ description: "What the session is; on edit, omitted fields stay as they are and null clears a field" })
export class SessionDetailsFields {
  @Field(() => String, { nullable: true })
  summary?: string | null;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => ID, { nullable: true })
  assigneeId?: string | null;

  @Field(() => String, { nullable: true })
  category?: string | null;

  @Field(() => String, { nullable: true })
  imageUrl?: string | null;

  @Field(() => String, { nullable: true, description: "Language tag, e.g. en or fr-BE" })
  language?: string | null;

  @Field(() => [String], { nullable: true, description: "ISO 3166-1 alpha-2 codes; empty = everywhere" })
  availableCountries?: string[] | null;

  @Field(() => String, { nullable: true, description: "ISO 4217 code; a price without one is in the organization's default currency" })
  currency?: string | null;

  @Field(() => Boolean, { nullable: true })
  contentAccessibleBeforePayment?: boolean | null;

  @Field(() => Int, { nullable: true, description: "Minor units (cents); null = free" })
  price?: number | null;

  @Field(() => Int, { nullable: true, description: "Minor units, lower than price, within the promo period" })
  promotionalPrice?: number | null;

  @Field(() => DateTimeResolver, { nullable: true })
  promoStartsAt?: Date | null;

  @Field(() => DateTimeResolver, { nullable: true })
  promoEndsAt?: Date | null;

  @Field(() => Int, { nullable: true, description: "Minor units: what members of the organization pay, lower than price" })
  memberPrice?: number | null;

  @Field(() => String, { nullable: true, description: "One of the organization's VAT categories (settings.vatCategories)" })
  vatCategory?: string | null;

  @Field(() => String, { nullable: true })
  privateNote?: string | null;
}

@InputType()
export class CreateSessionInput extends SessionDetailsFields {
  @Field(() => String)
  name!: string;

  @Field(() => SessionCreationStatus, { defaultValue: SessionCreationStatus.DRAFT })
  status!: SessionCreationStatus;

  @Field(() => SessionMode, { defaultValue: SessionMode.PUBLIC })
  mode!: SessionMode;

  @Field(() => SessionAudienceInput, { nullable: true })
  audience?: SessionAudienceInput | null;

  @Field(() => String, IDEMPOTENCY)
  idempotencyKey?: string | null;
}

@InputType()
export class EditSessionDetailsInput extends SessionDetailsFields {
  @Field(() => ID)
  sessionId!: string;

  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, IDEMPOTENCY)
  idempotencyKey?: string | null;
}

@InputType({ description: "The fields required depend on kind" })
export class SetSessionFormatInput {
  @Field(() => ID)
  sessionId!: string;

  @Field(() => SessionFormatKind)
  kind!: SessionFormatKind;

  @Field(() => String, { nullable: true, description: "WEBINAR: required" })
  link?: string | null;

  @Field(() => ID, { nullable: true, description: "WEBINAR, CLASSROOM: required; ONLINE: optional" })
  trainerId?: string | null;

  @Field(() => ID, { nullable: true, description: "WEBINAR, CLASSROOM: optional" })
  hostId?: string | null;

  @Field(() => String, { nullable: true, description: "CLASSROOM: required" })
  place?: string | null;

  @Field(() => String, { nullable: true, description: "CLASSROOM: required" })
  address?: string | null;

  @Field(() => String, { nullable: true, description: "CLASSROOM: optional" })
  notes?: string | null;

  @Field(() => String, { nullable: true, description: "CLASSROOM: optional" })
  helpfulLink?: string | null;

  @Field(() => [ID], { nullable: true, description: "CLASSROOM: courses the trainer may use for free" })
  courseIds?: string[] | null;

  @Field(() => ID, { nullable: true, description: "ONLINE: a course and/or a journey" })
  courseId?: string | null;

  @Field(() => ID, { nullable: true, description: "ONLINE: a course and/or a journey" })
  journeyId?: string | null;

  @Field(() => String, IDEMPOTENCY)
  idempotencyKey?: string | null;
}

@InputType()
export class SetSessionAudienceInput extends SessionAudienceInput {
  @Field(() => ID)
  sessionId!: string;

  @Field(() => String, IDEMPOTENCY)
  idempotencyKey?: string | null;
}

@InputType()
export class SetSessionScheduleInput {
  @Field(() => ID)
  sessionId!: string;

  @Field(() => DateTimeResolver)
  startsAt!: Date;

  @Field(() => DateTimeResolver)
  endsAt!: Date;

  @Field(() => String, { nullable: true, description: "IANA time zone; defaults to the organization's" })
  timezone?: string | null;

  @Field(() => Int, { defaultValue: 0, description: "Minutes after start when the attendance link opens" })
  attendanceConfirmationOffsetMinutes!: number;

  @Field(() => String, IDEMPOTENCY)
  idempotencyKey?: string | null;
}

@InputType()
export class AttachSessionDocumentInput {
  @Field(() => ID)
  sessionId!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String)
  url!: string;

  @Field(() => String, IDEMPOTENCY)
  idempotencyKey?: string | null;
}

@InputType()
export class RemoveSessionDocumentInput {
  @Field(() => ID)
  sessionId!: string;

  @Field(() => ID)
  documentId!: string;

  @Field(() => String, IDEMPOTENCY)
  idempotencyKey?: string | null;
}

@InputType()
export class SessionSurveyInput {
  @Field(() => String)
  title!: string;

  @Field(() => String)
  url!: string;
}

@InputType()
export class SetSessionSurveyInput {
  @Field(() => ID)
  sessionId!: string;

  @Field(() => SessionSurveyInput, { nullable: true, description: "null removes the survey" })
  survey?: SessionSurveyInput | null;

  @Field(() => String, IDEMPOTENCY)
  idempotencyKey?: string | null;
}

@InputType({ description: "A status change; the reason is kept in the session's history" })
export class ChangeSessionStatusInput {
  @Field(() => ID)
  sessionId!: string;

  @Field(() => String, { nullable: true, description: "Why (optional); kept in the session's history" })
  reason?: string | null;

  @Field(() => String, IDEMPOTENCY)
  idempotencyKey?: string | null;
}

@InputType({ description: "Confirming a session: like every status change but cancelling, the reason is optional" })
export class ConfirmSessionInput extends ChangeSessionStatusInput {}

@InputType()
export class CancelSessionInput {
  @Field(() => ID)
  sessionId!: string;

  @Field(() => String, { description: "Shown to participants and kept in the history" })
  reason!: string;

  @Field(() => String, IDEMPOTENCY)
  idempotencyKey?: string | null;
}

@InputType({ description: "All given criteria must match; lists match any of their values" })
export class SessionFilterInput {
  @Field(() => [SessionStatus], { nullable: true })
  status?: SessionStatus[] | null;

  @Field(() => [SessionMode], { nullable: true })
  mode?: SessionMode[] | null;

  @Field(() => [SessionFormatKind], { nullable: true })
  format?: SessionFormatKind[] | null;

  @Field(() => [String], { nullable: true })
  category?: string[] | null;

  @Field(() => [String], { nullable: true })
  language?: string[] | null;

  @Field(() => [ID], { nullable: true })
  assigneeId?: string[] | null;

  @Field(() => DateTimeResolver, { nullable: true, description: "Sessions starting at or after" })
  startsFrom?: Date | null;

  @Field(() => DateTimeResolver, { nullable: true, description: "Sessions starting before" })
  startsBefore?: Date | null;

  @Field(() => String, { nullable: true, description: "Words to find in the name or summary" })
  search?: string | null;
}

@InputType()
export class SessionOrderByInput {
  @Field(() => SessionOrderField, { defaultValue: SessionOrderField.START })
  field!: SessionOrderField;

  @Field(() => SortDirection, { defaultValue: SortDirection.ASC })
  direction!: SortDirection;
}
