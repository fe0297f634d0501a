/**
 * Refused registrations through the real HTTP API (S8, S9; every refusal answers a clear error
 * with a stable code and writes nothing, see docs/rules.md). Each refusal is checked
 * for its code (and field for bad input) and for having appended nothing to the event log:
 * sessions not open (S3/S8), not visible (S5), wrong country (S1), paid (S8), ended or started
 * (S8–S9), unknown or foreign ids (§0 tenancy), blank ids, and who may register or cancel for
 * someone else (authorization table). The allowed counterparts are shown next to each refusal.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createReadySession } from "../support/session-setup.js";
import { DAY, HOUR, MINUTE } from "../support/test-clock.js";
import {
  addMember,
  createOrganization,
  type GraphQLResponse,
  type Member,
  ok,
  refused,
  startTestServer,
  type TestServer,
} from "../support/test-server.js";

const REGISTER = `mutation ($input: RegisterForSessionInput!) { registerForSession(input: $input) { id userId status registeredBy } }`;
const CANCEL_REGISTRATION = `mutation ($input: CancelRegistrationInput!) {
  cancelRegistration(input: $input) { id status cancellationReason }
}`;
const SIGN_UP_AND_REGISTER = `mutation ($input: SignUpAndRegisterInput!) { signUpAndRegister(input: $input) { token } }`;
const REGISTRATION = `query ($id: ID!) { registration(id: $id) { id status } }`;
const PLAN = `mutation ($input: ChangeSessionStatusInput!) { planSession(input: $input) { id status } }`;
const MARK_LEAD = `mutation ($input: ChangeSessionStatusInput!) { markSessionAsLead(input: $input) { id status } }`;
const AUDIENCE = `mutation ($input: SetSessionAudienceInput!) { setSessionAudience(input: $input) { id } }`;
const EDIT = `mutation ($input: EditSessionDetailsInput!) { editSessionDetails(input: $input) { id } }`;
const UPDATE_USER = `mutation ($input: UpdateUserInput!) { updateUser(input: $input) { id country } }`;
const CREATE_TEAM = `mutation ($input: CreateTeamInput!) { createTeam(input: $input) { id } }`;
const CREATE_KEY = `mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id } } }`;
const COUNTS = `query ($id: ID!) { session(id: $id) { registeredCount waitlistedCount } }`;

const iso = (ms: number) => new Date(ms).toISOString();

type Org = Awaited<ReturnType<typeof createOrganization>>;

let test: TestServer;
let admin: Org;
let other: Org;
let employee: Member;
let auditor: Member;
/** Learners: a (country BE), b (member of `teamId`), c, d. */
let a: Member, b: Member, c: Member, d: Member;
let teamId: string;

beforeAll(async () => {
  // Two tests move the clock on (some forty minutes in all): the tokens made here must outlive that.
  test = await startTestServer({ ACCESS_TOKEN_TTL_SECONDS: String(DAY / 1000) });
  [admin, other] = await Promise.all([createOrganization(test), createOrganization(test)]);
  teamId = ok(await test.gql(CREATE_TEAM, { input: { name: "Sales" } }, admin.token)).createTeam.id;
  [employee, auditor, a, b, c, d] = await Promise.all([
    addMember(test, admin.token, ["EMPLOYEE"]),
    addMember(test, admin.token, ["AUDITOR"]),
    addMember(test, admin.token, ["LEARNER"], { country: "BE" }),
    addMember(test, admin.token, ["LEARNER"], { teamIds: [teamId] }),
    addMember(test, admin.token, ["LEARNER"]),
    addMember(test, admin.token, ["LEARNER"]),
  ]);
});
afterAll(() => test.stop());

/**
 * A public webinar starting at `startsAt` (ms; default 30 days after the clock's now) for `hours`
 * hours (default 8), ready to plan; PLANNED unless `plan` is false.
 */
async function session(options: { plan?: boolean; token?: string; startsAt?: number; hours?: number } = {}) {
  const startsAt = options.startsAt ?? test.clock.now().getTime() + 30 * DAY;
  const sessionId = await createReadySession(test, options.token ?? admin.token, {
    min: 2,
    max: 10,
    startsAt: iso(startsAt),
    endsAt: iso(startsAt + (options.hours ?? 8) * HOUR),
  });
  if (options.plan !== false) ok(await test.gql(PLAN, { input: { sessionId } }, admin.token));
  return sessionId;
}


