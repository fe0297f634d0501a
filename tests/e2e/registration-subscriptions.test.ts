/**
 * Registration subscriptions (N2, S4, S10) over a real WebSocket (graphql-ws), driven by real HTTP mutations:
 * `registrationChanged(sessionId)` gives staff and `events:read` API keys every change of the
 * session's registrations in order (REGISTERED, WAITLISTED, CANCELED, PROMOTED, ATTENDED) with the
 * registration as it is after the change, gives a learner only their own, refuses keys without
 * the scope and sessions the caller cannot see, and stops at once for a deactivated subscriber;
 * `sessionStatusChanged` delivers the automatic MINIMUM_REACHED confirmation once (S4) and the
 * cancellation (S10) to learners who can see the session, never to another organization.
 */
import type { Client, FormattedExecutionResult } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createReadySession } from "../support/session-setup.js";
import { collectStatusChanges, sleep, until } from "../support/status-changes.js";
import { DAY, HOUR, MINUTE } from "../support/test-clock.js";
import { type Member, type TestServer, addMember, createOrganization, ok, startTestServer } from "../support/test-server.js";

type Org = Awaited<ReturnType<typeof createOrganization>>;
interface Registration {
  id: string;
  userId: string;
  status: string;
  waitlistPosition: number | null;
  promotedAt: string | null;
  canceledAt: string | null;
  cancellationReason: string | null;
  attended: boolean;
  attendanceMethod: string | null;
}
interface Change {
  change: string;
  sessionId: string;
  changedBy: string;
  changedAt: string;
  position: string;
  registration: Registration;
}

const REGISTRATION_FIELDS = "id userId status waitlistPosition promotedAt canceledAt cancellationReason attended attendanceMethod";
const subscription = (sessionId: string) => `subscription {
  registrationChanged(sessionId: "${sessionId}") {
    change sessionId changedBy changedAt position registration { ${REGISTRATION_FIELDS} }
  }
}`;
const STATUS_SUBSCRIPTION = `subscription { sessionStatusChanged { sessionId previousStatus status reason changedBy } }`;
const REGISTER = `mutation ($input: RegisterForSessionInput!) { registerForSession(input: $input) { ${REGISTRATION_FIELDS} } }`;
const CANCEL_REGISTRATION = `mutation ($input: CancelRegistrationInput!) { cancelRegistration(input: $input) { id status } }`;
const CONFIRM = `mutation ($input: ConfirmAttendanceInput!) { confirmAttendance(input: $input) { id attended } }`;
const MARK = `mutation ($input: MarkAttendanceInput!) { markAttendance(input: $input) { id attended } }`;
const SCHEDULE = `mutation ($input: SetSessionScheduleInput!) { setSessionSchedule(input: $input) { id } }`;
const FORMAT = `mutation ($input: SetSessionFormatInput!) { setSessionFormat(input: $input) { id } }`;
const PLAN = `mutation ($input: ChangeSessionStatusInput!) { planSession(input: $input) { status } }`;
const CANCEL_SESSION = `mutation ($input: CancelSessionInput!) { cancelSession(input: $input) { status } }`;
const CREATE_KEY = `mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }`;
const DEACTIVATE = `mutation ($input: DeactivateUserInput!) { deactivateUser(input: $input) { id status } }`;

/** Everything one registrationChanged subscription delivered. */
interface Collector {
  results: FormattedExecutionResult<{ registrationChanged: Change }, unknown>[];
  errors: unknown[];
  completed: boolean;
  changes(): Change[];
  /** The GraphQL errors of a refused subscription, whether sent as a result or as the sink's error. */
  graphqlErrors(): { message: string; extensions?: Record<string, unknown> }[];
  unsubscribe(): void;
}

function collect(client: Client, query: string): Collector {
  const collector: Collector = {
    results: [],
    errors: [],
    completed: false,
    changes: () => collector.results.map((r) => r.data?.registrationChanged).filter((c): c is Change => Boolean(c)),
    graphqlErrors: () =>
      [...collector.results.flatMap((r) => r.errors ?? []), ...collector.errors.flatMap((e) => (Array.isArray(e) ? e : [e]))] as {
        message: string;
        extensions?: Record<string, unknown>;
      }[],
    unsubscribe: () => undefined,
  };
  collector.unsubscribe = client.subscribe<{ registrationChanged: Change }>(
    { query },
    {
      next: (result) => void collector.results.push(result),
      error: (error) => void collector.errors.push(error),
      complete: () => void (collector.completed = true),
    },
  );
  return collector;
}

