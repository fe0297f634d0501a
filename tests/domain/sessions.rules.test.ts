/**
 * Rules S1–S7 of academy sessions as checked by the session decider, one given/when/then each.
 * (S3 transitions live in sessions.transitions.test.ts.)
 */
import { EMPTY_ROSTER } from "../../src/domain/sessions/registrations.js";
import { describe, expect, it } from "vitest";
import type { CreateSession, SessionCommand } from "../../src/domain/sessions/decider.js";
import { type Session, sessionDecider } from "../../src/domain/sessions/decider.js";
import type { SessionEvent } from "../../src/domain/sessions/events.js";
import type { SessionDetails, SessionFormat } from "../../src/domain/sessions/values.js";
import { type DomainError, ValidationError } from "../../src/domain/shared/errors.js";
import { fold, spec, type Then } from "../support/given-when-then.js";
import {
  NOW_ISO,
  ORG_ID,
  PRIVATE_AUDIENCE,
  PUBLIC_AUDIENCE,
  SCHEDULE,
  SESSION_ID,
  WEBINAR,
  audienceSet,
  context,
  created,
  details,
  formatSet,
  scheduleSet,
  transitionCommand,
  unchecked,
} from "./session-fixtures.js";

const given = (events: SessionEvent[]) => spec(sessionDecider).given(events);
const base = { sessionId: SESSION_ID, context: context() };

/** Asserts a ValidationError whose `field` is exactly `field`. */
function expectInvalid(then: Then<SessionEvent>, field: string): ValidationError {
  const error: DomainError = then.thenThrows("VALIDATION", new RegExp(`^${escapeRegExp(field)}: `), { field });
  expect(error).toBeInstanceOf(ValidationError);
  expect((error as ValidationError).field).toBe(field);
  return error as ValidationError;
}
const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Matches any SessionCreated event (the details are checked on the evolved state instead). */
const createdEvent = expect.objectContaining({ type: "SessionCreated" }) as SessionEvent;

function sessionAfter(events: SessionEvent[]): Session {
  const state = fold(sessionDecider, events);
  if (state.kind !== "Existing") throw new Error("no session after these events");
  return state.session;
}

function create(overrides: Partial<CreateSession> = {}): CreateSession {
  return {
    type: "CreateSession",
    ...base,
    status: "DRAFT",
    mode: "PUBLIC",
    details: { name: "Intro to event sourcing" },
    ...overrides,
  };
}

const edit = (changes: Record<string, unknown>): SessionCommand => ({
  type: "EditSessionDetails",
  ...base,
  changes: unchecked(changes),
});

// =============================================================================================
describe("S1 CreateSession", () => {
  it("creates a DRAFT session with every optional detail defaulted, stamped with who and when", () => {
    given([])
      .when(create())
      .then([
        {
          type: "SessionCreated",
          data: {
            sessionId: SESSION_ID,
            organizationId: ORG_ID,
            status: "DRAFT",
            mode: "PUBLIC",
            details: {
              name: "Intro to event sourcing",
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
            },
            audience: null,
            createdBy: "user-1",
            createdAt: NOW_ISO,
          },
        },
      ]);
  });

  it("creates a LEAD session", () => {
    const [event] = given([]).when(create({ status: "LEAD" })).then([createdEvent]);
    expect(sessionAfter([event!]).status).toBe("LEAD");
  });

  it.each(["PLANNED", "CONFIRMED", "CANCELED", "ARCHIVED"])("refuses to create a session in status %s", (status) => {
    expectInvalid(given([]).when(create({ status: unchecked(status) })), "status");
  });

  it("refuses an unknown mode", () => {
    expectInvalid(given([]).when(create({ mode: unchecked("SECRET") })), "mode");
  });

  it("refuses an audience whose mode differs from the session mode", () => {
    expectInvalid(given([]).when(create({ mode: "PRIVATE", audience: PUBLIC_AUDIENCE })), "audience.mode");
    expectInvalid(given([]).when(create({ mode: "PUBLIC", audience: PRIVATE_AUDIENCE })), "audience.mode");
  });

  it("keeps a matching audience and its mode", () => {
    const [event] = given([])
      .when(create({ mode: "PRIVATE", audience: { ...PRIVATE_AUDIENCE, invitedEmails: [" Ada@Example.COM "] } }))
      .then([createdEvent]);
    const session = sessionAfter([event!]);
    expect(session.mode).toBe("PRIVATE");
    expect(session.audience).toEqual({ ...PRIVATE_AUDIENCE, invitedEmails: ["ada@example.com"] });
  });

  it.each([
    ["empty", ""],
    ["blank", "   "],
    ["too long (201 characters)", "x".repeat(201)],
    ["missing", undefined],
  ])("refuses a %s name", (_, name) => {
    expectInvalid(given([]).when(create({ details: unchecked({ name }) })), "name");
  });

  it("trims the name", () => {
    const [event] = given([])
      .when(create({ details: { name: "  Intro  " } }))
      .then([createdEvent]);
    expect(sessionAfter([event!]).details.name).toBe("Intro");
  });

  it("a retried create on an existing session of the same organization is a no-op", () => {
    given([created()]).when(create({ details: { name: "Something else" } })).thenNothing();
  });

  it("creating over another organization's session id is refused with ALREADY_EXISTS", () => {
    given([created({ organizationId: "org-2" })]).when(create()).thenThrows("ALREADY_EXISTS");
  });

  it("an optional detail passed as undefined is treated as absent (the default applies)", () => {
    // CreateSession.details is `Partial<...>`, so `{ price: undefined }` type-checks; like
    // EditSessionDetails, the decider should ignore undefined rather than refuse it.
    const [event] = given([])
      .when(create({ details: { name: "Intro", price: undefined, summary: undefined } }))
      .then([createdEvent]);
    expect(sessionAfter([event!]).details).toEqual(details({ name: "Intro" }));
  });
});

