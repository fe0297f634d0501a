import { z } from "zod";
import {
  countryCodeSchema,
  currencyCodeSchema,
  emailSchema,
  idSchema,
  instantSchema,
  languageSchema,
  minorUnitsSchema,
  nonEmptyLongText,
  nonEmptyText,
  optionalText,
  timeZoneSchema,
  urlSchema,
} from "../shared/validation.js";

export const SESSION_STATUSES = ["DRAFT", "LEAD", "PLANNED", "CONFIRMED", "CANCELED"] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

export const SESSION_MODES = ["PUBLIC", "PRIVATE"] as const;
export type SessionMode = (typeof SESSION_MODES)[number];

export const SESSION_FORMAT_KINDS = ["WEBINAR", "CLASSROOM", "ONLINE"] as const;
export type SessionFormatKind = (typeof SESSION_FORMAT_KINDS)[number];

export const CONFIRMATION_REASONS = ["VALIDATED_BY_OWNER", "MINIMUM_REACHED"] as const;
export type ConfirmationReason = (typeof CONFIRMATION_REASONS)[number];

/** S1: the descriptive fields of a session. Prices in minor units of `currency` (P1). */
export const sessionDetailsSchema = z.object({
  name: nonEmptyText(200),
  summary: optionalText(1000),
  description: optionalText(20000),
  assigneeId: idSchema.nullable(),
  category: optionalText(100),
  imageUrl: urlSchema.nullable(),
  language: languageSchema.nullable(),
  availableCountries: z.array(countryCodeSchema).max(250),
  currency: currencyCodeSchema.nullable(),
  contentAccessibleBeforePayment: z.boolean(),
  price: minorUnitsSchema.nullable(),
  promotionalPrice: minorUnitsSchema.nullable(),
  promoStartsAt: instantSchema.nullable(),
  promoEndsAt: instantSchema.nullable(),
  /** What members of the organization pay (P2), lower than the price. */
  memberPrice: minorUnitsSchema.nullable(),
  /** One of the organization's VAT categories, by name (upper-cased as they are). */
  vatCategory: optionalText(50).transform((name) => name?.toUpperCase() ?? null),
  privateNote: optionalText(5000),
});
export type SessionDetails = z.output<typeof sessionDetailsSchema>;

export const EMPTY_DETAILS: Omit<SessionDetails, "name"> = {
  summary: null,
  description: null,
  assigneeId: null,
  category: null,
  imageUrl: null,
  language: null,
  availableCountries: [],
  currency: null,
  contentAccessibleBeforePayment: false,
  price: null,
  promotionalPrice: null,
  promoStartsAt: null,
  promoEndsAt: null,
  memberPrice: null,
  vatCategory: null,
  privateNote: null,
};

/** S2: exactly one format, with the fields each kind requires. */
export const sessionFormatSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("WEBINAR"),
    link: urlSchema,
    trainerId: idSchema,
    hostId: idSchema.nullable(),
  }),
  z.object({
    kind: z.literal("CLASSROOM"),
    trainerId: idSchema,
    hostId: idSchema.nullable(),
    place: nonEmptyText(200),
    address: nonEmptyLongText(500),
    notes: optionalText(5000),
    helpfulLink: urlSchema.nullable(),
    courseIds: z.array(idSchema).max(100),
  }),
  z
    .object({
      kind: z.literal("ONLINE"),
      trainerId: idSchema.nullable(),
      courseId: idSchema.nullable(),
      journeyId: idSchema.nullable(),
    })
    .refine((f) => f.courseId !== null || f.journeyId !== null, {
      message: "an online session needs a course, a journey or both",
      path: ["courseId"],
    }),
]);
export type SessionFormat = z.output<typeof sessionFormatSchema>;

/** S5: public sessions have a participant range; private ones have targets. */
export const sessionAudienceSchema = z.discriminatedUnion("mode", [
  z
    .object({
      mode: z.literal("PUBLIC"),
      minParticipants: z.number().int("must be an integer").min(1, "must be at least 1").max(100000),
      maxParticipants: z.number().int("must be an integer").min(1, "must be at least 1").max(100000),
      /** S9: beyond max, people wait in line; off, a full session refuses them (SESSION_FULL). */
      waitlistEnabled: z.boolean().default(true),
    })
    .refine((a) => a.minParticipants <= a.maxParticipants, {
      message: "must be greater than or equal to minParticipants",
      path: ["maxParticipants"],
    }),
  z.object({
    mode: z.literal("PRIVATE"),
    targetTeamIds: z.array(idSchema).max(1000, "must have at most 1000 entries"),
    targetUserIds: z.array(idSchema).max(1000, "must have at most 1000 entries"),
    invitedEmails: z.array(emailSchema).max(1000, "must have at most 1000 entries"),
  }),
]);
export type SessionAudience = z.output<typeof sessionAudienceSchema>;

/** S6: start < end; the attendance link opens `offset` minutes after start and closes at end. */
export const sessionScheduleSchema = z
  .object({
    startsAt: instantSchema,
    endsAt: instantSchema,
    timezone: timeZoneSchema,
    attendanceConfirmationOffsetMinutes: z.number().int("must be an integer").min(0, "must not be negative"),
  })
  .refine((s) => Date.parse(s.startsAt) < Date.parse(s.endsAt), {
    message: "must be after startsAt",
    path: ["endsAt"],
  })
  .refine(
    (s) => Date.parse(s.startsAt) + s.attendanceConfirmationOffsetMinutes * 60_000 < Date.parse(s.endsAt),
    { message: "must open the attendance link before the session ends", path: ["attendanceConfirmationOffsetMinutes"] },
  );
export type SessionSchedule = z.output<typeof sessionScheduleSchema>;

/** S7 */
export const sessionDocumentSchema = z.object({
  documentId: idSchema,
  name: nonEmptyText(200),
  url: urlSchema,
});
export type SessionDocument = z.output<typeof sessionDocumentSchema>;

export const sessionSurveySchema = z.object({
  title: nonEmptyText(200),
  url: urlSchema,
});
export type SessionSurvey = z.output<typeof sessionSurveySchema>;

export const reasonSchema = optionalText(1000);
export const requiredReasonSchema = nonEmptyLongText(1000);
