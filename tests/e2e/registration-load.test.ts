/**
 * S9 / S4 — proof under load, over real HTTP.
 *
 * 500 different learners (each with their own access token, see tests/support/many-users.ts) call
 * `registerForSession` at the same time on one public PLANNED session (max 50, min 10):
 * exactly 50 seats, 450 on a first-come waitlist whose positions and order match the event log,
 * one MINIMUM_REACHED confirmation, no error. Then 20 concurrent cancellations promote exactly
 * the first 20 waiting people, and a read model rebuilt from the event log says the same.
 * A second session without waitlist refuses the 450 others with SESSION_FULL and nothing else.
 * Timings are printed for information only, never asserted.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sessionStreamName } from "../../src/domain/sessions/events.js";
import type { RecordedEvent } from "../../src/domain/shared/event-store.js";
import { ALL_PROJECTIONS } from "../../src/projections/all-projections.js";
import { openReadModels } from "../../src/projections/read-model-db.js";
import { rebuildReadModels } from "../../src/projections/rebuild.js";
import { RegistrationQueries, type RegistrationRecord } from "../../src/projections/registrations.queries.js";
import { SessionQueries } from "../../src/projections/sessions.queries.js";
import { createSignedInLearners, type LoadUser } from "../support/many-users.js";
import { createReadySession } from "../support/session-setup.js";
import { createOrganization, ok, startTestServer, type GraphQLResponse, type TestServer } from "../support/test-server.js";

const LEARNERS = 500;
const MAX = 50;
const MIN = 10;
const CANCELLATIONS = 20;

type Registration = { id: string; userId: string; status: string; waitlistPosition: number | null };
type RosterPage = {
  session: {
    registeredCount: number;
    waitlistedCount: number;
    roster: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; nodes: Registration[] };
  };
};

const REGISTER = `mutation ($input: RegisterForSessionInput!) {
  registerForSession(input: $input) { id userId status waitlistPosition }
}`;
const CANCEL = `mutation ($input: CancelRegistrationInput!) {
  cancelRegistration(input: $input) { id userId status cancellationReason }
}`;
const SESSION_COUNTS = `query ($id: ID!) {
  session(id: $id) { id status statusReason registeredCount waitlistedCount availableSeats }
}`;
const rosterQuery = (field: "waitlist" | "participants") => `query ($id: ID!, $after: String) {
  session(id: $id) {
    registeredCount waitlistedCount
    roster: ${field}(first: 100, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } nodes { id userId status waitlistPosition }
    }
  }
}`;

/** Every error of a batch of answers, with who got it: the list must be empty. */
function errorsOf(results: GraphQLResponse[], users: readonly { userId: string }[]): { userId: string; code: string; message: string }[] {
  return results.flatMap((result, i) =>
    (result.errors ?? []).map((error) => ({ userId: users[i]!.userId, code: String(error.extensions?.code), message: error.message })),
  );
}

const countBy = <T>(items: readonly T[], key: (item: T) => string): Record<string, number> =>
  items.reduce<Record<string, number>>((counts, item) => ({ ...counts, [key(item)]: (counts[key(item)] ?? 0) + 1 }), {});

const typesOf = (events: RecordedEvent[]) => countBy(events, (e) => e.type);
const idsOf = (events: RecordedEvent[], type: string) =>
  events.filter((e) => e.type === type).map((e) => String(e.data.registrationId));

async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work();
  console.log(`[registration-load] ${label}: ${Math.round(performance.now() - started)} ms`);
  return result;
}