const register = (token: string | undefined, input: Record<string, unknown>) => test.gql(REGISTER, { input }, token);
const cancel = (token: string, input: Record<string, unknown>) => test.gql(CANCEL_REGISTRATION, { input }, token);

/** The call is refused with `code` (and `field`), and nothing was appended to the event log. */
async function expectRefused(
  call: () => Promise<GraphQLResponse>,
  code: string,
  field?: string,
): Promise<ReturnType<typeof refused>> {
  const before = await test.app.store.headPosition();
  const error = refused(await call());
  expect(await test.app.store.headPosition()).toBe(before);
  expect(error.code, error.message).toBe(code);
  if (field !== undefined) expect(error.extensions.field).toBe(field);
  return error;
}

describe("sessions not open for registration (S3, S8)", () => {
  it("DRAFT and LEAD sessions: a learner gets NOT_FOUND (cannot see them), staff get SESSION_NOT_OPEN", async () => {
    const draft = await session({ plan: false });
    const lead = await session({ plan: false });
    ok(await test.gql(MARK_LEAD, { input: { sessionId: lead } }, admin.token));
    for (const sessionId of [draft, lead]) {
      await expectRefused(() => register(a.token, { sessionId }), "NOT_FOUND");
      const error = await expectRefused(() => register(admin.token, { sessionId }), "SESSION_NOT_OPEN");
      expect(["DRAFT", "LEAD"]).toContain(error.extensions.status);
      await expectRefused(() => register(employee.token, { sessionId, userId: a.userId }), "SESSION_NOT_OPEN");
    }
  });

  it("an ended session refuses with REGISTRATION_CLOSED", async () => {
    // Planned while ahead (in 5 minutes, for half an hour); then the clock moves past its end.
    const startsAt = test.clock.now().getTime() + 5 * MINUTE;
    const sessionId = await session({ startsAt, hours: 0.5 });
    test.clock.advanceTo(startsAt + 30 * MINUTE + MINUTE);
    await expectRefused(() => register(a.token, { sessionId }), "REGISTRATION_CLOSED");
    await expectRefused(() => register(admin.token, { sessionId, userId: b.userId }), "REGISTRATION_CLOSED");
  });

  it("once the session has started a participant cannot cancel (REGISTRATION_CLOSED); staff still can (BY_STAFF)", async () => {
    // Registered before it starts (in 5 minutes, for 2 hours); then the clock moves into it.
    const startsAt = test.clock.now().getTime() + 5 * MINUTE;
    const sessionId = await session({ startsAt, hours: 2 });
    const registrationId = ok(await register(a.token, { sessionId })).registerForSession.id;
    test.clock.advanceTo(startsAt + MINUTE);
    await expectRefused(() => cancel(a.token, { registrationId }), "REGISTRATION_CLOSED");
    expect(ok(await test.gql(REGISTRATION, { id: registrationId }, a.token)).registration.status).toBe("REGISTERED");
    expect(ok(await cancel(employee.token, { registrationId })).cancelRegistration).toMatchObject({
      status: "CANCELED",
      cancellationReason: "BY_STAFF",
    });
  });
});

