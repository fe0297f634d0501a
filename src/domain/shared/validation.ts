import { DateTime } from "luxon";
import { z } from "zod";
import { isCountryCode, isCurrencyCode, isLanguageTag, isTimeZone } from "./iso-codes.js";
import { ValidationError } from "./errors.js";

/** Parses with a zod schema; the first issue becomes a ValidationError naming its field. */
export function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, pathPrefix = ""): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const path = [pathPrefix, ...issue.path.map(String)].filter(Boolean).join(".");
  const missing = issue.code === "invalid_type" && /received (undefined|null)/.test(issue.message);
  throw new ValidationError(path || "input", missing ? "is required" : issue.message);
}

// C0 and C1 control characters (and DEL): invisible, they make names look alike or break
// exports and e-mail headers. Long texts keep tabs and line breaks.
const CONTROL = /\p{Cc}/u;
const CONTROL_BUT_LINE_BREAKS = /[^\P{Cc}\t\n\r]/u;

const trimmed = (max: number, lines: "single" | "multi") =>
  z
    .string()
    .trim()
    .max(max, `must be at most ${max} characters`)
    .refine(
      (value) => !(lines === "single" ? CONTROL : CONTROL_BUT_LINE_BREAKS).test(value),
      lines === "single" ? "must not contain control characters (line breaks, tabs…)" : "must not contain control characters",
    );

/** A name or a short single-line text. */
export const nonEmptyText = (max: number) => trimmed(max, "single").min(1, "must not be empty");
/** A long text that is required (line breaks allowed). */
export const nonEmptyLongText = (max: number) => trimmed(max, "multi").min(1, "must not be empty");
/** A long text such as a description or a reason (line breaks allowed), or null. */
export const optionalText = (max: number) => trimmed(max, "multi").nullable();

export const idSchema = z.string().trim().min(1, "must not be empty").max(100, "is too long");

export const urlSchema = z
  .string()
  .trim()
  .max(2000, "must be at most 2000 characters")
  .refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === "https:" || url.protocol === "http:";
    } catch {
      return false;
    }
  }, "must be an http(s) URL");

/** A global event position as integrators see it: a decimal 64-bit unsigned integer (EventStoreDB's range). */
export const eventPositionSchema = z
  .string()
  .refine((value) => /^\d{1,20}$/.test(value) && BigInt(value) <= 2n ** 64n - 1n, {
    message: "must be an event position (a non-negative 64-bit integer)",
  });

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** An ISO-8601 instant with an explicit offset (a real calendar date), normalised to UTC. */
export const instantSchema = z
  .string()
  .refine((value) => ISO_INSTANT.test(value) && DateTime.fromISO(value, { setZone: true }).isValid, {
    message: "must be an ISO-8601 date-time with a time zone offset, e.g. 2026-03-29T10:00:00+02:00",
  })
  .transform((value) => DateTime.fromISO(value, { setZone: true }).toUTC().toISO()!);

export const countryCodeSchema = z
  .string()
  .refine(isCountryCode, "must be an ISO 3166-1 alpha-2 country code (e.g. BE)");
export const currencyCodeSchema = z
  .string()
  .refine(isCurrencyCode, "must be an ISO 4217 currency code (e.g. EUR)");
export const languageSchema = z.string().refine(isLanguageTag, "must be a language tag (e.g. en, fr-BE)");
export const timeZoneSchema = z.string().refine(isTimeZone, "must be an IANA time zone (e.g. Europe/Brussels)");

/** Money amounts are integers in the currency's minor unit (P1). */
export const minorUnitsSchema = z
  .number()
  .int("must be an integer amount in minor units (e.g. cents)")
  .min(0, "must not be negative")
  .max(Number.MAX_SAFE_INTEGER);

/** At most 254 characters (RFC 5321's longest path), checked before the format. */
export const emailSchema = z
  .string()
  .trim()
  .max(254, "must be at most 254 characters")
  .toLowerCase()
  .pipe(z.email("must be an e-mail address"));
