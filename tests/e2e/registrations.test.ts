/**
 * Registrations through the real HTTP API (S4, S7–S10):
 * - S8 joining a free session (one active registration per person, registering again returns it),
 *   and the public session link `signUpAndRegister` (account + registration + token, or nothing);
 * - S9 capacity: seats up to max, then a first-come waitlist with visible positions, promotion when
 *   a seat frees (participant or staff cancel, raised max), max never lowered below the seats taken;
 * - S4 auto-confirmation exactly once, kept when the count drops again;
 * - S10 canceling a session cancels every registration and waitlist entry, one event each;
 * - staff, the assignee and API keys registering someone else;
 * - reading them (S7, S9): participants / waitlist (staff only), counts, myRegistration, mySessions,
 *   Registration.documents and survey.
 * Refused rules and bad input are in registrations-bad-input.test.ts.
 */
import { randomUUID } from "node:crypto";
import { CommandHandler } from "../../src/domain/shared/command-handler.js";
import { emailClaimDecider, emailClaimStreamName } from "../../src/domain/users/email-claim.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createReadySession } from "../support/session-setup.js";
import { DAY, HOUR, MINUTE } from "../support/test-clock.js";
import {
  addMember,
  createOrganization,
  type Member,
  ok,
  refused,
  startTestServer,
  type TestServer,
} from "../support/test-server.js";

const REG = `id sessionId userId status waitlistPosition requestedAt registeredAt promotedAt canceledAt
  cancellationReason cancellationComment attended attendedAt attendanceMethod registeredBy`;
const REGISTER = `mutation ($input: RegisterForSessionInput!) {
  registerForSession(input: $input) { ${REG} session { id status statusReason } }
}`;
const CANCEL_REGISTRATION = `mutation ($input: CancelRegistrationInput!) { cancelRegistration(input: $input) { ${REG} } }`;
const SIGN_UP_AND_REGISTER = `mutation ($input: SignUpAndRegisterInput!) {
  signUpAndRegister(input: $input) {
    token refreshToken user { id email roles status country } organization { id }
    registration { ${REG} session { id status myRegistration { id } } }
  }
}`;
const REGISTRATION = `query ($id: ID!) { registration(id: $id) { ${REG} } }`;
const COUNTS = `query ($id: ID!) { session(id: $id) {
  id status statusReason registeredCount waitlistedCount attendedCount availableSeats
  myRegistration { id status waitlistPosition cancellationReason }
} }`;
const ROSTER = `query ($id: ID!) { session(id: $id) {
  participants(first: 100) { totalCount nodes { id userId status } }
  waitlist(first: 100) { totalCount nodes { id userId status waitlistPosition } }
} }`;
const PARTICIPANTS_PAGE = `query ($id: ID!, $first: Int!, $after: String, $attended: Boolean) { session(id: $id) {
  participants(first: $first, after: $after, attended: $attended) {
    totalCount pageInfo { hasNextPage endCursor } nodes { id userId status attended }
  }
} }`;
const MY_SESSIONS = `query ($timeframe: Timeframe!, $status: [RegistrationStatus!]) {
  mySessions(timeframe: $timeframe, status: $status, first: 100) {
    totalCount nodes { id sessionId status waitlistPosition }
  }
}`;
const PLAN = `mutation ($input: ChangeSessionStatusInput!) { planSession(input: $input) { id status } }`;
const CONFIRM = `mutation ($input: ConfirmSessionInput!) { confirmSession(input: $input) { id status statusReason } }`;
const CANCEL_SESSION = `mutation ($input: CancelSessionInput!) { cancelSession(input: $input) { id status statusReason } }`;
const AUDIENCE = `mutation ($input: SetSessionAudienceInput!) { setSessionAudience(input: $input) { id } }`;
const EDIT = `mutation ($input: EditSessionDetailsInput!) { editSessionDetails(input: $input) { id assigneeId } }`;
const ATTACH = `mutation ($input: AttachSessionDocumentInput!) { attachSessionDocument(input: $input) { id } }`;
const SURVEY = `mutation ($input: SetSessionSurveyInput!) { setSessionSurvey(input: $input) { id } }`;
const MARK = `mutation ($input: MarkAttendanceInput!) { markAttendance(input: $input) { id attended attendanceMethod } }`;
const CREATE_KEY = `mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id } } }`;
const USERS = `query ($search: String!) { users(filter: { search: $search }) { totalCount } }`;
const SIGN_IN = `mutation ($input: SignInInput!) { signIn(input: $input) { token } }`;

const iso = (ms: number) => new Date(ms).toISOString();

type Org = Awaited<ReturnType<typeof createOrganization>>;

let test: TestServer;
let admin: Org;
let employee: Member;
let manager: Member;
let auditor: Member;
/** Learners: a … e. */
let a: Member, b: Member, c: Member, d: Member, e: Member;