// =============================================================================================
describe("S1 details validation (CreateSession and EditSessionDetails)", () => {
  const PROMO = {
    currency: "EUR",
    price: 10_000,
    promotionalPrice: 8_000,
    promoStartsAt: "2026-11-01T00:00:00Z",
    promoEndsAt: "2026-11-30T00:00:00Z",
  };

  const BAD: Array<{ rule: string; patch: Record<string, unknown>; field: string }> = [
    { rule: "currency EURO is not ISO 4217", patch: { currency: "EURO" }, field: "currency" },
    { rule: "currency XYZ is not ISO 4217", patch: { currency: "XYZ" }, field: "currency" },
    { rule: "currency eur is not upper case", patch: { currency: "eur" }, field: "currency" },
    { rule: "country ZZ is not ISO 3166", patch: { availableCountries: ["BE", "ZZ"] }, field: "availableCountries.1" },
    { rule: "country fr is not upper case", patch: { availableCountries: ["fr"] }, field: "availableCountries.0" },
    { rule: "country FRA is alpha-3", patch: { availableCountries: ["FRA"] }, field: "availableCountries.0" },
    { rule: "language is not a language tag", patch: { language: "not a language" }, field: "language" },
    { rule: "language is empty", patch: { language: "" }, field: "language" },
    { rule: "language is a word, not an ISO 639 code", patch: { language: "english" }, field: "language" },
    { rule: "image URL is ftp", patch: { imageUrl: "ftp://cdn.example.com/a.png" }, field: "imageUrl" },
    { rule: "image URL is javascript:", patch: { imageUrl: "javascript:alert(1)" }, field: "imageUrl" },
    { rule: "image URL is relative", patch: { imageUrl: "cover.png" }, field: "imageUrl" },
    { rule: "price is fractional (1.5)", patch: { currency: "EUR", price: 1.5 }, field: "price" },
    { rule: "price is negative", patch: { currency: "EUR", price: -100 }, field: "price" },
    { rule: "price is a string", patch: { currency: "EUR", price: "100" }, field: "price" },
    { rule: "price without currency", patch: { price: 1_000 }, field: "currency" },
    { rule: "promo price equal to price", patch: { ...PROMO, promotionalPrice: 10_000 }, field: "promotionalPrice" },
    { rule: "promo price above price", patch: { ...PROMO, promotionalPrice: 12_000 }, field: "promotionalPrice" },
    { rule: "promo price without price", patch: { ...PROMO, price: null }, field: "promotionalPrice" },
    { rule: "promo price without promo start", patch: { ...PROMO, promoStartsAt: null }, field: "promoStartsAt" },
    { rule: "promo price without promo end", patch: { ...PROMO, promoEndsAt: null }, field: "promoEndsAt" },
    { rule: "promo start equal to promo end", patch: { ...PROMO, promoEndsAt: PROMO.promoStartsAt }, field: "promoEndsAt" },
    {
      rule: "promo start after promo end",
      patch: { ...PROMO, promoStartsAt: "2026-12-01T00:00:00Z", promoEndsAt: "2026-11-01T00:00:00Z" },
      field: "promoEndsAt",
    },
    { rule: "instant without offset", patch: { ...PROMO, promoStartsAt: "2026-01-01T10:00:00" }, field: "promoStartsAt" },
    { rule: "instant that is not a date", patch: { ...PROMO, promoEndsAt: "soon Z" }, field: "promoEndsAt" },
    {
      rule: "instant on impossible day 2026-02-30",
      patch: { ...PROMO, promoStartsAt: "2026-02-30T10:00:00Z", promoEndsAt: "2026-11-30T00:00:00Z" },
      field: "promoStartsAt",
    },
    {
      rule: "instant not in ISO-8601 form",
      patch: { ...PROMO, promoStartsAt: "2026/03/29 10:00 Z" },
      field: "promoStartsAt",
    },
    { rule: "assignee id is empty", patch: { assigneeId: "" }, field: "assigneeId" },
    { rule: "summary is longer than 1000", patch: { summary: "s".repeat(1001) }, field: "summary" },
    { rule: "content flag is not a boolean", patch: { contentAccessibleBeforePayment: "yes" }, field: "contentAccessibleBeforePayment" },
    { rule: "member price equal to price", patch: { currency: "EUR", price: 10_000, memberPrice: 10_000 }, field: "memberPrice" },
    { rule: "member price without price", patch: { currency: "EUR", memberPrice: 5_000 }, field: "memberPrice" },
    { rule: "member price negative", patch: { currency: "EUR", price: 10_000, memberPrice: -1 }, field: "memberPrice" },
    { rule: "a VAT category the organization does not define", patch: { vatCategory: "STANDARD" }, field: "vatCategory" },
  ];

  it.each(BAD)("CreateSession refuses: $rule → field $field", ({ patch, field }) => {
    expectInvalid(given([]).when(create({ details: unchecked({ name: "Intro", ...patch }) })), field);
  });

  it.each(BAD)("EditSessionDetails refuses: $rule → field $field", ({ patch, field }) => {
    expectInvalid(given([created()]).when(edit(patch)), field);
  });

  const GOOD: Array<{ rule: string; patch: Record<string, unknown>; stored: Partial<SessionDetails> }> = [
    { rule: "currency EUR", patch: { currency: "EUR" }, stored: { currency: "EUR" } },
    { rule: "countries FR and BE", patch: { availableCountries: ["FR", "BE"] }, stored: { availableCountries: ["FR", "BE"] } },
    { rule: "language zh-Hant-TW", patch: { language: "zh-Hant-TW" }, stored: { language: "zh-Hant-TW" } },
    { rule: "language fr-BE", patch: { language: "fr-BE" }, stored: { language: "fr-BE" } },
    { rule: "https image", patch: { imageUrl: "https://cdn.example.com/a.png" }, stored: { imageUrl: "https://cdn.example.com/a.png" } },
    { rule: "http image", patch: { imageUrl: "http://cdn.example.com/a.png" }, stored: { imageUrl: "http://cdn.example.com/a.png" } },
    { rule: "a free price of 0", patch: { currency: "EUR", price: 0 }, stored: { currency: "EUR", price: 0 } },
    {
      rule: "a promotion, instants in UTC",
      patch: { ...PROMO, promoStartsAt: "2026-03-29T02:30:00+02:00", promoEndsAt: "2026-04-01T00:00:00-05:00" },
      stored: {
        ...PROMO,
        promoStartsAt: "2026-03-29T00:30:00.000Z",
        promoEndsAt: "2026-04-01T05:00:00.000Z",
      },
    },
    { rule: "trimmed texts", patch: { summary: "  Short  ", privateNote: " n " }, stored: { summary: "Short", privateNote: "n" } },
  ];

  it.each(GOOD)("CreateSession accepts $rule", ({ patch, stored }) => {
    given([])
      .when(create({ details: unchecked({ name: "Intro", ...patch }) }))
      .then([
        {
          type: "SessionCreated",
          data: {
            sessionId: SESSION_ID,
            organizationId: ORG_ID,
            status: "DRAFT",
            mode: "PUBLIC",
            details: details({ name: "Intro", ...stored }),
            audience: null,
            createdBy: "user-1",
            createdAt: NOW_ISO,
          },
        },
      ]);
  });

  it.each(GOOD)("EditSessionDetails accepts $rule", ({ patch, stored }) => {
    given([created()])
      .when(edit(patch))
      .then([{ type: "SessionDetailsEdited", data: { sessionId: SESSION_ID, changes: stored } }]);
  });
});

