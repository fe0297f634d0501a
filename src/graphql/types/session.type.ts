import { DateTimeResolver } from "graphql-scalars";
import { Field, ID, Int, ObjectType } from "type-graphql";
import { SessionMode, SessionStatus } from "./enums.js";
import { Money } from "./money.type.js";
import { SessionAudience } from "./session-audience.type.js";
import { SessionFormat } from "./session-format.type.js";
import { DateTime } from "luxon";
import type { PriceList } from "../../domain/payments/price-to-pay.js";
import type { Session as DomainSession } from "../../domain/sessions/decider.js";
import type { SessionCounts } from "../../projections/sessions.queries.js";
import { money } from "./money.type.js";

@ObjectType({ description: "When the session happens, in UTC and in its time zone, and when its attendance link opens" })
export class SessionSchedule {
  @Field(() => DateTimeResolver)
  startsAt!: Date;

  @Field(() => DateTimeResolver)
  endsAt!: Date;

  @Field(() => String, { description: "IANA time zone the session is shown in" })
  timezone!: string;

  @Field(() => String, { description: "Start in the session's time zone, ISO-8601 with offset" })
  startsAtLocal!: string;

  @Field(() => String, { description: "End in the session's time zone, ISO-8601 with offset" })
  endsAtLocal!: string;

  @Field(() => Int)
  durationMinutes!: number;

  @Field(() => Int, { description: "Minutes after start when the attendance link / QR code opens" })
  attendanceConfirmationOffsetMinutes!: number;

  @Field(() => DateTimeResolver)
  attendanceConfirmationOpensAt!: Date;
}

@ObjectType()
export class SessionDocument {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String)
  url!: string;
}

@ObjectType({ description: "A survey shown to participants once the session has ended" })
export class SessionSurvey {
  @Field(() => String)
  title!: string;

  @Field(() => String)
  url!: string;
}

@ObjectType({ description: "An instructor-led session of the academy: what, how, for whom, when, and its status" })
export class Session {
  @Field(() => ID)
  id!: string;

  @Field(() => SessionStatus)
  status!: SessionStatus;

  @Field(() => String, { nullable: true, description: "Why it is in this status: the cancel reason, VALIDATED_BY_OWNER or MINIMUM_REACHED, or a comment" })
  statusReason!: string | null;

  @Field(() => SessionMode)
  mode!: SessionMode;

  @Field(() => String)
  name!: string;

  @Field(() => String, { nullable: true })
  summary!: string | null;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => ID, { nullable: true })
  assigneeId!: string | null;

  @Field(() => String, { nullable: true })
  category!: string | null;

  @Field(() => String, { nullable: true })
  imageUrl!: string | null;

  @Field(() => String, { nullable: true })
  language!: string | null;

  @Field(() => [String], { description: "ISO 3166-1 alpha-2; empty means everywhere" })
  availableCountries!: string[];

  @Field(() => String, { nullable: true })
  currency!: string | null;

  @Field(() => Boolean)
  contentAccessibleBeforePayment!: boolean;

  @Field(() => Boolean, { description: "True when no price is set" })
  isFree!: boolean;

  @Field(() => Money, { nullable: true })
  price!: Money | null;

  @Field(() => Money, { nullable: true })
  promotionalPrice!: Money | null;

  @Field(() => DateTimeResolver, { nullable: true })
  promoStartsAt!: Date | null;

  @Field(() => DateTimeResolver, { nullable: true })
  promoEndsAt!: Date | null;

  @Field(() => Money, { nullable: true, description: "What members of the organization pay; lower than the price" })
  memberPrice!: Money | null;

  @Field(() => String, { nullable: true, description: "One of the organization's VAT categories" })
  vatCategory!: string | null;

  /** Not a field: the prices priceToPay chooses from (null: free). */
  priceList!: PriceList | null;

  @Field(() => String, { nullable: true, description: "Never shown to learners" })
  privateNote!: string | null;

  @Field(() => SessionFormat, { nullable: true })
  format!: typeof SessionFormat | null;

  @Field(() => SessionAudience, {
    nullable: true,
    description:
      "Who may join. Learners see, of a private audience, only the entries naming them; API keys see its invited e-mails only with people:read",
  })
  audience!: typeof SessionAudience | null;

  @Field(() => SessionSchedule, { nullable: true })
  schedule!: SessionSchedule | null;

  @Field(() => [SessionDocument])
  documents!: SessionDocument[];

  @Field(() => SessionSurvey, { nullable: true })
  survey!: SessionSurvey | null;

  @Field(() => ID)
  createdBy!: string;

  @Field(() => DateTimeResolver)
  createdAt!: Date;

  @Field(() => DateTimeResolver)
  updatedAt!: Date;

  @Field(() => Int, { description: "Revision of the session's event stream (0 = just created)" })
  revision!: number;

  @Field(() => Int, { description: "People holding a seat (never more than maxParticipants)" })
  registeredCount!: number;

  @Field(() => Int, { description: "People on the waitlist" })
  waitlistedCount!: number;

  @Field(() => Int, { description: "Participants marked as attended (by the attendance link or by staff)" })
  attendedCount!: number;

  @Field(() => Int, { nullable: true, description: "Seats left on a public session; null for private ones (no cap)" })
  availableSeats!: number | null;
}