beforeAll(async () => {
  // The last tests move the clock a few hours on (past the end of sessions held soon): the tokens
  // made here must outlive that.
  test = await startTestServer({ ACCESS_TOKEN_TTL_SECONDS: String(DAY / 1000) });
  admin = await createOrganization(test);
  [employee, manager, auditor, a, b, c, d, e] = await Promise.all([
    addMember(test, admin.token, ["EMPLOYEE"]),
    addMember(test, admin.token, ["MANAGER"]),
    addMember(test, admin.token, ["AUDITOR"]),
    addMember(test, admin.token, ["LEARNER"], { country: "BE" }),
    addMember(test, admin.token, ["LEARNER"]),
    addMember(test, admin.token, ["LEARNER"]),
    addMember(test, admin.token, ["LEARNER"]),
    addMember(test, admin.token, ["LEARNER"]),
  ]);
});
afterAll(() => test.stop());

/**
 * A PLANNED public webinar (S3), starting `startsIn` ms after the clock's now (default `inDays`
 * days, default 30) for `hours` hours (default 8).
 */
async function openSession(
  options: { min?: number; max?: number; inDays?: number; startsIn?: number; hours?: number; waitlistEnabled?: boolean } = {},
) {
  const startsAt = test.clock.now().getTime() + (options.startsIn ?? (options.inDays ?? 30) * DAY);
  const sessionId = await createReadySession(test, admin.token, {
    min: options.min ?? 2,
    max: options.max ?? 20,
    startsAt: iso(startsAt),
    endsAt: iso(startsAt + (options.hours ?? 8) * HOUR),
  });
  if (options.waitlistEnabled === false) {
    const audience = { mode: "PUBLIC", minParticipants: options.min ?? 2, maxParticipants: options.max ?? 20 };
    ok(await test.gql(AUDIENCE, { input: { sessionId, ...audience, waitlistEnabled: false } }, admin.token));
  }
  ok(await test.gql(PLAN, { input: { sessionId } }, admin.token));
  return sessionId;
}

/** The session's schedule as the server holds it, in ms. */
async function scheduleOf(sessionId: string): Promise<{ startsAt: number; endsAt: number }> {
  const query = `query ($id: ID!) { session(id: $id) { schedule { startsAt endsAt } } }`;
  const { schedule } = ok(await test.gql(query, { id: sessionId }, admin.token)).session;
  return { startsAt: Date.parse(schedule.startsAt), endsAt: Date.parse(schedule.endsAt) };
}


async function register(token: string, sessionId: string, extra: Record<string, unknown> = {}) {
  return ok(await test.gql(REGISTER, { input: { sessionId, ...extra } }, token)).registerForSession;
}

async function cancelRegistration(token: string, registrationId: string, comment?: string) {
  return ok(await test.gql(CANCEL_REGISTRATION, { input: { registrationId, comment } }, token)).cancelRegistration;
}

async function counts(sessionId: string, token = admin.token) {
  return ok(await test.gql(COUNTS, { id: sessionId }, token)).session;
}

async function registration(id: string, token = admin.token) {
  return ok(await test.gql(REGISTRATION, { id }, token)).registration;
}

async function roster(sessionId: string, token = admin.token) {
  const session = ok(await test.gql(ROSTER, { id: sessionId }, token)).session;
  return {
    participants: session.participants.nodes.map((node: { userId: string }) => node.userId) as string[],
    waitlist: session.waitlist.nodes.map((node: { userId: string; waitlistPosition: number }) => [
      node.userId,
      node.waitlistPosition,
    ]) as [string, number][],
  };
}

async function sessionEvents(sessionId: string) {
  return test.app.store.readStream(`session-${sessionId}`);
}

/** Runs a call and checks it appended nothing to the event log. */
async function appendsNothing<T>(call: () => Promise<T>): Promise<T> {
  const before = await test.app.store.headPosition();
  const result = await call();
  expect(await test.app.store.headPosition()).toBe(before);
  return result;
}