let test: TestServer;
let admin: Org;
let otherOrg: Org;
let auditor: Member;
let learners: Member[];
let eventsKey: string;
let writeKey: string; // sessions:read + sessions:write, no events:read

beforeAll(async () => {
  test = await startTestServer();
  [admin, otherOrg] = await Promise.all([createOrganization(test), createOrganization(test)]);
  auditor = await addMember(test, admin.token, ["AUDITOR"]);
  learners = await Promise.all(Array.from({ length: 5 }, () => addMember(test, admin.token, ["LEARNER"])));
  const key = async (scopes: string[]) =>
    ok(await test.gql(CREATE_KEY, { input: { name: scopes.join("+"), scopes } }, admin.token)).createApiKey.secret as string;
  [eventsKey, writeKey] = await Promise.all([key(["EVENTS_READ"]), key(["SESSIONS_READ", "SESSIONS_WRITE"])]);
});

afterAll(async () => {
  await test?.stop(); // disposes every client made with test.ws
});

const iso = (ms: number) => new Date(ms).toISOString();

/** A PLANNED public session of 2 hours, starting at `startsAt` (ms; default a week after the clock's now). */
async function plannedSession(min: number, max: number, startsAt = test.clock.now().getTime() + 7 * DAY): Promise<string> {
  const sessionId = await createReadySession(test, admin.token, { min, max, startsAt: iso(startsAt), endsAt: iso(startsAt + 2 * HOUR) });
  ok(await test.gql(PLAN, { input: { sessionId } }, admin.token));
  return sessionId;
}

async function privateSession(targetUserIds: string[]): Promise<string> {
  const sessionId = ok(
    await test.gql(
      `mutation ($input: CreateSessionInput!) { createSession(input: $input) { id } }`,
      { input: { name: "Private class", mode: "PRIVATE", audience: { mode: "PRIVATE", targetUserIds } } },
      admin.token,
    ),
  ).createSession.id as string;
  const startsAt = test.clock.now().getTime() + 7 * DAY;
  ok(await test.gql(SCHEDULE, { input: { sessionId, startsAt: iso(startsAt), endsAt: iso(startsAt + 60 * MINUTE) } }, admin.token));
  ok(await test.gql(FORMAT, { input: { sessionId, kind: "WEBINAR", link: "https://meet.example.com/p", trainerId: admin.userId } }, admin.token));
  ok(await test.gql(PLAN, { input: { sessionId } }, admin.token));
  return sessionId;
}

async function register(sessionId: string, who: { token: string }): Promise<Registration> {
  return ok(await test.gql(REGISTER, { input: { sessionId } }, who.token)).registerForSession as Registration;
}

async function waitFor(collector: Collector, count: number, what: string): Promise<void> {
  await until(() => collector.results.length >= count || collector.completed || collector.errors.length > 0, what);
}