describe("who the session is open to (S5, S1 countries, S8 free sessions)", () => {
  it("a private session not targeting the learner is NOT_FOUND; targeting them by team, e-mail or user id it works", async () => {
    const sessionId = await session();
    const audience = { mode: "PRIVATE", targetTeamIds: [teamId], invitedEmails: [c.email], targetUserIds: [d.userId] };
    ok(await test.gql(AUDIENCE, { input: { sessionId, ...audience } }, admin.token));
    await expectRefused(() => register(a.token, { sessionId }), "NOT_FOUND");
    for (const member of [b, c, d]) {
      expect(ok(await register(member.token, { sessionId })).registerForSession).toMatchObject({
        userId: member.userId,
        status: "REGISTERED",
      });
    }
    // Staff naming someone outside the audience: the session is visible to them, the person is not in it.
    await expectRefused(() => register(admin.token, { sessionId, userId: a.userId }), "NOT_IN_AUDIENCE");
  });

  it("availableCountries excluding the learner's country (or no country set) refuses with COUNTRY_NOT_ALLOWED", async () => {
    const sessionId = await session();
    ok(await test.gql(EDIT, { input: { sessionId, availableCountries: ["NL", "LU"] } }, admin.token));
    const error = await expectRefused(() => register(a.token, { sessionId }), "COUNTRY_NOT_ALLOWED");
    expect(error.extensions).toMatchObject({ country: "BE", availableCountries: ["NL", "LU"] });
    const noCountry = await expectRefused(() => register(c.token, { sessionId }), "COUNTRY_NOT_ALLOWED");
    expect(noCountry.extensions.country).toBeNull();
    await expectRefused(() => register(employee.token, { sessionId, userId: a.userId }), "COUNTRY_NOT_ALLOWED");
    // The learner moves: their own new country counts.
    ok(await test.gql(UPDATE_USER, { input: { userId: c.userId, country: "LU" } }, c.token));
    expect(ok(await register(c.token, { sessionId })).registerForSession.status).toBe("REGISTERED");
  });

  it("a priced session refuses with PAYMENT_REQUIRED (paid enrolment comes later)", async () => {
    const sessionId = await session();
    ok(await test.gql(EDIT, { input: { sessionId, price: 4900, currency: "EUR" } }, admin.token));
    await expectRefused(() => register(a.token, { sessionId }), "PAYMENT_REQUIRED");
    await expectRefused(() => register(admin.token, { sessionId, userId: b.userId }), "PAYMENT_REQUIRED");
    expect(ok(await test.gql(COUNTS, { id: sessionId }, admin.token)).session).toEqual({ registeredCount: 0, waitlistedCount: 0 });
  });
});

describe("unknown, foreign and blank ids (§0 tenancy)", () => {
  it("an unknown or another organization's session or registration is NOT_FOUND", async () => {
    const sessionId = await session();
    const registrationId = ok(await register(a.token, { sessionId })).registerForSession.id;
    await expectRefused(() => register(a.token, { sessionId: randomUUID() }), "NOT_FOUND");
    await expectRefused(() => register(other.token, { sessionId }), "NOT_FOUND");
    await expectRefused(() => cancel(a.token, { registrationId: randomUUID() }), "NOT_FOUND");
    await expectRefused(() => cancel(other.token, { registrationId }), "NOT_FOUND");
    await expectRefused(() => test.gql(REGISTRATION, { id: registrationId }, other.token), "NOT_FOUND");
    // Staff naming an unknown user.
    await expectRefused(() => register(admin.token, { sessionId, userId: randomUUID() }), "NOT_FOUND", "userId");
    await expectRefused(() => register(admin.token, { sessionId, userId: other.userId }), "NOT_FOUND", "userId");
    expect(ok(await test.gql(REGISTRATION, { id: registrationId }, a.token)).registration.status).toBe("REGISTERED");
  });

  it("blank ids are BAD_USER_INPUT naming the field", async () => {
    const sessionId = await session();
    for (const blank of ["", "   "]) {
      await expectRefused(() => register(a.token, { sessionId: blank }), "BAD_USER_INPUT", "sessionId");
      await expectRefused(() => register(admin.token, { sessionId, userId: blank }), "BAD_USER_INPUT", "userId");
      await expectRefused(() => cancel(a.token, { registrationId: blank }), "BAD_USER_INPUT", "registrationId");
      await expectRefused(
        () =>
          test.gql(SIGN_UP_AND_REGISTER, {
            input: {
              organizationId: admin.organizationId,
              sessionId: blank,
              email: `blank-${Date.now()}@link.test`,
              password: "correct horse battery 5",
              displayName: "Blank",
            },
          }),
        "BAD_USER_INPUT",
        "sessionId",
      );
    }
  });

  it("a cancellation comment over 1000 characters is BAD_USER_INPUT (comment)", async () => {
    const sessionId = await session();
    const registrationId = ok(await register(a.token, { sessionId })).registerForSession.id;
    await expectRefused(() => cancel(a.token, { registrationId, comment: "x".repeat(1001) }), "BAD_USER_INPUT", "comment");
  });
});

