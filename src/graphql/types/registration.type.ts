import { DateTimeResolver } from "graphql-scalars";
import { Field, ID, Int, ObjectType } from "type-graphql";
import { AttendanceMethod, CancellationReason, RegistrationChangeKind, RegistrationStatus } from "./enums.js";
import { Connection } from "./connection.js";
import type { RegistrationRecord } from "../../projections/registrations.queries.js";

@ObjectType({ description: "A person's place on a session: a seat, a place on the waitlist, or a canceled one" })
export class Registration {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  sessionId!: string;

  @Field(() => ID)
  userId!: string;

  @Field(() => RegistrationStatus)
  status!: RegistrationStatus;

  @Field(() => Int, { nullable: true, description: "1 = next to get a seat; null unless WAITLISTED" })
  waitlistPosition!: number | null;

  @Field(() => DateTimeResolver, { description: "When the person asked to join" })
  requestedAt!: Date;

  @Field(() => DateTimeResolver, { nullable: true, description: "When they got their seat (directly or from the waitlist)" })
  registeredAt!: Date | null;

  @Field(() => DateTimeResolver, { nullable: true, description: "When a freed seat moved them off the waitlist" })
  promotedAt!: Date | null;

  @Field(() => DateTimeResolver, { nullable: true })
  canceledAt!: Date | null;

  @Field(() => CancellationReason, { nullable: true })
  cancellationReason!: CancellationReason | null;

  @Field(() => String, { nullable: true, description: "The comment given on cancel (the session's cancel reason when the whole session was canceled)" })
  cancellationComment!: string | null;

  @Field(() => Boolean)
  attended!: boolean;

  @Field(() => DateTimeResolver, { nullable: true })
  attendedAt!: Date | null;

  @Field(() => AttendanceMethod, { nullable: true })
  attendanceMethod!: AttendanceMethod | null;

  @Field(() => ID, { description: "Who registered them: themselves, staff, or an API key (api-key:<id>)" })
  registeredBy!: string;
}

@ObjectType()
export class RegistrationConnection extends Connection(Registration, "Registration") {}

@ObjectType({ description: "The session's signed attendance link, to show in the room" })
export class AttendanceLink {
  @Field(() => String, { description: "Opened by a signed-in participant, it calls confirmAttendance" })
  url!: string;

  @Field(() => String, { description: "The signed token inside the URL, for confirmAttendance" })
  token!: string;

  @Field(() => DateTimeResolver, { description: "Start + attendanceConfirmationOffsetMinutes" })
  validFrom!: Date;

  @Field(() => DateTimeResolver, { description: "The session's end" })
  validUntil!: Date;

  @Field(() => String, { description: "The URL as a QR code, SVG markup" })
  qrCodeSvg!: string;

  @Field(() => String, { description: "The URL as a QR code, PNG data URL (data:image/png;base64,…)" })
  qrCodePngDataUrl!: string;
}

@ObjectType({ description: "Something happened to a registration (registrationChanged)" })
export class RegistrationChange {
  @Field(() => RegistrationChangeKind)
  change!: RegistrationChangeKind;

  @Field(() => ID)
  sessionId!: string;

  @Field(() => Registration, { description: "The registration as it is after the change" })
  registration!: Registration;

  @Field(() => ID)
  changedBy!: string;

  @Field(() => DateTimeResolver)
  changedAt!: Date;

  @Field(() => String, { description: "Position in the event log, for resuming" })
  position!: string;
}

const date = (iso: string | null) => (iso ? new Date(iso) : null);

/** A registration as the read model holds it, or as the session's stream tells it (no cursor). */
export type RegistrationFields = Omit<RegistrationRecord, "cursor">;

export function toRegistrationView(record: RegistrationFields): Registration {
  return {
    id: record.id,
    sessionId: record.sessionId,
    userId: record.userId,
    status: record.status,
    waitlistPosition: record.waitlistPosition,
    requestedAt: new Date(record.requestedAt),
    registeredAt: date(record.registeredAt),
    promotedAt: date(record.promotedAt),
    canceledAt: date(record.canceledAt),
    cancellationReason: record.cancellationReason,
    cancellationComment: record.cancellationComment,
    attended: record.attendedAt !== null,
    attendedAt: date(record.attendedAt),
    attendanceMethod: record.attendanceMethod,
    registeredBy: record.registeredBy,
  };
}