describe("registrationChanged(sessionId): staff and events:read keys see every change, learners their own", () => {
  let sessionId: string;
  let staff: Collector;
  let auditorCollector: Collector;
  let keyCollector: Collector;
  let first: Collector; // learner 0: registers, then cancels
  let waiting: Collector; // learner 2: waitlisted, promoted, attends
  let bystander: Collector; // learner 3: never registers
  const registrationIds: Record<string, string> = {};

  beforeAll(async () => {
    // min 2, max 2: the second registration confirms the session, the third waits. It starts in
    // 10 minutes (attendance link from 15 minutes after the start): the clock is moved into it below,
    // by less than half an hour, so the tokens of the whole file (1 hour) keep working.
    const startsAt = test.clock.now().getTime() + 10 * MINUTE;
    sessionId = await plannedSession(2, 2, startsAt);
    staff = collect(test.ws(admin.token), subscription(sessionId));
    auditorCollector = collect(test.ws(auditor.token), subscription(sessionId));
    keyCollector = collect(test.ws(eventsKey), subscription(sessionId));
    first = collect(test.ws(learners[0]!.token), subscription(sessionId));
    waiting = collect(test.ws(learners[2]!.token), subscription(sessionId));
    bystander = collect(test.ws(learners[3]!.token), subscription(sessionId));
    await sleep(300); // let the subscriptions be registered before anything changes

    registrationIds.first = (await register(sessionId, learners[0]!)).id;
    registrationIds.second = (await register(sessionId, learners[1]!)).id;
    registrationIds.waiting = (await register(sessionId, learners[2]!)).id;
    ok(await test.gql(CANCEL_REGISTRATION, { input: { registrationId: registrationIds.first } }, learners[0]!.token));
    // The attendance window opens (the clock moves past start + 15 minutes): the promoted person
    // confirms with the link, staff mark the other.
    test.clock.advance(Math.max(0, startsAt + 16 * MINUTE - test.clock.now().getTime()));
    const link = ok(await test.gql(`query ($id: ID!) { session(id: $id) { attendanceLink { token } } }`, { id: sessionId }, admin.token)).session
      .attendanceLink.token as string;
    ok(await test.gql(CONFIRM, { input: { sessionId, token: link } }, learners[2]!.token));
    ok(await test.gql(MARK, { input: { registrationId: registrationIds.second } }, admin.token));
    await waitFor(staff, 7, "the staff subscriber's seven changes");
    await sleep(150); // anything extra would have arrived by now
  });

  it("staff (ADMIN) receive every change, in order, each with the registration after it", async () => {
    expect(staff.errors).toEqual([]);
    expect(staff.results.every((r) => r.errors === undefined)).toBe(true);
    const changes = staff.changes();
    const [l0, l1, l2] = learners.map((l) => l.userId);
    expect(changes.map((c) => [c.change, c.registration.userId, c.registration.status, c.changedBy])).toEqual([
      ["REGISTERED", l0, "REGISTERED", l0],
      ["REGISTERED", l1, "REGISTERED", l1],
      ["WAITLISTED", l2, "WAITLISTED", l2],
      ["CANCELED", l0, "CANCELED", l0],
      ["PROMOTED", l2, "REGISTERED", l0], // the cancellation freed the seat
      ["ATTENDED", l2, "REGISTERED", l2],
      ["ATTENDED", l1, "REGISTERED", admin.userId],
    ]);
    expect(changes.map((c) => c.registration.id)).toEqual([
      registrationIds.first,
      registrationIds.second,
      registrationIds.waiting,
      registrationIds.first,
      registrationIds.waiting,
      registrationIds.waiting,
      registrationIds.second,
    ]);
    expect(changes[2]!.registration).toMatchObject({ waitlistPosition: 1, promotedAt: null, attended: false });
    expect(changes[3]!.registration).toMatchObject({ cancellationReason: "BY_PARTICIPANT", attended: false });
    expect(changes[3]!.registration.canceledAt).not.toBeNull();
    expect(changes[4]!.registration).toMatchObject({ waitlistPosition: null, attended: false });
    expect(changes[4]!.registration.promotedAt).not.toBeNull();
    expect(changes[5]!.registration).toMatchObject({ attended: true, attendanceMethod: "LINK" });
    expect(changes[6]!.registration).toMatchObject({ attended: true, attendanceMethod: "STAFF" });
    for (const c of changes) {
      expect(c.sessionId).toBe(sessionId);
      expect(Number.isNaN(Date.parse(c.changedAt))).toBe(false);
    }
    // The positions are those of the registration events in the log, in order.
    const logged = (await test.app.store.readStream(`session-${sessionId}`))
      .filter((e) => /^(Participant|Registration|Attendance)/.test(e.type))
      .map((e) => e.position.toString());
    expect(changes.map((c) => c.position)).toEqual(logged);
  });

  it("another staff role (AUDITOR) receives the same changes", () => {
    expect(auditorCollector.errors).toEqual([]);
    expect(auditorCollector.changes()).toEqual(staff.changes());
  });

  it("an API key with events:read receives the same changes", () => {
    // Everything was delivered to the staff subscribers above; the key's would have arrived as well.
    expect(keyCollector.graphqlErrors()).toEqual([]);
    expect(keyCollector.changes().map((c) => [c.change, c.registration.id])).toEqual(
      staff.changes().map((c) => [c.change, c.registration.id]),
    );
    expect(keyCollector.changes()).toEqual(staff.changes());
  });

  it("a learner receives only the changes of their own registration", () => {
    expect(first.errors).toEqual([]);
    expect(first.changes().map((c) => [c.change, c.registration.id, c.registration.status])).toEqual([
      ["REGISTERED", registrationIds.first, "REGISTERED"],
      ["CANCELED", registrationIds.first, "CANCELED"],
    ]);
  });

  it("a waitlisted learner receives their own waitlisting, promotion and attendance", () => {
    expect(waiting.changes().map((c) => [c.change, c.registration.id, c.registration.status])).toEqual([
      ["WAITLISTED", registrationIds.waiting, "WAITLISTED"],
      ["PROMOTED", registrationIds.waiting, "REGISTERED"],
      ["ATTENDED", registrationIds.waiting, "REGISTERED"],
    ]);
    expect(JSON.stringify(waiting.results)).not.toContain(registrationIds.first);
    expect(JSON.stringify(waiting.results)).not.toContain(registrationIds.second);
  });

  it("a learner without a registration receives nothing", () => {
    expect(bystander.errors).toEqual([]);
    expect(bystander.results).toEqual([]);
  });
});