describe("S8 joining a free session", () => {
  it("a learner registers for a PLANNED public session: REGISTERED, by themself, with one seat", async () => {
    const sessionId = await openSession({ min: 5 });
    const before = test.clock.now().getTime();
    const registered = await register(a.token, sessionId);
    expect(registered).toMatchObject({
      sessionId,
      userId: a.userId,
      status: "REGISTERED",
      waitlistPosition: null,
      registeredBy: a.userId,
      promotedAt: null,
      canceledAt: null,
      cancellationReason: null,
      attended: false,
      session: { id: sessionId, status: "PLANNED" },
    });
    expect(Date.parse(registered.registeredAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(await counts(sessionId, a.token)).toMatchObject({
      registeredCount: 1,
      waitlistedCount: 0,
      availableSeats: 19,
      myRegistration: { id: registered.id, status: "REGISTERED" },
    });
    const events = await sessionEvents(sessionId);
    expect(events.filter((event) => event.type === "ParticipantRegistered").map((event) => event.data)).toEqual([
      expect.objectContaining({ registrationId: registered.id, userId: a.userId, registeredBy: a.userId }),
    ]);
  });

  it("registering again, with or without an idempotency key, returns the same registration and takes no second seat (S9)", async () => {
    const sessionId = await openSession({ min: 5 });
    const first = await register(b.token, sessionId, { idempotencyKey: "join-1" });
    await appendsNothing(async () => {
      expect((await register(b.token, sessionId)).id).toBe(first.id);
      expect((await register(b.token, sessionId, { idempotencyKey: "join-1" })).id).toBe(first.id);
      expect((await register(b.token, sessionId, { idempotencyKey: "join-2" })).id).toBe(first.id);
    });
    expect(await counts(sessionId)).toMatchObject({ registeredCount: 1, waitlistedCount: 0, availableSeats: 19 });
    expect(await roster(sessionId)).toEqual({ participants: [b.userId], waitlist: [] });
  });

  it("after cancelling, the learner can register again: a new registration, the old one stays CANCELED", async () => {
    const sessionId = await openSession({ min: 5 });
    const first = await register(c.token, sessionId);
    const canceled = await cancelRegistration(c.token, first.id, "Clashes with a meeting");
    expect(canceled).toMatchObject({
      id: first.id,
      status: "CANCELED",
      cancellationReason: "BY_PARTICIPANT",
      cancellationComment: "Clashes with a meeting",
    });
    expect(await counts(sessionId, c.token)).toMatchObject({
      registeredCount: 0,
      myRegistration: { id: first.id, status: "CANCELED", cancellationReason: "BY_PARTICIPANT" },
    });
    const again = await register(c.token, sessionId);
    expect(again.id).not.toBe(first.id);
    expect(again.status).toBe("REGISTERED");
    expect(await counts(sessionId, c.token)).toMatchObject({
      registeredCount: 1,
      myRegistration: { id: again.id, status: "REGISTERED" },
    });
    expect((await registration(first.id)).status).toBe("CANCELED");
  });

  it("a CONFIRMED session takes registrations too", async () => {
    const sessionId = await openSession({ min: 5 });
    expect(ok(await test.gql(CONFIRM, { input: { sessionId } }, admin.token)).confirmSession.status).toBe("CONFIRMED");
    const registered = await register(d.token, sessionId);
    expect(registered).toMatchObject({ status: "REGISTERED", session: { status: "CONFIRMED" } });
  });
});

describe("S8 signUpAndRegister: the public session link", () => {
  let counter = 0;
  const newcomer = (overrides: Record<string, unknown> = {}) => {
    counter += 1;
    return {
      organizationId: admin.organizationId,
      email: `newcomer${counter}-${Date.now()}@link.test`,
      password: "correct horse battery 9",
      displayName: `Newcomer ${counter}`,
      ...overrides,
    };
  };

  it("creates a LEARNER account, registers it and signs it in; when the session is full, the newcomer waits", async () => {
    const sessionId = await openSession({ min: 1, max: 1 });
    const first = newcomer({ sessionId, country: "BE" });
    const payload = ok(await test.gql(SIGN_UP_AND_REGISTER, { input: first }, undefined)).signUpAndRegister;
    expect(payload.user).toMatchObject({ email: first.email, roles: ["LEARNER"], status: "ACTIVE", country: "BE" });
    expect(payload.organization.id).toBe(admin.organizationId);
    expect(payload.token).toEqual(expect.any(String));
    expect(payload.refreshToken).toEqual(expect.any(String));
    expect(payload.registration).toMatchObject({
      sessionId,
      userId: payload.user.id,
      status: "REGISTERED",
      registeredBy: payload.user.id,
    });
    // The answer is read as the newcomer, now signed in: their session and their registration on it.
    expect(payload.registration.session).toEqual({
      id: sessionId,
      status: "CONFIRMED",
      myRegistration: { id: payload.registration.id },
    });
    // The token works: the newcomer sees the session in their own sessions.
    const mine = ok(await test.gql(MY_SESSIONS, { timeframe: "UPCOMING" }, payload.token)).mySessions;
    expect(mine.nodes).toEqual([expect.objectContaining({ id: payload.registration.id, sessionId, status: "REGISTERED" })]);
    // S4: that registration reached the minimum of 1.
    expect(await counts(sessionId, payload.token)).toMatchObject({ status: "CONFIRMED", statusReason: "MINIMUM_REACHED" });

    const second = ok(await test.gql(SIGN_UP_AND_REGISTER, { input: newcomer({ sessionId }) })).signUpAndRegister;
    expect(second.registration).toMatchObject({ status: "WAITLISTED", waitlistPosition: 1 });
    const secondMine = ok(await test.gql(MY_SESSIONS, { timeframe: "UPCOMING" }, second.token)).mySessions;
    expect(secondMine.nodes).toEqual([expect.objectContaining({ sessionId, status: "WAITLISTED", waitlistPosition: 1 })]);
  });

  it("refuses what the registration would refuse before creating any account: no user, no sign-in, no event", async () => {
    const open = await openSession({ min: 1, max: 10 });
    const full = await openSession({ min: 1, max: 1, waitlistEnabled: false });
    await register(a.token, full);
    const draft = await createReadySession(test, admin.token, { startsAt: test.clock.iso(30 * DAY), endsAt: test.clock.iso(31 * DAY) });
    const privateSession = await openSession();
    ok(await test.gql(AUDIENCE, { input: { sessionId: privateSession, mode: "PRIVATE", targetUserIds: [a.userId] } }, admin.token));
    const countryLimited = await openSession();
    ok(await test.gql(EDIT, { input: { sessionId: countryLimited, availableCountries: ["NL"] } }, admin.token));
    const other = await createOrganization(test);

    const cases: { title: string; input: Record<string, unknown>; code: string; field?: string }[] = [
      { title: "private session", input: newcomer({ sessionId: privateSession }), code: "NOT_FOUND" },
      { title: "DRAFT session", input: newcomer({ sessionId: draft }), code: "NOT_FOUND" },
      { title: "another organization's link", input: newcomer({ sessionId: open, organizationId: other.organizationId }), code: "NOT_FOUND" },
      { title: "country not allowed", input: newcomer({ sessionId: countryLimited, country: "BE" }), code: "COUNTRY_NOT_ALLOWED" },
      { title: "no country where countries are limited", input: newcomer({ sessionId: countryLimited }), code: "COUNTRY_NOT_ALLOWED" },
      { title: "full without waitlist", input: newcomer({ sessionId: full }), code: "SESSION_FULL" },
      { title: "existing e-mail", input: newcomer({ sessionId: open, email: a.email.toUpperCase() }), code: "ALREADY_EXISTS", field: "email" },
      { title: "weak password", input: newcomer({ sessionId: open, password: "short" }), code: "BAD_USER_INPUT", field: "password" },
    ];
    for (const { title, input, code, field } of cases) {
      const error = await appendsNothing(async () => refused(await test.gql(SIGN_UP_AND_REGISTER, { input })));
      expect(error.code, title).toBe(code);
      if (field) expect(error.extensions.field, title).toBe(field);
      const email = String(input.email);
      const found = ok(await test.gql(USERS, { search: email.toLowerCase() }, admin.token)).users.totalCount;
      expect(found, title).toBe(email === a.email.toUpperCase() ? 1 : 0);
      if (email !== a.email.toUpperCase()) {
        const signIn = await test.gql(SIGN_IN, { input: { email, password: input.password, organizationId: admin.organizationId } });
        expect(signIn.errors?.length, title).toBeGreaterThan(0);
      }
    }
    expect(await counts(open)).toMatchObject({ registeredCount: 0, waitlistedCount: 0 });
    expect(await counts(full)).toMatchObject({ registeredCount: 1, waitlistedCount: 0 });
  });
});

describe("S8 signUpAndRegister under concurrency", () => {
  // The refusal must come before the account whatever the timing: here 5 newcomers race for the
  // last seat of a session without waitlist; the 4 refused ones must not be left with an account.
  it("newcomers racing for the only seat (no waitlist): one gets it, the refused ones get SESSION_FULL and no account", async () => {
    const sessionId = await openSession({ min: 1, max: 1, waitlistEnabled: false });
    const stamp = Date.now();
    const inputs = Array.from({ length: 5 }, (_, i) => ({
      organizationId: admin.organizationId,
      sessionId,
      email: `race${i}-${stamp}@link.test`,
      password: "correct horse battery 9",
      displayName: `Racer ${i}`,
    }));
    const results = await Promise.all(inputs.map((input) => test.gql(SIGN_UP_AND_REGISTER, { input })));
    const codes = results.map((result) => result.errors?.[0]?.extensions?.code ?? "OK");
    expect(codes.filter((code) => code === "OK")).toHaveLength(1);
    expect(codes.filter((code) => code !== "OK")).toEqual(Array(4).fill("SESSION_FULL"));
    expect(await counts(sessionId)).toMatchObject({ registeredCount: 1, waitlistedCount: 0 });
    const accounts = await Promise.all(
      inputs.map(async ({ email }) => ok(await test.gql(USERS, { search: email }, admin.token)).users.totalCount as number),
    );
    expect(accounts[codes.indexOf("OK")]).toBe(1);
    const refusedButCreated = inputs.filter((input, i) => codes[i] !== "OK" && accounts[i] !== 0).map((input) => input.email);
    expect(refusedButCreated, "refused sign-ups left with an account").toEqual([]);
  });

  it("an e-mail claimed in between (another sign-up in flight): ALREADY_EXISTS, and the seat already taken goes back", async () => {
    const sessionId = await openSession({ min: 5, max: 10 });
    const email = `in-flight-${Date.now()}@link.test`;
    // Another sign-up holds the address but is not in the read model yet: the pre-check cannot see it.
    await new CommandHandler(test.app.store, emailClaimDecider).handle(emailClaimStreamName(admin.organizationId, email), {
      type: "ClaimEmail",
      email,
      userId: "someone-in-flight",
      context: { commandId: randomUUID(), organizationId: admin.organizationId, actorId: "someone-in-flight", now: test.clock.now(), correlationId: "test" },
    });
    const input = { organizationId: admin.organizationId, sessionId, email, password: "correct horse battery 9", displayName: "Late" };
    expect(refused(await test.gql(SIGN_UP_AND_REGISTER, { input }))).toMatchObject({ code: "ALREADY_EXISTS" });
    const registrationEvents = (await test.app.store.readStream(`session-${sessionId}`))
      .filter((event) => ["ParticipantRegistered", "RegistrationCanceled"].includes(event.type))
      .map((event) => [event.type, event.data.reason ?? null]);
    expect(registrationEvents).toEqual([
      ["ParticipantRegistered", null],
      ["RegistrationCanceled", "BY_STAFF"],
    ]);
    expect(await counts(sessionId)).toMatchObject({ registeredCount: 0, waitlistedCount: 0 });
    expect(ok(await test.gql(USERS, { search: email }, admin.token)).users.totalCount).toBe(0);
  });
});

describe("S9 capacity and waitlist, S4 auto-confirmation", () => {
  let sessionId: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    sessionId = await openSession({ min: 2, max: 3 });
  });

  it("the first 3 get a seat; the registration reaching min 2 confirms the session (MINIMUM_REACHED); the CONFIRMED session takes the 3rd", async () => {
    const first = await register(a.token, sessionId);
    expect(first).toMatchObject({ status: "REGISTERED", session: { status: "PLANNED", statusReason: null } });
    const second = await register(b.token, sessionId);
    expect(second).toMatchObject({ status: "REGISTERED", session: { status: "CONFIRMED", statusReason: "MINIMUM_REACHED" } });
    const third = await register(c.token, sessionId);
    expect(third).toMatchObject({ status: "REGISTERED", session: { status: "CONFIRMED" } });
    Object.assign(ids, { a: first.id, b: second.id, c: third.id });
    expect(await counts(sessionId, a.token)).toMatchObject({ registeredCount: 3, waitlistedCount: 0, availableSeats: 0 });
  });

  it("beyond max, people wait in line with positions 1, 2, 3; Session.waitlist shows the line in order", async () => {
    const [dWaits, eWaits, mWaits] = [await register(d.token, sessionId), await register(e.token, sessionId), await register(manager.token, sessionId)];
    expect([dWaits, eWaits, mWaits].map((r) => [r.status, r.waitlistPosition, r.registeredAt])).toEqual([
      ["WAITLISTED", 1, null],
      ["WAITLISTED", 2, null],
      ["WAITLISTED", 3, null],
    ]);
    Object.assign(ids, { d: dWaits.id, e: eWaits.id, m: mWaits.id });
    expect(await roster(sessionId)).toEqual({
      participants: [a.userId, b.userId, c.userId],
      waitlist: [[d.userId, 1], [e.userId, 2], [manager.userId, 3]],
    });
    expect(await counts(sessionId, e.token)).toMatchObject({
      registeredCount: 3,
      waitlistedCount: 3,
      availableSeats: 0,
      myRegistration: { id: eWaits.id, status: "WAITLISTED", waitlistPosition: 2 },
    });
  });

  it("a participant cancels: the first waiting person is promoted in the same step, the others move up", async () => {
    const before = (await sessionEvents(sessionId)).length;
    expect((await cancelRegistration(a.token, ids.a!)).cancellationReason).toBe("BY_PARTICIPANT");
    const events = (await sessionEvents(sessionId)).slice(before);
    expect(events.map((event) => event.type)).toEqual(["RegistrationCanceled", "ParticipantPromotedFromWaitlist"]);
    expect(events[1]!.data).toMatchObject({ registrationId: ids.d, userId: d.userId, reason: "SEAT_FREED" });
    const promoted = await registration(ids.d!, d.token);
    expect(promoted).toMatchObject({ status: "REGISTERED", waitlistPosition: null });
    expect(promoted.promotedAt).toEqual(expect.any(String));
    expect(promoted.registeredAt).toBe(promoted.promotedAt);
    expect(await roster(sessionId)).toEqual({
      participants: [b.userId, c.userId, d.userId],
      waitlist: [[e.userId, 1], [manager.userId, 2]],
    });
    expect(await counts(sessionId)).toMatchObject({ registeredCount: 3, waitlistedCount: 2 });
  });

  it("staff cancel someone's registration (BY_STAFF, with the comment): the next in line is promoted", async () => {
    const before = (await sessionEvents(sessionId)).length;
    const canceled = await cancelRegistration(admin.token, ids.b!, "Asked by phone");
    expect(canceled).toMatchObject({ status: "CANCELED", cancellationReason: "BY_STAFF", cancellationComment: "Asked by phone" });
    const events = (await sessionEvents(sessionId)).slice(before);
    expect(events.map((event) => [event.type, event.data.registrationId])).toEqual([
      ["RegistrationCanceled", ids.b],
      ["ParticipantPromotedFromWaitlist", ids.e],
    ]);
    expect(events[0]!.data).toMatchObject({ reason: "BY_STAFF", canceledBy: admin.userId });
    expect((await registration(ids.e!)).status).toBe("REGISTERED");
    expect(await roster(sessionId)).toEqual({ participants: [c.userId, d.userId, e.userId], waitlist: [[manager.userId, 1]] });
    expect(await counts(sessionId)).toMatchObject({ registeredCount: 3, waitlistedCount: 1 });
  });

  it("raising maxParticipants (setSessionAudience) promotes the waiting; lowering it below the seats taken is refused", async () => {
    const before = (await sessionEvents(sessionId)).length;
    ok(await test.gql(AUDIENCE, { input: { sessionId, mode: "PUBLIC", minParticipants: 2, maxParticipants: 4 } }, admin.token));
    const events = (await sessionEvents(sessionId)).slice(before);
    expect(events.map((event) => event.type)).toEqual(["SessionAudienceSet", "ParticipantPromotedFromWaitlist"]);
    expect(events[1]!.data).toMatchObject({ registrationId: ids.m, reason: "CAPACITY_RAISED" });
    expect(await roster(sessionId)).toEqual({
      participants: [c.userId, d.userId, e.userId, manager.userId],
      waitlist: [],
    });

    const error = await appendsNothing(async () =>
      refused(await test.gql(AUDIENCE, { input: { sessionId, mode: "PUBLIC", minParticipants: 2, maxParticipants: 3 } }, admin.token)),
    );
    expect(error.code).toBe("BAD_USER_INPUT");
    expect(error.extensions.field).toBe("maxParticipants");
    expect(await counts(sessionId)).toMatchObject({ registeredCount: 4, availableSeats: 0 });
  });

  it("falling below the minimum keeps the session CONFIRMED; SessionConfirmed was recorded exactly once (S4)", async () => {
    for (const [member, id] of [[c, ids.c], [d, ids.d], [e, ids.e]] as const) await cancelRegistration(member.token, id!);
    expect(await counts(sessionId)).toMatchObject({
      status: "CONFIRMED",
      statusReason: "MINIMUM_REACHED",
      registeredCount: 1,
      waitlistedCount: 0,
      availableSeats: 3,
    });
    // Registering again after the drop does not confirm a second time.
    await register(a.token, sessionId);
    const confirmations = (await sessionEvents(sessionId)).filter((event) => event.type === "SessionConfirmed");
    expect(confirmations.map((event) => event.data)).toEqual([expect.objectContaining({ reason: "MINIMUM_REACHED", changedBy: b.userId })]);
  });

  it("with waitlistEnabled false, a full session refuses with SESSION_FULL and appends nothing", async () => {
    const full = await openSession({ min: 1, max: 1, waitlistEnabled: false });
    await register(a.token, full);
    const error = await appendsNothing(async () => refused(await test.gql(REGISTER, { input: { sessionId: full } }, b.token)));
    expect(error.code).toBe("SESSION_FULL");
    expect(error.extensions.maxParticipants).toBe(1);
    expect(await counts(full, b.token)).toMatchObject({ registeredCount: 1, waitlistedCount: 0, myRegistration: null });
  });
});