describe("proof under load over HTTP (S4, S9)", () => {
  let test: TestServer;
  let admin: Awaited<ReturnType<typeof createOrganization>>;
  let learners: LoadUser[];

  beforeAll(async () => {
    test = await startTestServer();
    admin = await createOrganization(test);
    learners = await timed(`creating and signing in ${LEARNERS} learners`, () =>
      createSignedInLearners(test, admin, LEARNERS),
    );
  }, 60_000);
  afterAll(() => test?.stop());

  async function plannedSession(options: { waitlistEnabled: boolean }): Promise<string> {
    const sessionId = await createReadySession(test, admin.token, { name: "Load", min: MIN, max: MAX });
    if (!options.waitlistEnabled) {
      ok(
        await test.gql(
          `mutation ($input: SetSessionAudienceInput!) { setSessionAudience(input: $input) { id } }`,
          { input: { sessionId, mode: "PUBLIC", minParticipants: MIN, maxParticipants: MAX, waitlistEnabled: false } },
          admin.token,
        ),
      );
    }
    ok(await test.gql(`mutation ($id: ID!) { planSession(input: { sessionId: $id }) { id } }`, { id: sessionId }, admin.token));
    return sessionId;
  }

  /** A staff roster (waitlist or participants), every page of 100, through HTTP. */
  async function rosterOverHttp(sessionId: string, field: "waitlist" | "participants"): Promise<Registration[]> {
    const nodes: Registration[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const data: RosterPage = ok(await test.gql<RosterPage>(rosterQuery(field), { id: sessionId, after }, admin.token));
      const page = data.session.roster;
      expect(page.nodes.length).toBeLessThanOrEqual(100);
      nodes.push(...page.nodes);
      pages += 1;
      if (!page.pageInfo.hasNextPage) {
        expect(page.totalCount).toBe(nodes.length);
        break;
      }
      after = page.pageInfo.endCursor;
      expect(pages).toBeLessThan(20);
    }
    return nodes;
  }

  /** Reads a roster straight from a read-model database (used on the rebuilt one). */
  function rosterFromDb(queries: RegistrationQueries, sessionId: string, roster: "WAITLIST" | "PARTICIPANTS"): RegistrationRecord[] {
    const records: RegistrationRecord[] = [];
    let after: string | undefined;
    for (;;) {
      const page = queries.roster(sessionId, roster, {}, 100, after);
      records.push(...page.records);
      if (!page.hasNextPage) return records;
      after = page.records[page.records.length - 1]!.cursor;
    }
  }

  it("500 concurrent registrations: 50 seats, 450 waiting in event order, one MINIMUM_REACHED; 20 cancellations promote the first 20; a rebuilt read model agrees", async () => {
    const sessionId = await plannedSession({ waitlistEnabled: true });
    const stream = sessionStreamName(sessionId);
    const before = await test.app.store.readStream(stream);

    // --- 500 concurrent registerForSession, each learner with their own token ----------------
    const results = await timed(`${LEARNERS} concurrent registerForSession`, () =>
      Promise.all(learners.map((learner) => test.gql<{ registerForSession: Registration }>(REGISTER, { input: { sessionId } }, learner.token))),
    );
    expect(errorsOf(results, learners)).toEqual([]);
    const answers = results.map((result) => result.data!.registerForSession);
    answers.forEach((answer, i) => expect(answer.userId).toBe(learners[i]!.userId));
    expect(countBy(answers, (a) => a.status)).toEqual({ REGISTERED: MAX, WAITLISTED: LEARNERS - MAX });
    expect(new Set(answers.map((a) => a.id)).size).toBe(LEARNERS);

    // --- the session (S4: confirmed exactly once, by the registration that reached the minimum) --
    const session = ok(await test.gql(SESSION_COUNTS, { id: sessionId }, admin.token)).session;
    expect(session).toMatchObject({
      status: "CONFIRMED",
      statusReason: "MINIMUM_REACHED",
      registeredCount: MAX,
      waitlistedCount: LEARNERS - MAX,
      availableSeats: 0,
    });

    // --- the event log -------------------------------------------------------------------------
    const all = await test.app.store.readStream(stream);
    expect(all.map((e) => e.revision)).toEqual(all.map((_, i) => BigInt(i)));
    const added = all.slice(before.length);
    expect(typesOf(added)).toEqual({ ParticipantRegistered: MAX, ParticipantWaitlisted: LEARNERS - MAX, SessionConfirmed: 1 });
    const confirmedAt = added.findIndex((e) => e.type === "SessionConfirmed");
    expect(added[confirmedAt]!.data).toMatchObject({ from: "PLANNED", to: "CONFIRMED", reason: "MINIMUM_REACHED" });
    // Appended with the registration that took the 10th seat, right after it.
    expect(added.slice(0, confirmedAt).filter((e) => e.type === "ParticipantRegistered")).toHaveLength(MIN);
    expect(added[confirmedAt - 1]!.type).toBe("ParticipantRegistered");
    // Seats first, then the waitlist: nobody waits while a seat is free.
    const lastSeat = added.map((e) => e.type).lastIndexOf("ParticipantRegistered");
    const firstWait = added.findIndex((e) => e.type === "ParticipantWaitlisted");
    expect(lastSeat).toBeLessThan(firstWait);
    const seatedIds = idsOf(added, "ParticipantRegistered");
    const waitingIds = idsOf(added, "ParticipantWaitlisted");

    // --- the waitlist and participants as staff see them, 100 per page --------------------------
    const waitlist = await rosterOverHttp(sessionId, "waitlist");
    expect(waitlist.map((r) => r.waitlistPosition)).toEqual(waitingIds.map((_, i) => i + 1));
    expect(waitlist.map((r) => r.id)).toEqual(waitingIds);
    expect(waitlist.every((r) => r.status === "WAITLISTED")).toBe(true);
    const participants = await rosterOverHttp(sessionId, "participants");
    expect(participants.map((r) => r.id)).toEqual(seatedIds);
    // Each waiting person was told the position they still hold (nobody left the line meanwhile).
    const told = new Map(answers.map((a) => [a.id, a]));
    for (const entry of waitlist) expect(told.get(entry.id)).toMatchObject({ status: "WAITLISTED", waitlistPosition: entry.waitlistPosition });
    for (const entry of participants) expect(told.get(entry.id)).toMatchObject({ status: "REGISTERED", waitlistPosition: null });
    // Every learner exactly once, overall.
    const everyone = [...participants, ...waitlist].map((r) => r.userId);
    expect(everyone).toHaveLength(LEARNERS);
    expect(new Set(everyone)).toEqual(new Set(learners.map((l) => l.userId)));

    // --- 20 concurrent cancellations by seat holders ---------------------------------------------
    const tokenOf = new Map(learners.map((l) => [l.userId, l.token]));
    const leaving = participants.filter((_, i) => i % 2 === 1).slice(0, CANCELLATIONS);
    expect(leaving).toHaveLength(CANCELLATIONS);
    const beforeCancel = all.length;
    const canceled = await timed(`${CANCELLATIONS} concurrent cancelRegistration`, () =>
      Promise.all(leaving.map((r) => test.gql(CANCEL, { input: { registrationId: r.id } }, tokenOf.get(r.userId)))),
    );
    expect(errorsOf(canceled, leaving)).toEqual([]);
    for (const [i, result] of canceled.entries()) {
      expect(result.data!.cancelRegistration).toMatchObject({ id: leaving[i]!.id, status: "CANCELED", cancellationReason: "BY_PARTICIPANT" });
    }

    const afterCancel = (await test.app.store.readStream(stream)).slice(beforeCancel);
    expect(typesOf(afterCancel)).toEqual({ RegistrationCanceled: CANCELLATIONS, ParticipantPromotedFromWaitlist: CANCELLATIONS });
    // S9: each freed seat goes to the first waiting person in the same step (the very next event).
    afterCancel.forEach((event, i) => {
      if (event.type !== "ParticipantPromotedFromWaitlist") return;
      expect(afterCancel[i - 1]).toMatchObject({ type: "RegistrationCanceled", data: { previousStatus: "REGISTERED" } });
      expect(event.data.reason).toBe("SEAT_FREED");
    });
    expect(new Set(idsOf(afterCancel, "RegistrationCanceled"))).toEqual(new Set(leaving.map((r) => r.id)));
    const promotedIds = idsOf(afterCancel, "ParticipantPromotedFromWaitlist");
    expect(promotedIds).toEqual(waitingIds.slice(0, CANCELLATIONS));

    const afterSession = ok(await test.gql(SESSION_COUNTS, { id: sessionId }, admin.token)).session;
    expect(afterSession).toMatchObject({
      status: "CONFIRMED",
      statusReason: "MINIMUM_REACHED",
      registeredCount: MAX,
      waitlistedCount: LEARNERS - MAX - CANCELLATIONS,
      availableSeats: 0,
    });
    const remainingWaitlist = await rosterOverHttp(sessionId, "waitlist");
    expect(remainingWaitlist.map((r) => r.id)).toEqual(waitingIds.slice(CANCELLATIONS));
    expect(remainingWaitlist.map((r) => r.waitlistPosition)).toEqual(waitingIds.slice(CANCELLATIONS).map((_, i) => i + 1));
    const leavingIds = new Set(leaving.map((r) => r.id));
    const expectedSeats = [...seatedIds.filter((id) => !leavingIds.has(id)), ...promotedIds];
    const remainingParticipants = await rosterOverHttp(sessionId, "participants");
    expect(remainingParticipants.map((r) => r.id)).toEqual(expectedSeats);

    // Still exactly one confirmation in the whole stream.
    const finalLog = await test.app.store.readStream(stream);
    expect(finalLog.filter((e) => e.type === "SessionConfirmed")).toHaveLength(1);

    // --- a read model rebuilt from the event log says the same ------------------------------------
    const rebuilt = openReadModels(":memory:");
    try {
      const { events } = await timed("rebuilding the read models from the event log", () =>
        rebuildReadModels(test.app.store, rebuilt, ALL_PROJECTIONS),
      );
      expect(events).toBeGreaterThanOrEqual(finalLog.length);
      const record = new SessionQueries(rebuilt).byId(admin.organizationId, sessionId);
      expect(record).not.toBeNull();
      expect(record!.counts).toEqual({ registered: MAX, waitlisted: LEARNERS - MAX - CANCELLATIONS, attended: 0 });
      expect(record!.session).toMatchObject({ status: "CONFIRMED", statusReason: "MINIMUM_REACHED" });
      expect(record!.revision).toBe(finalLog[finalLog.length - 1]!.revision);
      const queries = new RegistrationQueries(rebuilt);
      const rebuiltWaitlist = rosterFromDb(queries, sessionId, "WAITLIST");
      expect(rebuiltWaitlist.map((r) => r.id)).toEqual(waitingIds.slice(CANCELLATIONS));
      expect(rebuiltWaitlist.map((r) => r.waitlistPosition)).toEqual(remainingWaitlist.map((r) => r.waitlistPosition));
      const rebuiltSeats = rosterFromDb(queries, sessionId, "PARTICIPANTS");
      expect(rebuiltSeats.map((r) => r.id)).toEqual(expectedSeats);
      const rebuiltCanceled = queries.byIds(admin.organizationId, [...leavingIds]);
      expect([...rebuiltCanceled.values()].map((r) => r.status)).toEqual(Array(CANCELLATIONS).fill("CANCELED"));
      // Every learner still appears exactly once among seats, waitlist and cancellations.
      const rebuiltEveryone = [...rebuiltSeats, ...rebuiltWaitlist, ...rebuiltCanceled.values()].map((r) => r.userId);
      expect(rebuiltEveryone).toHaveLength(LEARNERS);
      expect(new Set(rebuiltEveryone)).toEqual(new Set(learners.map((l) => l.userId)));
    } finally {
      rebuilt.close();
    }
  }, 60_000);

  it("500 concurrent registrations without waitlist: exactly 50 REGISTERED and 450 SESSION_FULL, nothing else (S9)", async () => {
    const sessionId = await plannedSession({ waitlistEnabled: false });
    const stream = sessionStreamName(sessionId);
    const before = await test.app.store.readStream(stream);

    const results = await timed(`${LEARNERS} concurrent registerForSession (no waitlist)`, () =>
      Promise.all(learners.map((learner) => test.gql<{ registerForSession: Registration }>(REGISTER, { input: { sessionId } }, learner.token))),
    );
    const outcomes = results.map((result) =>
      result.errors?.length ? `error:${result.errors.map((e) => e.extensions?.code).join(",")}` : result.data!.registerForSession.status,
    );
    expect(countBy(outcomes, (o) => o)).toEqual({ REGISTERED: MAX, "error:SESSION_FULL": LEARNERS - MAX });
    for (const result of results) if (result.errors) expect(result.data ?? null).toBeNull();

    const added = (await test.app.store.readStream(stream)).slice(before.length);
    expect(typesOf(added)).toEqual({ ParticipantRegistered: MAX, SessionConfirmed: 1 });
    const seated = new Set(idsOf(added, "ParticipantRegistered").map(String));
    const registeredAnswers = results.flatMap((r) => (r.data?.registerForSession ? [r.data.registerForSession] : []));
    expect(new Set(registeredAnswers.map((a) => a.id))).toEqual(seated);

    const session = ok(await test.gql(SESSION_COUNTS, { id: sessionId }, admin.token)).session;
    expect(session).toMatchObject({
      status: "CONFIRMED",
      statusReason: "MINIMUM_REACHED",
      registeredCount: MAX,
      waitlistedCount: 0,
      availableSeats: 0,
    });
  }, 60_000);
});