describe("registrationChanged refusals at subscribe", () => {
  let sessionId: string;

  beforeAll(async () => {
    sessionId = await plannedSession(1, 10);
  });

  async function refusedAtSubscribe(token: string | undefined, id: string) {
    const collector = collect(test.ws(token), subscription(id));
    await until(() => collector.graphqlErrors().length > 0 || collector.results.length > 0 || collector.completed, "a refusal");
    // Whatever happens next, nothing is delivered.
    await register(sessionId, learners[4]!);
    await sleep(150);
    expect(collector.changes()).toEqual([]);
    const [error] = collector.graphqlErrors();
    expect(error, "the subscription was not refused").toBeDefined();
    return { code: error!.extensions?.code, message: error!.message };
  }

  it("an API key without events:read is FORBIDDEN", async () => {
    const error = await refusedAtSubscribe(writeKey, sessionId);
    expect(error.code).toBe("FORBIDDEN");
    expect(error.message).toMatch(/events:read/);
  });

  it("without a token: UNAUTHENTICATED", async () => {
    expect((await refusedAtSubscribe(undefined, sessionId)).code).toBe("UNAUTHENTICATED");
  });

  it("another organization's session: NOT_FOUND", async () => {
    expect((await refusedAtSubscribe(otherOrg.token, sessionId)).code).toBe("NOT_FOUND");
  });

  it("an unknown session: NOT_FOUND", async () => {
    expect((await refusedAtSubscribe(admin.token, "00000000-0000-4000-8000-000000000000")).code).toBe("NOT_FOUND");
  });

  it("a private session the learner is not targeted by: NOT_FOUND (§0, S5); a targeted learner may subscribe", async () => {
    const privateId = await privateSession([learners[0]!.userId]);
    expect((await refusedAtSubscribe(learners[3]!.token, privateId)).code).toBe("NOT_FOUND");

    const targeted = collect(test.ws(learners[0]!.token), subscription(privateId));
    await sleep(200);
    const registration = await register(privateId, learners[0]!);
    await waitFor(targeted, 1, "the targeted learner's own registration");
    expect(targeted.graphqlErrors()).toEqual([]);
    expect(targeted.changes().map((c) => [c.change, c.registration.id])).toEqual([["REGISTERED", registration.id]]);
  });
});

describe("registrationChanged: a subscriber deactivated while subscribed stops receiving", () => {
  it("the learner gets their registration, then nothing once deactivated; staff keep receiving", async () => {
    const learner = await addMember(test, admin.token, ["LEARNER"]);
    const sessionId = await plannedSession(5, 10);
    const staff = collect(test.ws(admin.token), subscription(sessionId));
    const own = collect(test.ws(learner.token), subscription(sessionId));
    await sleep(300);

    const registration = await register(sessionId, learner);
    await waitFor(own, 1, "the learner's registration");
    expect(own.changes().map((c) => c.change)).toEqual(["REGISTERED"]);

    expect(ok(await test.gql(DEACTIVATE, { input: { userId: learner.userId, reason: "Left" } }, admin.token)).deactivateUser.status).toBe(
      "DEACTIVATED",
    );
    ok(await test.gql(CANCEL_REGISTRATION, { input: { registrationId: registration.id } }, admin.token));
    await waitFor(staff, 2, "the staff subscriber's cancellation");
    await sleep(150);
    expect(staff.changes().map((c) => [c.change, c.registration.id])).toEqual([
      ["REGISTERED", registration.id],
      ["CANCELED", registration.id],
    ]);
    expect(staff.changes()[1]!.registration.cancellationReason).toBe("BY_STAFF");
    expect(own.changes().map((c) => c.change)).toEqual(["REGISTERED"]);
  });
});