describe("registering and canceling for someone else (authorization table)", () => {
  let sessionId: string;
  let bRegistrationId: string;

  beforeAll(async () => {
    sessionId = await session();
    bRegistrationId = ok(await register(b.token, { sessionId })).registerForSession.id;
  });

  it("a learner cancelling someone else's registration is FORBIDDEN", async () => {
    await expectRefused(() => cancel(a.token, { registrationId: bRegistrationId }), "FORBIDDEN");
    expect(ok(await test.gql(REGISTRATION, { id: bRegistrationId }, b.token)).registration.status).toBe("REGISTERED");
    // …nor read it.
    await expectRefused(() => test.gql(REGISTRATION, { id: bRegistrationId }, a.token), "NOT_FOUND");
  });

  it("a learner naming someone else's userId is FORBIDDEN; naming themself is fine", async () => {
    await expectRefused(() => register(a.token, { sessionId, userId: c.userId }), "FORBIDDEN");
    expect(ok(await register(a.token, { sessionId, userId: a.userId })).registerForSession).toMatchObject({
      userId: a.userId,
      registeredBy: a.userId,
    });
  });

  // The resolver refuses "before any lookup, so nobody probes user ids": a learner who is not the
  // assignee must get the same FORBIDDEN whether the id names a user or not.
  it("a learner naming an unknown userId gets FORBIDDEN too, not NOT_FOUND (no probing of user ids)", async () => {
    const known = await expectRefused(() => register(a.token, { sessionId, userId: c.userId }), "FORBIDDEN");
    const unknown = await expectRefused(() => register(a.token, { sessionId, userId: randomUUID() }), "FORBIDDEN");
    expect(unknown.message).toBe(known.message);
  });

  it("an AUDITOR changes nothing: cannot register (FORBIDDEN); without a token: UNAUTHENTICATED", async () => {
    await expectRefused(() => register(auditor.token, { sessionId }), "FORBIDDEN");
    await expectRefused(() => register(auditor.token, { sessionId, userId: c.userId }), "FORBIDDEN");
    await expectRefused(() => register(undefined, { sessionId }), "UNAUTHENTICATED");
    await expectRefused(() => cancel(auditor.token, { registrationId: bRegistrationId }), "FORBIDDEN");
  });

  it("an API key must name the userId (BAD_USER_INPUT userId); without sessions:write it is FORBIDDEN", async () => {
    const writer = ok(await test.gql(CREATE_KEY, { input: { name: "Writer", scopes: ["SESSIONS_WRITE"] } }, admin.token)).createApiKey;
    const reader = ok(await test.gql(CREATE_KEY, { input: { name: "Reader", scopes: ["SESSIONS_READ"] } }, admin.token)).createApiKey;
    await expectRefused(() => register(writer.secret, { sessionId }), "BAD_USER_INPUT", "userId");
    await expectRefused(() => register(reader.secret, { sessionId, userId: c.userId }), "FORBIDDEN");
    await expectRefused(() => cancel(reader.secret, { registrationId: bRegistrationId }), "FORBIDDEN");
    expect(ok(await register(writer.secret, { sessionId, userId: c.userId })).registerForSession).toMatchObject({
      userId: c.userId,
      registeredBy: `api-key:${writer.apiKey.id}`,
    });
  });

  it("a MANAGER who is not the session's assignee cannot register or cancel for others; the assignee can", async () => {
    const manager = await addMember(test, admin.token, ["MANAGER"]);
    await expectRefused(() => register(manager.token, { sessionId, userId: d.userId }), "FORBIDDEN");
    await expectRefused(() => cancel(manager.token, { registrationId: bRegistrationId }), "FORBIDDEN");
    const own = await session({ token: manager.token });
    ok(await test.gql(EDIT, { input: { sessionId: own, assigneeId: manager.userId } }, admin.token));
    const registered = ok(await register(manager.token, { sessionId: own, userId: d.userId })).registerForSession;
    expect(registered).toMatchObject({ userId: d.userId, registeredBy: manager.userId });
    expect(ok(await cancel(manager.token, { registrationId: registered.id })).cancelRegistration.cancellationReason).toBe("BY_STAFF");
  });
});