describe("S10 canceling a session cancels every registration", () => {
  it("one RegistrationCanceled per seat and waitlist entry (SESSION_CANCELED), counts 0, then SESSION_NOT_OPEN", async () => {
    const sessionId = await openSession({ min: 1, max: 2 });
    const seated = [await register(a.token, sessionId), await register(b.token, sessionId)];
    const waiting = await register(c.token, sessionId);
    expect(waiting.status).toBe("WAITLISTED");
    const before = (await sessionEvents(sessionId)).length;

    const canceled = ok(await test.gql(CANCEL_SESSION, { input: { sessionId, reason: "Trainer is ill" } }, admin.token));
    expect(canceled.cancelSession).toMatchObject({ status: "CANCELED", statusReason: "Trainer is ill" });
    const events = (await sessionEvents(sessionId)).slice(before);
    expect(events.map((event) => event.type)).toEqual(["SessionCanceled", "RegistrationCanceled", "RegistrationCanceled", "RegistrationCanceled"]);
    expect(events.slice(1).map((event) => [event.data.registrationId, event.data.previousStatus, event.data.reason])).toEqual([
      [seated[0]!.id, "REGISTERED", "SESSION_CANCELED"],
      [seated[1]!.id, "REGISTERED", "SESSION_CANCELED"],
      [waiting.id, "WAITLISTED", "SESSION_CANCELED"],
    ]);
    for (const { id } of [...seated, waiting]) {
      expect(await registration(id)).toMatchObject({
        status: "CANCELED",
        cancellationReason: "SESSION_CANCELED",
        cancellationComment: "Trainer is ill",
        waitlistPosition: null,
      });
    }
    expect(await counts(sessionId, a.token)).toMatchObject({
      registeredCount: 0,
      waitlistedCount: 0,
      myRegistration: { status: "CANCELED", cancellationReason: "SESSION_CANCELED" },
    });
    expect(await roster(sessionId)).toEqual({ participants: [], waitlist: [] });

    for (const member of [a, d]) {
      const error = await appendsNothing(async () => refused(await test.gql(REGISTER, { input: { sessionId } }, member.token)));
      expect(error.code).toBe("SESSION_NOT_OPEN");
    }
  });
});