/** The API's view of a session (read model row or domain state). */
export function toSessionView(
  session: DomainSession,
  meta: { revision: bigint; updatedAt: string; counts: SessionCounts },
): Session {
  const d = session.details;
  const max = session.audience?.mode === "PUBLIC" ? session.audience.maxParticipants : null;
  return {
    id: session.id,
    status: session.status,
    statusReason: session.statusReason,
    mode: session.mode,
    name: d.name,
    summary: d.summary,
    description: d.description,
    assigneeId: d.assigneeId,
    category: d.category,
    imageUrl: d.imageUrl,
    language: d.language,
    availableCountries: d.availableCountries,
    currency: d.currency,
    contentAccessibleBeforePayment: d.contentAccessibleBeforePayment,
    isFree: d.price === null,
    price: money(d.price, d.currency),
    promotionalPrice: money(d.promotionalPrice, d.currency),
    promoStartsAt: d.promoStartsAt ? new Date(d.promoStartsAt) : null,
    promoEndsAt: d.promoEndsAt ? new Date(d.promoEndsAt) : null,
    memberPrice: money(d.memberPrice ?? null, d.currency),
    vatCategory: d.vatCategory,
    priceList:
      d.price === null || d.currency === null
        ? null
        : {
            currency: d.currency,
            price: d.price,
            promotionalPrice: d.promotionalPrice,
            promoStartsAt: d.promoStartsAt,
            promoEndsAt: d.promoEndsAt,
            memberPrice: d.memberPrice ?? null,
          },
    privateNote: d.privateNote,
    format: session.format,
    audience: session.audience,
    schedule: session.schedule ? toScheduleView(session.schedule) : null,
    documents: session.documents.map((doc) => ({ id: doc.documentId, name: doc.name, url: doc.url })),
    survey: session.survey,
    createdBy: session.createdBy,
    createdAt: new Date(session.createdAt),
    updatedAt: new Date(meta.updatedAt),
    revision: Number(meta.revision),
    registeredCount: meta.counts.registered,
    waitlistedCount: meta.counts.waitlisted,
    attendedCount: meta.counts.attended,
    availableSeats: max === null ? null : Math.max(0, max - meta.counts.registered),
  };
}

/** Instants are plain arithmetic; the local (zoned) strings need luxon and are formatted only when selected. */
function toScheduleView(schedule: NonNullable<DomainSession["schedule"]>): SessionSchedule {
  const startsAt = new Date(schedule.startsAt);
  const endsAt = new Date(schedule.endsAt);
  const local = (instant: string) =>
    DateTime.fromISO(instant, { zone: schedule.timezone }).toISO({ suppressMilliseconds: true })!;
  return {
    startsAt,
    endsAt,
    timezone: schedule.timezone,
    get startsAtLocal() {
      return local(schedule.startsAt);
    },
    get endsAtLocal() {
      return local(schedule.endsAt);
    },
    durationMinutes: Math.round((endsAt.getTime() - startsAt.getTime()) / 60_000),
    attendanceConfirmationOffsetMinutes: schedule.attendanceConfirmationOffsetMinutes,
    attendanceConfirmationOpensAt: new Date(startsAt.getTime() + schedule.attendanceConfirmationOffsetMinutes * 60_000),
  };
}