// =============================================================================================
describe("P1, P2 the organization's pricing terms: VAT categories and default currency", () => {
  const pricing = { defaultCurrency: "CHF", vatCategories: ["STANDARD", "REDUCED"] };
  const withPricing = (command: SessionCommand) => ({ ...command, pricing }) as SessionCommand;

  it("a VAT category is one the organization defines, matched whatever its case; another is refused naming them", () => {
    const events = given([]).when(create({ details: { name: "Intro", vatCategory: "reduced" }, pricing })).then([createdEvent]);
    expect(sessionAfter(events).details.vatCategory).toBe("REDUCED");
    given([created()])
      .when(withPricing(edit({ vatCategory: "LUXURY" })))
      .thenThrows("VALIDATION", /^vatCategory: is not one of your organization's VAT categories \(STANDARD, REDUCED\)$/, { field: "vatCategory" });
  });

  it("a category already on a session stays when the organization no longer defines it (it is only checked when chosen)", () => {
    given([created({ details: { vatCategory: "OLD" } })])
      .when(withPricing(edit({ summary: "New summary" })))
      .then([{ type: "SessionDetailsEdited", data: { sessionId: SESSION_ID, changes: { summary: "New summary" } } }]);
  });

  it("a price, promotional or member price given without a currency is in the organization's default currency", () => {
    const events = given([]).when(create({ details: { name: "Intro", price: 1_000 }, pricing })).then([createdEvent]);
    expect(sessionAfter(events).details).toMatchObject({ price: 1_000, currency: "CHF" });
    given([created()])
      .when(withPricing(edit({ price: 2_000, memberPrice: 1_500 })))
      .then([{ type: "SessionDetailsEdited", data: { sessionId: SESSION_ID, changes: { price: 2_000, memberPrice: 1_500, currency: "CHF" } } }]);
    // A currency given, or already there, stays.
    given([created({ details: { currency: "EUR", price: 500 } })])
      .when(withPricing(edit({ price: 2_000 })))
      .then([{ type: "SessionDetailsEdited", data: { sessionId: SESSION_ID, changes: { price: 2_000 } } }]);
  });
});

// =============================================================================================
describe("S1 EditSessionDetails patch semantics", () => {
  const priced = created({
    details: {
      summary: "Learn ES",
      currency: "EUR",
      price: 10_000,
      promotionalPrice: 8_000,
      promoStartsAt: "2026-11-01T00:00:00.000Z",
      promoEndsAt: "2026-11-30T00:00:00.000Z",
    },
  });

  it("records only the fields that change", () => {
    given([priced])
      .when(edit({ name: "Intro to event sourcing", currency: "EUR", price: 12_000, summary: "Learn ES" }))
      .then([{ type: "SessionDetailsEdited", data: { sessionId: SESSION_ID, changes: { price: 12_000 } } }]);
  });

  it("an edit that changes nothing is a no-op", () => {
    given([priced]).when(edit({ name: "  Intro to event sourcing ", price: 10_000 })).thenNothing();
  });

  it("an empty patch is a no-op", () => {
    given([priced]).when(edit({})).thenNothing();
  });

  it("the same instant written with another offset is a no-op", () => {
    given([priced]).when(edit({ promoStartsAt: "2026-11-01T01:00:00+01:00" })).thenNothing();
  });

  it("undefined fields are ignored", () => {
    given([priced]).when(edit({ summary: undefined, price: undefined })).thenNothing();
  });

  it("null clears a field, and evolve applies the clearing", () => {
    const events = given([priced])
      .when(edit({ summary: null }))
      .then([{ type: "SessionDetailsEdited", data: { sessionId: SESSION_ID, changes: { summary: null } } }]);
    expect(sessionAfter([priced, ...events]).details).toEqual({ ...priced.data.details, summary: null });
  });

  it("clearing a field that is already empty is a no-op", () => {
    given([priced]).when(edit({ description: null })).thenNothing();
  });

  it("validates the merged result: lowering the price below the existing promotion is refused", () => {
    expectInvalid(given([priced]).when(edit({ price: 7_000 })), "promotionalPrice");
  });

  it("validates the merged result: removing the currency of a priced session is refused", () => {
    expectInvalid(given([priced]).when(edit({ currency: null })), "currency");
  });

  it("validates the merged result: clearing the price while a promotion exists is refused", () => {
    expectInvalid(given([priced]).when(edit({ price: null })), "promotionalPrice");
  });

  it("validates the merged result: moving the promo end before its start is refused", () => {
    expectInvalid(given([priced]).when(edit({ promoEndsAt: "2026-10-01T00:00:00Z" })), "promoEndsAt");
  });

  it("clearing the promotion and the price together is accepted", () => {
    given([priced])
      .when(edit({ price: null, promotionalPrice: null, promoStartsAt: null, promoEndsAt: null }))
      .then([
        {
          type: "SessionDetailsEdited",
          data: {
            sessionId: SESSION_ID,
            changes: { price: null, promotionalPrice: null, promoStartsAt: null, promoEndsAt: null },
          },
        },
      ]);
  });
});

// =============================================================================================
describe("S2 format", () => {
  const setFormat = (format: unknown): SessionCommand => ({ type: "SetSessionFormat", ...base, format: unchecked(format) });
  const CLASSROOM: Extract<SessionFormat, { kind: "CLASSROOM" }> = {
    kind: "CLASSROOM",
    trainerId: "trainer-1",
    hostId: null,
    place: "Room 4",
    address: "Rue de la Loi 16, 1000 Brussels",
    notes: null,
    helpfulLink: null,
    courseIds: ["course-1"],
  };
  const ONLINE: Extract<SessionFormat, { kind: "ONLINE" }> = { kind: "ONLINE", trainerId: null, courseId: "course-1", journeyId: null };

  it.each<[string, SessionFormat]>([
    ["a WEBINAR with link and trainer", WEBINAR],
    ["a WEBINAR with a host", { ...WEBINAR, hostId: "host-1" }],
    ["a CLASSROOM with trainer, place and address", CLASSROOM],
    ["an ONLINE session with a course and no trainer", ONLINE],
    ["an ONLINE session with a journey only", { ...ONLINE, courseId: null, journeyId: "journey-1" }],
    ["an ONLINE session with a course, a journey and a trainer", { ...ONLINE, journeyId: "journey-1", trainerId: "t-1" }],
  ])("accepts %s", (_, format) => {
    const events = given([created()])
      .when(setFormat(format))
      .then([{ type: "SessionFormatSet", data: { sessionId: SESSION_ID, format } }]);
    expect(sessionAfter([created(), ...events]).format).toEqual(format);
  });

  it.each([
    ["WEBINAR without link", { ...WEBINAR, link: undefined }, "format.link"],
    ["WEBINAR with a non-http link", { ...WEBINAR, link: "zoom://meeting/1" }, "format.link"],
    ["WEBINAR without trainer", { ...WEBINAR, trainerId: undefined }, "format.trainerId"],
    ["WEBINAR with an empty trainer", { ...WEBINAR, trainerId: " " }, "format.trainerId"],
    ["CLASSROOM without trainer", { ...CLASSROOM, trainerId: null }, "format.trainerId"],
    ["CLASSROOM without place", { ...CLASSROOM, place: "" }, "format.place"],
    ["CLASSROOM with a blank address", { ...CLASSROOM, address: "   " }, "format.address"],
    ["CLASSROOM with a non-http helpful link", { ...CLASSROOM, helpfulLink: "ftp://x" }, "format.helpfulLink"],
    ["ONLINE with neither course nor journey", { ...ONLINE, courseId: null }, "format.courseId"],
    ["an unknown kind", { kind: "ZOOM", link: "https://zoom.us/j/1", trainerId: "t" }, "format.kind"],
  ])("refuses %s → field %s", (_, format, field) => {
    expectInvalid(given([created()]).when(setFormat(format)), field);
  });

  it("setting the same format again is a no-op", () => {
    given([created(), formatSet(WEBINAR)]).when(setFormat(WEBINAR)).thenNothing();
  });

  it("replacing the format with another kind records the new one", () => {
    given([created(), formatSet(WEBINAR)])
      .when(setFormat(CLASSROOM))
      .then([{ type: "SessionFormatSet", data: { sessionId: SESSION_ID, format: CLASSROOM } }]);
  });
});

// =============================================================================================
describe("S5 audience", () => {
  const setAudience = (audience: unknown): SessionCommand => ({ type: "SetSessionAudience", ...base, audience: unchecked(audience) });

  it.each([
    ["min greater than max", { mode: "PUBLIC", minParticipants: 5, maxParticipants: 3 }, "audience.maxParticipants"],
    ["min 0", { mode: "PUBLIC", minParticipants: 0, maxParticipants: 3 }, "audience.minParticipants"],
    ["a fractional min", { mode: "PUBLIC", minParticipants: 1.5, maxParticipants: 3 }, "audience.minParticipants"],
    ["max 0", { mode: "PUBLIC", minParticipants: 1, maxParticipants: 0 }, "audience.maxParticipants"],
    ["an unknown mode", { mode: "SECRET" }, "audience.mode"],
    ["a bad invited e-mail", { ...PRIVATE_AUDIENCE, invitedEmails: ["ok@example.com", "not-an-email"] }, "audience.invitedEmails.1"],
    ["an empty target team id", { ...PRIVATE_AUDIENCE, targetTeamIds: [""] }, "audience.targetTeamIds.0"],
  ])("refuses %s → field %s", (_, audience, field) => {
    expectInvalid(given([created()]).when(setAudience(audience)), field);
  });

  it("accepts min equal to max", () => {
    const audience = { mode: "PUBLIC", minParticipants: 4, maxParticipants: 4 } as const;
    given([created()])
      .when(setAudience(audience))
      .then([{ type: "SessionAudienceSet", data: { sessionId: SESSION_ID, audience: { ...audience, waitlistEnabled: true } } }]);
  });

  it("lower-cases and trims invited e-mails", () => {
    given([created({ mode: "PRIVATE" })])
      .when(setAudience({ ...PRIVATE_AUDIENCE, invitedEmails: ["  Grace.Hopper@Navy.MIL ", "ada@example.com"] }))
      .then([
        {
          type: "SessionAudienceSet",
          data: {
            sessionId: SESSION_ID,
            audience: { ...PRIVATE_AUDIENCE, invitedEmails: ["grace.hopper@navy.mil", "ada@example.com"] },
          },
        },
      ]);
  });

  it("switching a public session to a private audience changes its mode", () => {
    const events = given([created({ mode: "PUBLIC" }), audienceSet(PUBLIC_AUDIENCE)])
      .when(setAudience(PRIVATE_AUDIENCE))
      .then([{ type: "SessionAudienceSet", data: { sessionId: SESSION_ID, audience: PRIVATE_AUDIENCE } }]);
    const session = sessionAfter([created({ mode: "PUBLIC" }), audienceSet(PUBLIC_AUDIENCE), ...events]);
    expect(session.mode).toBe("PRIVATE");
    expect(session.audience).toEqual(PRIVATE_AUDIENCE);
  });

  it("switching a private session to a public audience changes its mode back", () => {
    const session = sessionAfter([created({ mode: "PRIVATE", audience: PRIVATE_AUDIENCE }), audienceSet(PUBLIC_AUDIENCE)]);
    expect(session.mode).toBe("PUBLIC");
  });

  it("setting the same audience again is a no-op", () => {
    given([created(), audienceSet(PUBLIC_AUDIENCE)]).when(setAudience(PUBLIC_AUDIENCE)).thenNothing();
  });
});

// =============================================================================================
describe("S6 schedule", () => {
  const setSchedule = (schedule: unknown): SessionCommand => ({ type: "SetSessionSchedule", ...base, schedule: unchecked(schedule) });
  const INPUT = {
    startsAt: "2026-12-01T10:00:00+01:00",
    endsAt: "2026-12-01T13:00:00+01:00",
    timezone: "Europe/Brussels",
    attendanceConfirmationOffsetMinutes: 15,
  };

  it("accepts a schedule and stores its instants in UTC", () => {
    const events = given([created()])
      .when(setSchedule(INPUT))
      .then([{ type: "SessionScheduleSet", data: { sessionId: SESSION_ID, schedule: SCHEDULE } }]);
    expect(sessionAfter([created(), ...events]).schedule).toEqual(SCHEDULE);
  });

  it.each([
    ["start equal to end", { ...INPUT, endsAt: INPUT.startsAt }, "schedule.endsAt"],
    ["start after end", { ...INPUT, endsAt: "2026-12-01T09:00:00+01:00" }, "schedule.endsAt"],
    ["an attendance link opening exactly at the end", { ...INPUT, attendanceConfirmationOffsetMinutes: 180 }, "schedule.attendanceConfirmationOffsetMinutes"],
    ["a negative attendance offset", { ...INPUT, attendanceConfirmationOffsetMinutes: -5 }, "schedule.attendanceConfirmationOffsetMinutes"],
    ["a fractional attendance offset", { ...INPUT, attendanceConfirmationOffsetMinutes: 2.5 }, "schedule.attendanceConfirmationOffsetMinutes"],
    ["a start without offset", { ...INPUT, startsAt: "2026-12-01T10:00:00" }, "schedule.startsAt"],
    ["an end without offset", { ...INPUT, endsAt: "2026-12-01T13:00:00" }, "schedule.endsAt"],
    ["an unknown time zone", { ...INPUT, timezone: "Mars/Olympus_Mons" }, "schedule.timezone"],
    ["a UTC offset instead of a zone name", { ...INPUT, timezone: "+01:00" }, "schedule.timezone"],
  ])("refuses %s → field %s", (_, schedule, field) => {
    expectInvalid(given([created()]).when(setSchedule(schedule)), field);
  });

  it("accepts an attendance link opening one minute before the end", () => {
    given([created()])
      .when(setSchedule({ ...INPUT, attendanceConfirmationOffsetMinutes: 179 }))
      .then([
        { type: "SessionScheduleSet", data: { sessionId: SESSION_ID, schedule: { ...SCHEDULE, attendanceConfirmationOffsetMinutes: 179 } } },
      ]);
  });

  it("setting the same schedule (same instants, other offsets) again is a no-op", () => {
    given([created(), scheduleSet(SCHEDULE)]).when(setSchedule(INPUT)).thenNothing();
  });
});

// =============================================================================================
describe("S7 documents and survey", () => {
  const SLIDES = { documentId: "doc-1", name: "Slides", url: "https://cdn.example.com/slides.pdf" };
  const HANDOUT = { documentId: "doc-2", name: "Handout", url: "https://cdn.example.com/handout.pdf" };
  const attach = (document: unknown): SessionCommand => ({ type: "AttachSessionDocument", ...base, document: unchecked(document) });
  const remove = (documentId: string): SessionCommand => ({ type: "RemoveSessionDocument", ...base, documentId });
  const attached = (document: typeof SLIDES): SessionEvent => ({
    type: "SessionDocumentAttached",
    data: { sessionId: SESSION_ID, document },
  });
  const setSurvey = (survey: unknown): SessionCommand => ({ type: "SetSessionSurvey", ...base, survey: unchecked(survey) });
  const SURVEY = { title: "How was it?", url: "https://forms.example.com/s1" };

  it("attaches a document", () => {
    given([created()]).when(attach(SLIDES)).then([attached(SLIDES)]);
  });

  it("attaching the same documentId again is a no-op", () => {
    given([created(), attached(SLIDES)]).when(attach({ ...SLIDES, name: "Slides v2" })).thenNothing();
  });

  it("attaches a second document after the first", () => {
    const events = given([created(), attached(SLIDES)]).when(attach(HANDOUT)).then([attached(HANDOUT)]);
    expect(sessionAfter([created(), attached(SLIDES), ...events]).documents).toEqual([SLIDES, HANDOUT]);
  });

  it.each([
    ["a non-http URL", { ...SLIDES, url: "file:///etc/passwd" }, "document.url"],
    ["an empty name", { ...SLIDES, name: " " }, "document.name"],
    ["an empty documentId", { ...SLIDES, documentId: "" }, "document.documentId"],
  ])("refuses a document with %s → field %s", (_, document, field) => {
    expectInvalid(given([created()]).when(attach(document)), field);
  });

  it("removes an attached document", () => {
    const history = [created(), attached(SLIDES), attached(HANDOUT)];
    const events = given(history)
      .when(remove("doc-1"))
      .then([{ type: "SessionDocumentRemoved", data: { sessionId: SESSION_ID, documentId: "doc-1" } }]);
    expect(sessionAfter([...history, ...events]).documents).toEqual([HANDOUT]);
  });

  it("removing an unknown document → NOT_FOUND", () => {
    given([created(), attached(SLIDES)])
      .when(remove("doc-9"))
      .thenThrows("NOT_FOUND", /doc-9/, { field: "documentId" });
  });

  it("sets a survey", () => {
    given([created()]).when(setSurvey(SURVEY)).then([{ type: "SessionSurveySet", data: { sessionId: SESSION_ID, survey: SURVEY } }]);
  });

  it("setting the same survey again is a no-op", () => {
    const history: SessionEvent[] = [created(), { type: "SessionSurveySet", data: { sessionId: SESSION_ID, survey: SURVEY } }];
    given(history).when(setSurvey(SURVEY)).thenNothing();
  });

  it("clears the survey with null", () => {
    const history: SessionEvent[] = [created(), { type: "SessionSurveySet", data: { sessionId: SESSION_ID, survey: SURVEY } }];
    const events = given(history)
      .when(setSurvey(null))
      .then([{ type: "SessionSurveySet", data: { sessionId: SESSION_ID, survey: null } }]);
    expect(sessionAfter([...history, ...events]).survey).toBeNull();
  });

  it("clearing an absent survey is a no-op", () => {
    given([created()]).when(setSurvey(null)).thenNothing();
  });

  it.each([
    ["an empty title", { ...SURVEY, title: "" }, "survey.title"],
    ["a non-http URL", { ...SURVEY, url: "mailto:a@b.c" }, "survey.url"],
  ])("refuses a survey with %s → field %s", (_, survey, field) => {
    expectInvalid(given([created()]).when(setSurvey(survey)), field);
  });
});

// =============================================================================================
describe("evolve", () => {
  it("events before SessionCreated leave the state Initial", () => {
    expect(fold(sessionDecider, [formatSet()])).toEqual({ kind: "Initial" });
  });

  it("rebuilds the expected session after a realistic history of decided commands", () => {
    const SLIDES = { documentId: "doc-1", name: "Slides", url: "https://cdn.example.com/slides.pdf" };
    const HANDOUT = { documentId: "doc-2", name: "Handout", url: "https://cdn.example.com/handout.pdf" };
    const commands: SessionCommand[] = [
      create({ status: "LEAD", details: { name: "Event sourcing 101", summary: "Basics" } }),
      { type: "EditSessionDetails", ...base, changes: { currency: "EUR", price: 25_000, language: "en", summary: null } },
      { type: "SetSessionFormat", ...base, format: WEBINAR },
      { type: "SetSessionAudience", ...base, audience: { mode: "PUBLIC", minParticipants: 2, maxParticipants: 20 } },
      { type: "SetSessionSchedule", ...base, schedule: { ...SCHEDULE, startsAt: "2026-12-01T10:00:00+01:00" } },
      { type: "AttachSessionDocument", ...base, document: SLIDES },
      { type: "AttachSessionDocument", ...base, document: HANDOUT },
      { type: "RemoveSessionDocument", ...base, documentId: "doc-1" },
      { type: "SetSessionSurvey", ...base, survey: { title: "Feedback", url: "https://forms.example.com/f" } },
      transitionCommand("PlanSession", { reason: "Validated by admin" }),
      transitionCommand("ConfirmSession"),
    ];
    const history = commands.reduce<SessionEvent[]>(
      (events, command) => [...events, ...sessionDecider.decide(command, fold(sessionDecider, events))],
      [],
    );

    expect(history.map((e) => e.type)).toEqual([
      "SessionCreated",
      "SessionDetailsEdited",
      "SessionFormatSet",
      "SessionAudienceSet",
      "SessionScheduleSet",
      "SessionDocumentAttached",
      "SessionDocumentAttached",
      "SessionDocumentRemoved",
      "SessionSurveySet",
      "SessionPlanned",
      "SessionConfirmed",
    ]);
    expect(fold(sessionDecider, history)).toEqual({
      kind: "Existing",
      session: {
        id: SESSION_ID,
        organizationId: ORG_ID,
        status: "CONFIRMED",
        statusReason: "VALIDATED_BY_OWNER",
        mode: "PUBLIC",
        details: details({ name: "Event sourcing 101", currency: "EUR", price: 25_000, language: "en" }),
        format: WEBINAR,
        audience: { mode: "PUBLIC", minParticipants: 2, maxParticipants: 20, waitlistEnabled: true },
        schedule: SCHEDULE,
        documents: [HANDOUT],
        survey: { title: "Feedback", url: "https://forms.example.com/f" },
        createdBy: "user-1",
        createdAt: NOW_ISO,
      },
      roster: EMPTY_ROSTER,
    });
  });
});