describe("registering someone else: front desk, assignee, API keys (S8)", () => {
  it("an EMPLOYEE registers a learner; the registration is the learner's, registered by the employee", async () => {
    const sessionId = await openSession();
    const registered = await register(employee.token, sessionId, { userId: a.userId });
    expect(registered).toMatchObject({ userId: a.userId, status: "REGISTERED", registeredBy: employee.userId });
    expect((await counts(sessionId, a.token)).myRegistration).toMatchObject({ id: registered.id, status: "REGISTERED" });
    expect((await counts(sessionId, employee.token)).myRegistration).toBeNull();
  });

  it("a MANAGER who is not the session's assignee cannot (FORBIDDEN, nothing appended); once assignee, they can", async () => {
    const sessionId = await openSession();
    const error = await appendsNothing(async () =>
      refused(await test.gql(REGISTER, { input: { sessionId, userId: b.userId } }, manager.token)),
    );
    expect(error.code).toBe("FORBIDDEN");
    ok(await test.gql(EDIT, { input: { sessionId, assigneeId: manager.userId } }, admin.token));
    const registered = await register(manager.token, sessionId, { userId: b.userId });
    expect(registered).toMatchObject({ userId: b.userId, status: "REGISTERED", registeredBy: manager.userId });
  });

  it("an API key with sessions:write registers a user, recorded as api-key:<id>", async () => {
    const sessionId = await openSession();
    const key = ok(await test.gql(CREATE_KEY, { input: { name: "CRM", scopes: ["SESSIONS_WRITE"] } }, admin.token)).createApiKey;
    const registered = ok(await test.gql(REGISTER, { input: { sessionId, userId: c.userId } }, key.secret)).registerForSession;
    expect(registered).toMatchObject({ userId: c.userId, status: "REGISTERED", registeredBy: `api-key:${key.apiKey.id}` });
    const events = await sessionEvents(sessionId);
    expect(events.find((event) => event.type === "ParticipantRegistered")?.data).toMatchObject({
      userId: c.userId,
      registeredBy: `api-key:${key.apiKey.id}`,
    });
  });
});