describe("sessionStatusChanged with registrations (S4, S10)", () => {
  let publicId: string;
  let privateId: string;
  let outsider: Member; // learner of another organization
  let seer: ReturnType<typeof collectStatusChanges>; // learner who sees the public session only
  let targeted: ReturnType<typeof collectStatusChanges>; // learner targeted by the private session
  let foreign: ReturnType<typeof collectStatusChanges>;
  let cascade: Collector; // learner 1's registrationChanged on the public session

  type StatusChange = { sessionId: string; previousStatus: string; status: string; reason: string | null; changedBy: string };
  const of = (state: ReturnType<typeof collectStatusChanges>, id: string) =>
    (state.changes as StatusChange[]).filter((c) => c.sessionId === id).map((c) => [c.previousStatus, c.status, c.reason, c.changedBy]);

  beforeAll(async () => {
    outsider = await addMember(test, otherOrg.token, ["LEARNER"]);
    publicId = await plannedSession(2, 10);
    privateId = await privateSession([learners[0]!.userId]);
    seer = collectStatusChanges(test.ws(learners[3]!.token), STATUS_SUBSCRIPTION);
    targeted = collectStatusChanges(test.ws(learners[0]!.token), STATUS_SUBSCRIPTION);
    foreign = collectStatusChanges(test.ws(outsider.token), STATUS_SUBSCRIPTION);
    cascade = collect(test.ws(learners[1]!.token), subscription(publicId));
    await sleep(300);

    const firstRegistration = await register(publicId, learners[0]!);
    await register(publicId, learners[1]!); // reaches the minimum: PLANNED → CONFIRMED
    await register(publicId, learners[2]!); // above the minimum: no second confirmation
    ok(await test.gql(CANCEL_REGISTRATION, { input: { registrationId: firstRegistration.id } }, learners[0]!.token)); // below it again: no revert
    ok(await test.gql(CANCEL_SESSION, { input: { sessionId: publicId, reason: "Trainer is ill" } }, admin.token));
    ok(await test.gql(CANCEL_SESSION, { input: { sessionId: privateId, reason: "Room unavailable" } }, admin.token));
    await until(() => of(targeted, privateId).length >= 1, "the private session's cancellation");
    await until(() => of(seer, publicId).length >= 2, "the public session's changes");
    await sleep(150);
  });

  it("a learner who sees the session gets the automatic MINIMUM_REACHED confirmation once, then the cancellation", () => {
    expect(seer.errors).toEqual([]);
    expect(of(seer, publicId)).toEqual([
      ["PLANNED", "CONFIRMED", "MINIMUM_REACHED", learners[1]!.userId],
      ["CONFIRMED", "CANCELED", "Trainer is ill", admin.userId],
    ]);
    expect(of(targeted, publicId)).toEqual(of(seer, publicId));
  });

  it("the confirmation is recorded once in the log, in the same step as the registration that caused it", async () => {
    const stream = await test.app.store.readStream(`session-${publicId}`);
    const confirmations = stream.filter((e) => e.type === "SessionConfirmed");
    expect(confirmations).toHaveLength(1);
    const before = stream[stream.indexOf(confirmations[0]!) - 1]!;
    expect(before.type).toBe("ParticipantRegistered");
    expect(before.data.userId).toBe(learners[1]!.userId);
  });

  it("a private session's cancellation reaches its target, not a learner it does not target", () => {
    expect(of(targeted, privateId)).toEqual([["PLANNED", "CANCELED", "Room unavailable", admin.userId]]);
    expect(of(seer, privateId)).toEqual([]);
  });

  it("a learner of another organization receives nothing", () => {
    expect(foreign.errors).toEqual([]);
    expect(foreign.changes).toEqual([]);
  });

  it("S10: the session's cancellation is delivered to the participant as their registration's CANCELED", async () => {
    await until(() => cascade.results.length >= 2, "the cascade");
    expect(cascade.changes().map((c) => [c.change, c.registration.userId, c.registration.status, c.registration.cancellationReason])).toEqual([
      ["REGISTERED", learners[1]!.userId, "REGISTERED", null],
      ["CANCELED", learners[1]!.userId, "CANCELED", "SESSION_CANCELED"],
    ]);
  });
});