describe("reading registrations (S7, S9): participants, waitlist, counts, my sessions, documents and survey", () => {
  let sessionId: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    // Held soon (in an hour, for two hours): the survey and attendance tests move the clock past its start and end.
    sessionId = await openSession({ min: 2, max: 3, startsIn: HOUR, hours: 2 });
    ok(await test.gql(ATTACH, { input: { sessionId, name: "Slides", url: "https://docs.example.com/slides.pdf" } }, admin.token));
    ok(await test.gql(SURVEY, { input: { sessionId, survey: { title: "How was it?", url: "https://survey.example.com/1" } } }, admin.token));
    for (const [key, member] of [["a", a], ["b", b], ["c", c], ["d", d]] as const) ids[key] = (await register(member.token, sessionId)).id;
  });

  it("participants and waitlist are FORBIDDEN for a learner, who sees the counts and their own registration", async () => {
    for (const field of ["participants { totalCount }", "waitlist { totalCount }"]) {
      const error = refused(await test.gql(`query ($id: ID!) { session(id: $id) { ${field} } }`, { id: sessionId }, a.token));
      expect(error.code, field).toBe("FORBIDDEN");
    }
    expect(await counts(sessionId, a.token)).toMatchObject({
      registeredCount: 3,
      waitlistedCount: 1,
      attendedCount: 0,
      availableSeats: 0,
      myRegistration: { id: ids.a, status: "REGISTERED" },
    });
    expect((await counts(sessionId, d.token)).myRegistration).toMatchObject({ id: ids.d, status: "WAITLISTED", waitlistPosition: 1 });
    expect((await counts(sessionId, e.token)).myRegistration).toBeNull();
  });

  it("staff and AUDITORs read participants in seat order and the waitlist in line order, with pages and totalCount", async () => {
    for (const member of [admin, auditor, employee]) {
      expect(await roster(sessionId, member.token)).toEqual({
        participants: [a.userId, b.userId, c.userId],
        waitlist: [[d.userId, 1]],
      });
    }
    const page1 = ok(await test.gql(PARTICIPANTS_PAGE, { id: sessionId, first: 2 }, auditor.token)).session.participants;
    expect(page1.totalCount).toBe(3);
    expect(page1.pageInfo.hasNextPage).toBe(true);
    expect(page1.nodes.map((node: { id: string }) => node.id)).toEqual([ids.a, ids.b]);
    const page2 = ok(
      await test.gql(PARTICIPANTS_PAGE, { id: sessionId, first: 2, after: page1.pageInfo.endCursor }, auditor.token),
    ).session.participants;
    expect(page2.totalCount).toBe(3);
    expect(page2.pageInfo.hasNextPage).toBe(false);
    expect(page2.nodes.map((node: { id: string }) => node.id)).toEqual([ids.c]);
  });

  it("Registration.documents are shown to seat holders, not to the waiting; the survey only once the session ended (S7)", async () => {
    const FIELDS = `query ($id: ID!) { registration(id: $id) { status documents { name url } survey { title url } } }`;
    const seated = ok(await test.gql(FIELDS, { id: ids.a }, a.token)).registration;
    expect(seated).toEqual({ status: "REGISTERED", documents: [{ name: "Slides", url: "https://docs.example.com/slides.pdf" }], survey: null });
    const waiting = ok(await test.gql(FIELDS, { id: ids.d }, d.token)).registration;
    expect(waiting).toEqual({ status: "WAITLISTED", documents: [], survey: null });

    // The session ends: the clock moves past its end.
    test.clock.advanceTo((await scheduleOf(sessionId)).endsAt + MINUTE);
    expect(ok(await test.gql(FIELDS, { id: ids.a }, a.token)).registration.survey).toEqual({
      title: "How was it?",
      url: "https://survey.example.com/1",
    });
    expect(ok(await test.gql(FIELDS, { id: ids.d }, d.token)).registration).toEqual({ status: "WAITLISTED", documents: [], survey: null });
  });

  it("participants(attended:) filters on attendance; attendedCount counts it", async () => {
    // Staff mark attendance once the session started: the clock is moved there when not yet past it.
    test.clock.advanceTo((await scheduleOf(sessionId)).startsAt + MINUTE);
    expect(ok(await test.gql(MARK, { input: { registrationId: ids.b } }, admin.token)).markAttendance).toMatchObject({
      attended: true,
      attendanceMethod: "STAFF",
    });
    const attended = ok(await test.gql(PARTICIPANTS_PAGE, { id: sessionId, first: 10, attended: true }, admin.token));
    expect(attended.session.participants.nodes.map((node: { id: string }) => node.id)).toEqual([ids.b]);
    expect(attended.session.participants.totalCount).toBe(1);
    const absent = ok(await test.gql(PARTICIPANTS_PAGE, { id: sessionId, first: 10, attended: false }, admin.token));
    expect(absent.session.participants.nodes.map((node: { id: string }) => node.id)).toEqual([ids.a, ids.c]);
    expect(absent.session.participants.totalCount).toBe(2);
    expect(await counts(sessionId, c.token)).toMatchObject({ attendedCount: 1, registeredCount: 3 });
  });

  it("mySessions: upcoming soonest first and past, with each registration's status; the status filter", async () => {
    // Held soon (in 10 minutes, for 2 hours), then ended by moving the clock past its end.
    const past = await openSession({ min: 5, startsIn: 10 * MINUTE, hours: 2 });
    const link = {
      organizationId: admin.organizationId,
      sessionId: past,
      email: `my-sessions-${Date.now()}@link.test`,
      password: "correct horse battery 7",
      displayName: "Mia",
    };
    const me = ok(await test.gql(SIGN_UP_AND_REGISTER, { input: link })).signUpAndRegister;
    const later = await openSession({ min: 5, inDays: 40 });
    const sooner = await openSession({ min: 1, max: 1, inDays: 20 });
    const left = await openSession({ min: 5, inDays: 25 });
    await register(a.token, sooner);
    const waiting = await register(me.token, sooner);
    const seated = await register(me.token, later);
    const gone = await register(me.token, left);
    await cancelRegistration(me.token, gone.id);
    test.clock.advanceTo((await scheduleOf(past)).endsAt + MINUTE);

    const mySessions = async (timeframe: string, status?: string[]) =>
      ok(await test.gql(MY_SESSIONS, { timeframe, status }, me.token)).mySessions;
    const upcoming = await mySessions("UPCOMING");
    expect(upcoming.totalCount).toBe(2);
    expect(upcoming.nodes.map((node: Record<string, unknown>) => [node.sessionId, node.status, node.waitlistPosition])).toEqual([
      [sooner, "WAITLISTED", 1],
      [later, "REGISTERED", null],
    ]);
    expect(upcoming.nodes[0].id).toBe(waiting.id);
    expect(upcoming.nodes[1].id).toBe(seated.id);
    const pastOnes = await mySessions("PAST");
    expect(pastOnes.nodes).toEqual([{ id: me.registration.id, sessionId: past, status: "REGISTERED", waitlistPosition: null }]);
    const canceled = await mySessions("UPCOMING", ["CANCELED"]);
    expect(canceled.nodes.map((node: { id: string; status: string }) => [node.id, node.status])).toEqual([[gone.id, "CANCELED"]]);
    // Another learner's list holds none of these.
    const others = ok(await test.gql(MY_SESSIONS, { timeframe: "UPCOMING" }, b.token)).mySessions.nodes as { sessionId: string }[];
    expect(others.map((node) => node.sessionId)).not.toContain(later);
  });
});
