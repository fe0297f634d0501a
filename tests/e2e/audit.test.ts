/**
 * N3, auditors through the real HTTP API:
 * - `eventHistory`: the organization's events oldest first, paginated by position (cursor =
 *   position, totalCount), each filter (stream, types, categories, actor, from/to) really narrowing;
 *   who / when / what / why on every event (one request's events share their correlation id, across
 *   streams); password and key hashes never leave the server; §0 another organization's events never
 *   appear; only ADMIN, AUDITOR and API keys with events:read may read it;
 * - `sessionAsOf`: after a session's life, every revision and every instant between steps gives
 *   exactly what the API answered at that moment; before creation or in another organization it
 *   is NOT_FOUND;
 * - `verifyEventHistory`: intact on a normal history, reading only the caller's organization's
 *   streams, one call at a time per caller; after editing one event's data in the SQLite event
 *   store file, the chain breaks at the next event of that stream (and only for that organization).
 */
import { randomUUID } from "node:crypto";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { HashChainVerifier } from "../../src/domain/audit/history.js";
import { hashEvent } from "../../src/domain/shared/event-metadata.js";
import type { RecordedEvent } from "../../src/domain/shared/event-store.js";
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

const HISTORY = `query ($filter: EventHistoryFilter, $first: Int! = 100, $after: String) {
  eventHistory(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { position } }
    nodes { position streamName revision type actorId occurredAt eventId correlationId causationId data metadata }
  }
}`;
const AS_OF_FIELDS = `id status statusReason name registeredCount waitlistedCount attendedCount availableSeats revision`;
const AS_OF = `query ($id: ID!, $at: DateTime, $revision: Int) { sessionAsOf(id: $id, at: $at, revision: $revision) { ${AS_OF_FIELDS} } }`;
const SESSION = `query ($id: ID!) { session(id: $id) { ${AS_OF_FIELDS} } }`;
const VERIFY = `{ verifyEventHistory { intact streamsChecked eventsChecked
  firstBreak { streamName revision position eventId expectedPreviousHash recordedPreviousHash } } }`;
const CREATE_SESSION = `mutation ($input: CreateSessionInput!) { createSession(input: $input) { id } }`;
const EDIT = `mutation ($input: EditSessionDetailsInput!) { editSessionDetails(input: $input) { id } }`;
const SCHEDULE = `mutation ($input: SetSessionScheduleInput!) { setSessionSchedule(input: $input) { id } }`;
const FORMAT = `mutation ($input: SetSessionFormatInput!) { setSessionFormat(input: $input) { id } }`;
const PLAN = `mutation ($input: ChangeSessionStatusInput!) { planSession(input: $input) { id } }`;
const CANCEL_SESSION = `mutation ($input: CancelSessionInput!) { cancelSession(input: $input) { id } }`;
const REGISTER = `mutation ($input: RegisterForSessionInput!) { registerForSession(input: $input) { id status } }`;
const SIGN_UP_AND_REGISTER = `mutation ($input: SignUpAndRegisterInput!) {
  signUpAndRegister(input: $input) { user { id } registration { id status } }
}`;
const CREATE_KEY = `mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id } } }`;

interface AuditEvent {
  position: string;
  streamName: string;
  revision: string;
  type: string;
  actorId: string | null;
  occurredAt: string;
  eventId: string;
  correlationId: string | null;
  causationId: string | null;
  data: Record<string, any>;
  metadata: Record<string, any>;
}
interface HistoryPage {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { cursor: string; node: { position: string } }[];
  nodes: AuditEvent[];
}
interface Filter {
  streamName?: string;
  types?: string[];
  categories?: string[];
  actorId?: string;
  from?: string;
  to?: string;
}

type Org = Awaited<ReturnType<typeof createOrganization>>;

let test: TestServer;
let orgA: Org;
let orgB: Org;
let auditor: Member;
let auditorB: Member;
let manager: Member;
let trainer: Member;
let learners: Member[];
let eventsKey: string;
let sessionsKey: string;

/** The life of one session in organization A: what the API answered after each step, and when. */
let lifeSessionId: string;
let beforeCreation: string;
const steps: { name: string; at: string; answer: Record<string, unknown> }[] = [];
/** The correlation id the client sent with the registration that confirmed the session (S4). */
let confirmingCorrelationId: string;
/** signUpAndRegister into a second session with a minimum of 1. */
let signedUp: { userId: string; sessionId: string };
let sessionB: string;

async function history(token: string, filter?: Filter, first = 500, after?: string): Promise<HistoryPage> {
  return ok(await test.gql(HISTORY, { filter, first, after }, token)).eventHistory as HistoryPage;
}

/** Every page of a filtered history. */
async function allHistory(token: string, filter?: Filter): Promise<AuditEvent[]> {
  const all: AuditEvent[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await history(token, filter, 500, after);
    all.push(...page.nodes);
    if (!page.pageInfo.hasNextPage) return all;
    after = page.pageInfo.endCursor!;
  }
}

/** A GraphQL call with extra HTTP headers (x-correlation-id). */
async function gqlWithHeaders(query: string, variables: Record<string, unknown>, token: string, headers: Record<string, string>) {
  const response = await fetch(test.url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}`, ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphQLResponse<any>;
}

async function createKey(scopes: string[]): Promise<string> {
  return ok(await test.gql(CREATE_KEY, { input: { name: `key ${scopes.join(" ")}`, scopes } }, orgA.token)).createApiKey.secret;
}

beforeAll(async () => {
  test = await startTestServer();
  [orgA, orgB] = await Promise.all([createOrganization(test), createOrganization(test)]);
  [auditor, manager, trainer, auditorB, ...learners] = await Promise.all([
    addMember(test, orgA.token, ["AUDITOR"]),
    addMember(test, orgA.token, ["MANAGER"]),
    addMember(test, orgA.token, ["TRAINER"]),
    addMember(test, orgB.token, ["AUDITOR"]),
    addMember(test, orgA.token, ["LEARNER"]),
    addMember(test, orgA.token, ["LEARNER"]),
    addMember(test, orgA.token, ["LEARNER"]),
  ]);
  [eventsKey, sessionsKey] = [await createKey(["EVENTS_READ"]), await createKey(["SESSIONS_READ", "PEOPLE_READ", "SESSIONS_WRITE"])];

  // Organization B has its own session, which A must never see.
  sessionB = ok(await test.gql(CREATE_SESSION, { input: { name: "B only" } }, orgB.token)).createSession.id;

  // The life of one session, remembering what the API said after each step and an instant just after it
  // (instants of the server's clock, which stamps the events).
  const startsAt = test.clock.now().getTime() + 30 * DAY;
  const snapshot = async (name: string) => {
    const answer = ok(await test.gql(SESSION, { id: lifeSessionId }, orgA.token)).session;
    steps.push({ name, at: test.clock.iso(), answer });
    test.clock.advance(MINUTE); // the next step occurs strictly after `at`
  };
  beforeCreation = test.clock.iso();
  test.clock.advance(MINUTE);
  lifeSessionId = ok(
    await test.gql(
      CREATE_SESSION,
      { input: { name: "Audited session", audience: { mode: "PUBLIC", minParticipants: 2, maxParticipants: 2 } } },
      orgA.token,
    ),
  ).createSession.id;
  await snapshot("created");
  ok(await test.gql(EDIT, { input: { sessionId: lifeSessionId, name: "Audited session, renamed" } }, orgA.token));
  await snapshot("renamed");
  const schedule = { startsAt: new Date(startsAt).toISOString(), endsAt: new Date(startsAt + HOUR).toISOString() };
  ok(await test.gql(SCHEDULE, { input: { sessionId: lifeSessionId, ...schedule, attendanceConfirmationOffsetMinutes: 15 } }, orgA.token));
  await snapshot("scheduled");
  ok(await test.gql(FORMAT, { input: { sessionId: lifeSessionId, kind: "WEBINAR", link: "https://meet.example.com/a", trainerId: orgA.userId } }, orgA.token));
  await snapshot("formatted");
  ok(await test.gql(PLAN, { input: { sessionId: lifeSessionId } }, orgA.token));
  await snapshot("planned");
  expect(ok(await test.gql(REGISTER, { input: { sessionId: lifeSessionId } }, learners[0]!.token)).registerForSession.status).toBe("REGISTERED");
  await snapshot("first registration");
  confirmingCorrelationId = `audit-${randomUUID()}`;
  const second = ok(
    await gqlWithHeaders(REGISTER, { input: { sessionId: lifeSessionId } }, learners[1]!.token, { "x-correlation-id": confirmingCorrelationId }),
  );
  expect(second.registerForSession.status).toBe("REGISTERED");
  await snapshot("second registration, auto-confirmed");
  expect(ok(await test.gql(REGISTER, { input: { sessionId: lifeSessionId } }, learners[2]!.token)).registerForSession.status).toBe("WAITLISTED");
  await snapshot("waitlisted");
  ok(await test.gql(CANCEL_SESSION, { input: { sessionId: lifeSessionId, reason: "Trainer ill" } }, orgA.token));
  await snapshot("canceled");

  // The public session link: an account and a registration (which confirms the session) in one request.
  const openSession = ok(
    await test.gql(
      CREATE_SESSION,
      { input: { name: "Open door", audience: { mode: "PUBLIC", minParticipants: 1, maxParticipants: 10 } } },
      orgA.token,
    ),
  ).createSession.id as string;
  ok(await test.gql(SCHEDULE, { input: { sessionId: openSession, ...schedule, attendanceConfirmationOffsetMinutes: 15 } }, orgA.token));
  ok(await test.gql(FORMAT, { input: { sessionId: openSession, kind: "WEBINAR", link: "https://meet.example.com/b", trainerId: orgA.userId } }, orgA.token));
  ok(await test.gql(PLAN, { input: { sessionId: openSession } }, orgA.token));
  const signUp = ok(
    await test.gql(SIGN_UP_AND_REGISTER, {
      input: {
        organizationId: orgA.organizationId,
        sessionId: openSession,
        email: `walk-in-${Date.now()}@people.test`,
        password: "correct horse battery 3",
        displayName: "Walk-in",
      },
    }),
  ).signUpAndRegister;
  expect(signUp.registration.status).toBe("REGISTERED");
  expect(ok(await test.gql(SESSION, { id: openSession }, orgA.token)).session.status).toBe("CONFIRMED");
  signedUp = { userId: signUp.user.id, sessionId: openSession };
});
afterAll(() => test.stop());

describe("eventHistory (N3): the organization's events, oldest first, paginated by position", () => {
  it("lists every event oldest first with increasing positions, and counts them", async () => {
    const page = await history(auditor.token);
    expect(page.totalCount).toBeGreaterThan(40);
    const all = await allHistory(auditor.token);
    expect(all).toHaveLength(page.totalCount);
    const positions = all.map((e) => BigInt(e.position));
    for (let i = 1; i < positions.length; i++) expect(positions[i]! > positions[i - 1]!).toBe(true);
    // Organization A's very first event is its creation, and the life of the session is there in order.
    expect(all[0]!.type).toBe("OrganizationCreated");
    expect(all.filter((e) => e.streamName === `session-${lifeSessionId}`).map((e) => e.type)).toEqual([
      "SessionCreated",
      "SessionDetailsEdited",
      "SessionScheduleSet",
      "SessionFormatSet",
      "SessionPlanned",
      "ParticipantRegistered",
      "ParticipantRegistered",
      "SessionConfirmed",
      "ParticipantWaitlisted",
      "SessionCanceled",
      "RegistrationCanceled",
      "RegistrationCanceled",
      "RegistrationCanceled",
    ]);
  });

  it("is the event store's own log for the organization: same events, ids, positions and revisions", async () => {
    const all = await allHistory(auditor.token);
    const stored = (await test.app.store.readAll()).filter((e) => e.metadata.tenantId === orgA.organizationId);
    expect(all.map((e) => [e.position, e.eventId, e.streamName, e.revision, e.type])).toEqual(
      stored.map((e) => [e.position.toString(), e.id, e.streamName, e.revision.toString(), e.type]),
    );
  });

  it("pages with first/after: cursor = position, totalCount of the whole filter on every page, no gap or duplicate", async () => {
    const all = await allHistory(auditor.token);
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    for (;;) {
      const page = await history(auditor.token, undefined, 7, after);
      pages += 1;
      expect(page.totalCount).toBe(all.length);
      expect(page.nodes.length).toBeLessThanOrEqual(7);
      expect(page.edges.map((edge) => edge.cursor)).toEqual(page.nodes.map((node) => node.position));
      expect(page.edges.map((edge) => edge.node.position)).toEqual(page.nodes.map((node) => node.position));
      expect(page.pageInfo.endCursor).toBe(page.nodes.at(-1)!.position);
      seen.push(...page.nodes.map((node) => node.position));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor!;
    }
    expect(pages).toBe(Math.ceil(all.length / 7));
    expect(seen).toEqual(all.map((e) => e.position));
  });

  it("starts right after the position given as `after`, even a position not in the filtered list", async () => {
    const all = await allHistory(auditor.token);
    const middle = all[10]!;
    const next = await history(auditor.token, undefined, 3, middle.position);
    expect(next.nodes.map((e) => e.position)).toEqual(all.slice(11, 14).map((e) => e.position));
    // Positions of other organizations' events (between A's) are valid cursors too.
    const gap = (BigInt(all[10]!.position) + 1n).toString();
    const fromGap = await history(auditor.token, undefined, 1, gap);
    expect(BigInt(fromGap.nodes[0]!.position) > BigInt(gap)).toBe(true);
    // Past the end: nothing, and no next page.
    const end = await history(auditor.token, undefined, 10, all.at(-1)!.position);
    expect(end.nodes).toEqual([]);
    expect(end.pageInfo.hasNextPage).toBe(false);
  });

  it("narrows to one stream: its events, revisions 0, 1, 2 … in order", async () => {
    const all = await allHistory(auditor.token);
    const stream = `session-${lifeSessionId}`;
    const page = await history(auditor.token, { streamName: stream });
    expect(page.nodes.length).toBe(13);
    expect(page.totalCount).toBe(13);
    expect(page.nodes.every((e) => e.streamName === stream)).toBe(true);
    expect(page.nodes.map((e) => e.revision)).toEqual(page.nodes.map((_, i) => String(i)));
    expect(page.nodes).toEqual(all.filter((e) => e.streamName === stream));
    expect((await history(auditor.token, { streamName: "session-does-not-exist" })).totalCount).toBe(0);
  });

  it("narrows to event types (any of them)", async () => {
    const all = await allHistory(auditor.token);
    const types = ["SessionConfirmed", "SessionCanceled"];
    const page = await history(auditor.token, { types });
    expect(page.nodes).toEqual(all.filter((e) => types.includes(e.type)));
    // The life session's confirmation and cancelation, and the signed-up session's confirmation.
    expect(page.nodes.map((e) => e.type).sort()).toEqual(["SessionCanceled", "SessionConfirmed", "SessionConfirmed"]);
    expect(page.totalCount).toBe(3);
  });

  it("narrows to stream categories (any of them)", async () => {
    const all = await allHistory(auditor.token);
    const users = await history(auditor.token, { categories: ["user"] });
    expect(users.nodes.length).toBeGreaterThan(0);
    expect(users.nodes.every((e) => e.streamName.startsWith("user-"))).toBe(true);
    expect(users.nodes).toEqual(all.filter((e) => e.streamName.split("-")[0] === "user"));
    // Admin, auditor, manager, trainer, three learners and the walk-in: one UserRegistered each.
    expect(users.nodes.filter((e) => e.type === "UserRegistered")).toHaveLength(8);
    const both = await history(auditor.token, { categories: ["user", "session"] });
    expect(both.nodes).toEqual(all.filter((e) => ["user", "session"].includes(e.streamName.split("-")[0]!)));
    expect(both.totalCount).toBeLessThan(all.length);
    expect(both.totalCount).toBeGreaterThan(users.totalCount);
  });

  it("narrows to one actor: what a learner did, and nothing else", async () => {
    const all = await allHistory(auditor.token);
    const learner = learners[0]!;
    const page = await history(auditor.token, { actorId: learner.userId });
    expect(page.nodes).toEqual(all.filter((e) => e.actorId === learner.userId));
    expect(page.nodes.map((e) => `${e.streamName} ${e.type}`)).toContain(`session-${lifeSessionId} ParticipantRegistered`);
    expect(page.nodes.every((e) => e.actorId === learner.userId)).toBe(true);
    // The admin did the session's planning and cancelation.
    const byAdmin = await history(auditor.token, { actorId: orgA.userId, streamName: `session-${lifeSessionId}` });
    expect(byAdmin.nodes.map((e) => e.type)).toEqual([
      "SessionCreated",
      "SessionDetailsEdited",
      "SessionScheduleSet",
      "SessionFormatSet",
      "SessionPlanned",
      "SessionCanceled",
      "RegistrationCanceled",
      "RegistrationCanceled",
      "RegistrationCanceled",
    ]);
  });

  it("narrows to a time range: from inclusive, to exclusive, together the whole history", async () => {
    const all = await allHistory(auditor.token);
    const pivot = all.find((e) => e.streamName === `session-${lifeSessionId}` && e.type === "SessionPlanned")!;
    const from = await allHistory(auditor.token, { from: pivot.occurredAt });
    const to = await allHistory(auditor.token, { to: pivot.occurredAt });
    expect(from[0]!.occurredAt <= pivot.occurredAt).toBe(true);
    expect(from.map((e) => e.eventId)).toContain(pivot.eventId);
    expect(to.map((e) => e.eventId)).not.toContain(pivot.eventId);
    expect(from.every((e) => Date.parse(e.occurredAt) >= Date.parse(pivot.occurredAt))).toBe(true);
    expect(to.every((e) => Date.parse(e.occurredAt) < Date.parse(pivot.occurredAt))).toBe(true);
    expect(from.length + to.length).toBe(all.length);
    expect(to.length).toBeGreaterThan(0);
    expect(from.length).toBeGreaterThan(0);
    // A window between two steps of the life holds exactly what happened in it.
    const window = await history(auditor.token, {
      streamName: `session-${lifeSessionId}`,
      from: steps[4]!.at, // just after planning
      to: steps[6]!.at, // just after the auto-confirmation
    });
    expect(window.nodes.map((e) => e.type)).toEqual(["ParticipantRegistered", "ParticipantRegistered", "SessionConfirmed"]);
    // A DateTime with an offset means the same instant.
    const plus2 = new Date(Date.parse(steps[4]!.at) + 2 * HOUR).toISOString().replace("Z", "+02:00");
    const sameWindow = await history(auditor.token, { streamName: `session-${lifeSessionId}`, from: plus2, to: steps[6]!.at });
    expect(sameWindow.nodes).toEqual(window.nodes);
  });

  it("combines filters (all must match)", async () => {
    const page = await history(auditor.token, {
      categories: ["session"],
      types: ["ParticipantRegistered"],
      actorId: learners[1]!.userId,
    });
    expect(page.nodes.map((e) => [e.streamName, e.type, e.actorId])).toEqual([
      [`session-${lifeSessionId}`, "ParticipantRegistered", learners[1]!.userId],
    ]);
  });
});

describe("eventHistory (N3): who, when, what and why", () => {
  it("gives every event its actor, instant, id, correlation and causation, from its metadata", async () => {
    const all = await allHistory(auditor.token);
    for (const event of all) {
      expect(event.eventId).toMatch(/^[0-9a-f-]{36}$/);
      expect(event.actorId).toBeTruthy();
      expect(event.actorId).toBe(event.metadata.actorId);
      expect(event.occurredAt).toBe(new Date(event.metadata.occurredAt).toISOString());
      expect(event.correlationId).toBeTruthy();
      expect(event.correlationId).toBe(event.metadata.correlationId);
      expect(event.causationId).toBeTruthy();
      expect(event.causationId).toBe(event.metadata.causationId);
      expect(event.metadata.tenantId).toBe(orgA.organizationId);
    }
  });

  it("S4: the registration and the confirmation it caused share the request's correlation id (the client's x-correlation-id)", async () => {
    const stream = (await history(auditor.token, { streamName: `session-${lifeSessionId}` })).nodes;
    const [registered, confirmed] = [stream[6]!, stream[7]!];
    expect([registered.type, confirmed.type]).toEqual(["ParticipantRegistered", "SessionConfirmed"]);
    expect(registered.correlationId).toBe(confirmingCorrelationId);
    expect(confirmed.correlationId).toBe(confirmingCorrelationId);
    expect(confirmed.causationId).toBe(registered.causationId);
    expect(confirmed.actorId).toBe(learners[1]!.userId);
    expect(registered.data).toMatchObject({ userId: learners[1]!.userId, sessionId: lifeSessionId });
    expect(confirmed.occurredAt).toBe(registered.occurredAt);
    // Other requests have other correlation ids; the cancelation's five events share one.
    const canceling = stream.slice(9);
    expect(new Set(canceling.map((e) => e.correlationId)).size).toBe(1);
    expect(canceling[0]!.correlationId).not.toBe(confirmingCorrelationId);
    expect(new Set(stream.slice(0, 6).map((e) => e.correlationId)).size).toBe(6);
  });

  it("signUpAndRegister: the account's events and the registration share one correlation id across streams", async () => {
    const all = await allHistory(auditor.token);
    const registered = all.find((e) => e.streamName === `session-${signedUp.sessionId}` && e.type === "ParticipantRegistered")!;
    const sameRequest = all.filter((e) => e.correlationId === registered.correlationId);
    const streams = new Set(sameRequest.map((e) => e.streamName.split("-")[0]));
    expect(streams.has("user")).toBe(true);
    expect(streams.has("session")).toBe(true);
    expect(sameRequest.map((e) => e.type)).toEqual(expect.arrayContaining(["UserRegistered", "ParticipantRegistered", "SessionConfirmed"]));
    expect(sameRequest.find((e) => e.type === "UserRegistered")!.data.userId).toBe(signedUp.userId);
    expect(all.filter((e) => e.correlationId === registered.correlationId && e.type === "SessionConfirmed")).toHaveLength(1);
  });

  it("never shows a password or API key hash, to anyone allowed to read history", async () => {
    const answers = [
      await allHistory(auditor.token),
      await allHistory(orgA.token),
      await allHistory(eventsKey),
      (await history(auditor.token, { types: ["UserRegistered"] })).nodes,
    ];
    for (const answer of answers) {
      const text = JSON.stringify(answer);
      expect(text).not.toContain("scrypt$");
      for (const event of answer) {
        if ("passwordHash" in event.data && event.data.passwordHash !== null) expect(event.data.passwordHash).toBe("[redacted]");
        if ("secretHash" in event.data) expect(event.data.secretHash).toBe("[redacted]");
      }
    }
    const all = answers[0]!;
    const registered = all.filter((e) => e.type === "UserRegistered" && e.data.passwordHash === "[redacted]");
    expect(registered.length).toBeGreaterThanOrEqual(8); // every account here was created with a password
    const keys = all.filter((e) => "secretHash" in e.data);
    expect(keys).toHaveLength(2);
    // The store itself holds the real hashes: the redaction is what hides them.
    const stored = await test.app.store.readStream(registered[0]!.streamName);
    expect(String(stored[0]!.data.passwordHash)).toMatch(/^scrypt\$/);
    const storedKey = await test.app.store.readStream(keys[0]!.streamName);
    expect(String(storedKey[0]!.data.secretHash)).toMatch(/^[0-9a-f]{64}$/);
    // Other fields of those events are shown as recorded.
    expect(registered[0]!.data.email).toBe(stored[0]!.data.email);
  });
});

describe("eventHistory (§0): another organization's events never appear", () => {
  it("shows A's auditor none of B's events, even when asked for B's stream or B's admin", async () => {
    const all = await allHistory(auditor.token);
    expect(all.every((e) => e.metadata.tenantId === orgA.organizationId)).toBe(true);
    const text = JSON.stringify(all);
    expect(text).not.toContain(sessionB);
    expect(text).not.toContain(orgB.organizationId);
    expect(text).not.toContain(orgB.userId);
    expect((await history(auditor.token, { streamName: `session-${sessionB}` })).totalCount).toBe(0);
    expect((await history(auditor.token, { actorId: orgB.userId })).totalCount).toBe(0);
    expect((await history(eventsKey, { streamName: `session-${sessionB}` })).nodes).toEqual([]);
  });

  it("shows B's auditor B's events only", async () => {
    const allB = await allHistory(auditorB.token);
    expect(allB.length).toBeGreaterThan(0);
    expect(allB.every((e) => e.metadata.tenantId === orgB.organizationId)).toBe(true);
    expect(allB.map((e) => e.streamName)).toContain(`session-${sessionB}`);
    expect(JSON.stringify(allB)).not.toContain(lifeSessionId);
    expect((await history(auditorB.token, { streamName: `session-${lifeSessionId}` })).totalCount).toBe(0);
  });
});

describe("N3 authorization: ADMIN, AUDITOR and API keys with events:read", () => {
  const calls = () => [
    { name: "eventHistory", query: HISTORY, variables: { first: 1 } },
    { name: "sessionAsOf", query: AS_OF, variables: { id: lifeSessionId } },
    { name: "verifyEventHistory", query: VERIFY, variables: {} },
  ];

  it("lets ADMIN, AUDITOR and an events:read key call each query", async () => {
    for (const token of [orgA.token, auditor.token, eventsKey]) {
      for (const call of calls()) {
        const data = ok(await test.gql(call.query, call.variables, token)) as Record<string, unknown>;
        expect(data[call.name]).toBeTruthy();
      }
    }
  });

  it("refuses LEARNER, MANAGER and TRAINER with FORBIDDEN", async () => {
    for (const member of [learners[0]!, manager, trainer]) {
      for (const call of calls()) {
        const result = await test.gql(call.query, call.variables, member.token);
        expect(refused(result).code).toBe("FORBIDDEN");
        expect(result.data?.[call.name] ?? null).toBeNull();
      }
    }
  });

  it("refuses an API key without events:read with FORBIDDEN, and nobody signed in with UNAUTHENTICATED", async () => {
    for (const call of calls()) {
      expect(refused(await test.gql(call.query, call.variables, sessionsKey)).code).toBe("FORBIDDEN");
      expect(refused(await test.gql(call.query, call.variables)).code).toBe("UNAUTHENTICATED");
    }
  });
});

describe("eventHistory: bad input", () => {
  it("refuses an `after` that is not a position with BAD_USER_INPUT on after", async () => {
    for (const after of ["abc", "-1", "1.5", "", "99999999999999999999"]) {
      const error = refused(await test.gql(HISTORY, { first: 5, after }, auditor.token));
      expect(error.code, `after=${JSON.stringify(after)}`).toBe("BAD_USER_INPUT");
      expect(error.extensions.field).toBe("after");
    }
  });

  it("refuses a 19-digit `after` beyond a 64-bit position with BAD_USER_INPUT, not an internal error", async () => {
    // Matches /^\d{1,19}$/ but is greater than 2^63 - 1: SQLite cannot bind it.
    for (const after of ["9999999999999999999", "9223372036854775808"]) {
      const error = refused(await test.gql(HISTORY, { first: 5, after }, auditor.token));
      expect(error.code, `after=${after}`).toBe("BAD_USER_INPUT");
      expect(error.extensions.field).toBe("after");
    }
    // The largest position is a valid cursor: nothing after it.
    expect((await history(auditor.token, undefined, 5, "9223372036854775807")).nodes).toEqual([]);
  });

  it("refuses a page size outside 1 to 500 with BAD_USER_INPUT on first", async () => {
    for (const first of [0, -1, 501]) {
      const error = refused(await test.gql(HISTORY, { first }, auditor.token));
      expect(error.code).toBe("BAD_USER_INPUT");
      expect(error.extensions.field).toBe("first");
    }
  });
});

describe("sessionAsOf (N3): the session exactly as it was", () => {
  it("went through the expected life (the answers compared below)", () => {
    expect(steps.map((s) => [s.answer.status, s.answer.name, s.answer.registeredCount, s.answer.waitlistedCount, s.answer.revision])).toEqual([
      ["DRAFT", "Audited session", 0, 0, 0],
      ["DRAFT", "Audited session, renamed", 0, 0, 1],
      ["DRAFT", "Audited session, renamed", 0, 0, 2],
      ["DRAFT", "Audited session, renamed", 0, 0, 3],
      ["PLANNED", "Audited session, renamed", 0, 0, 4],
      ["PLANNED", "Audited session, renamed", 1, 0, 5],
      ["CONFIRMED", "Audited session, renamed", 2, 0, 7],
      ["CONFIRMED", "Audited session, renamed", 2, 1, 8],
      ["CANCELED", "Audited session, renamed", 0, 0, 12],
    ]);
  });

  it("by revision: each step's revision gives exactly what the API answered then", async () => {
    for (const step of steps) {
      const past = ok(await test.gql(AS_OF, { id: lifeSessionId, revision: step.answer.revision }, auditor.token)).sessionAsOf;
      expect(past, step.name).toEqual(step.answer);
    }
  });

  it("by instant: just after each step gives exactly what the API answered then", async () => {
    for (const step of steps) {
      const past = ok(await test.gql(AS_OF, { id: lifeSessionId, at: step.at }, auditor.token)).sessionAsOf;
      expect(past, step.name).toEqual(step.answer);
    }
  });

  it("by instant: the very millisecond an event occurred includes it, one millisecond earlier does not", async () => {
    const stream = (await history(auditor.token, { streamName: `session-${lifeSessionId}` })).nodes;
    const planned = stream.find((e) => e.type === "SessionPlanned")!;
    const exactly = ok(await test.gql(AS_OF, { id: lifeSessionId, at: planned.occurredAt }, auditor.token)).sessionAsOf;
    expect(exactly).toEqual(steps[4]!.answer);
    const earlier = new Date(Date.parse(planned.occurredAt) - 1).toISOString();
    const justBefore = ok(await test.gql(AS_OF, { id: lifeSessionId, at: earlier }, auditor.token)).sessionAsOf;
    expect(justBefore).toEqual(steps[3]!.answer);
  });

  it("by revision inside a multi-event command: the registration without its confirmation yet", async () => {
    const past = ok(await test.gql(AS_OF, { id: lifeSessionId, revision: 6 }, eventsKey)).sessionAsOf;
    expect(past).toMatchObject({ status: "PLANNED", registeredCount: 2, waitlistedCount: 0, availableSeats: 0, revision: 6 });
    const canceledOnly = ok(await test.gql(AS_OF, { id: lifeSessionId, revision: 9 }, eventsKey)).sessionAsOf;
    expect(canceledOnly).toMatchObject({ status: "CANCELED", statusReason: "Trainer ill", registeredCount: 2, waitlistedCount: 1, revision: 9 });
  });

  it("with both, stops at whichever comes first; without either, is the current session", async () => {
    const both = ok(await test.gql(AS_OF, { id: lifeSessionId, at: steps[8]!.at, revision: 4 }, auditor.token)).sessionAsOf;
    expect(both).toEqual(steps[4]!.answer);
    const both2 = ok(await test.gql(AS_OF, { id: lifeSessionId, at: steps[1]!.at, revision: 12 }, auditor.token)).sessionAsOf;
    expect(both2).toEqual(steps[1]!.answer);
    const now = ok(await test.gql(AS_OF, { id: lifeSessionId }, auditor.token)).sessionAsOf;
    expect(now).toEqual(ok(await test.gql(SESSION, { id: lifeSessionId }, auditor.token)).session);
  });

  it("before the session was created: NOT_FOUND", async () => {
    expect(refused(await test.gql(AS_OF, { id: lifeSessionId, at: beforeCreation }, auditor.token)).code).toBe("NOT_FOUND");
    expect(refused(await test.gql(AS_OF, { id: lifeSessionId, at: "2020-01-01T00:00:00Z" }, auditor.token)).code).toBe("NOT_FOUND");
  });

  it("§0 another organization's session, or one that never existed: NOT_FOUND", async () => {
    expect(refused(await test.gql(AS_OF, { id: lifeSessionId, revision: 0 }, auditorB.token)).code).toBe("NOT_FOUND");
    expect(refused(await test.gql(AS_OF, { id: sessionB }, auditor.token)).code).toBe("NOT_FOUND");
    expect(refused(await test.gql(AS_OF, { id: randomUUID() }, auditor.token)).code).toBe("NOT_FOUND");
    // B's own auditor does see B's session.
    expect(ok(await test.gql(AS_OF, { id: sessionB, revision: 0 }, auditorB.token)).sessionAsOf.name).toBe("B only");
  });

  it("refuses a negative revision with BAD_USER_INPUT on revision", async () => {
    const error = refused(await test.gql(AS_OF, { id: lifeSessionId, revision: -1 }, auditor.token));
    expect(error.code).toBe("BAD_USER_INPUT");
    expect(error.extensions.field).toBe("revision");
  });
});

describe("verifyEventHistory (N3): every stream's hash chain", () => {
  it("finds a normal history intact, having checked every event and stream of the organization", async () => {
    const all = await allHistory(auditor.token);
    const result = ok(await test.gql(VERIFY, {}, auditor.token)).verifyEventHistory;
    expect(result).toEqual({
      intact: true,
      streamsChecked: new Set(all.map((e) => e.streamName)).size,
      eventsChecked: all.length,
      firstBreak: null,
    });
    const resultB = ok(await test.gql(VERIFY, {}, auditorB.token)).verifyEventHistory;
    expect(resultB.intact).toBe(true);
    expect(resultB.eventsChecked).toBe((await allHistory(auditorB.token)).length);
  });

  it("reads only the caller's organization's streams from the store, never the whole log", async () => {
    const readAll = vi.spyOn(test.app.store, "readAll");
    const readStream = vi.spyOn(test.app.store, "readStream");
    const checked = vi.spyOn(HashChainVerifier.prototype, "check");
    try {
      const result = ok(await test.gql(VERIFY, {}, auditorB.token)).verifyEventHistory;
      expect(result.intact).toBe(true);
      // The background readers (subscriptions, health) find nothing new: any event read from $all was the verification's.
      const readFromAll = (await Promise.all(readAll.mock.results.map((call) => call.value))).flat();
      expect(readFromAll).toEqual([]);
      const tenants = new Set(checked.mock.calls.map(([event]) => event.metadata.tenantId));
      expect([...tenants]).toEqual([orgB.organizationId]);
      expect(checked).toHaveBeenCalledTimes(result.eventsChecked);
      expect(readStream.mock.calls.length).toBeGreaterThanOrEqual(result.streamsChecked);
      // Far fewer events than the store holds (organization A's history is much longer).
      expect(result.eventsChecked).toBeLessThan((await allHistory(auditor.token)).length);
    } finally {
      readAll.mockRestore();
      readStream.mockRestore();
      checked.mockRestore();
    }
  });

  it("one verification at a time per caller: a second call while one runs is TOO_MANY_VERIFICATIONS; others go on", async () => {
    const [first, second, elsewhere] = await Promise.all([
      test.gql(VERIFY, {}, auditor.token),
      test.gql(VERIFY, {}, auditor.token),
      test.gql(VERIFY, {}, auditorB.token),
    ]);
    const outcomes = [first, second].map((result) => (result.errors ? refused(result).code : "intact"));
    expect(outcomes.sort()).toEqual(["TOO_MANY_VERIFICATIONS", "intact"]);
    const refusal = refused([first, second].find((result) => result.errors)!);
    expect(refusal.extensions).toEqual({ code: "TOO_MANY_VERIFICATIONS", limit: 1 });
    expect(ok(elsewhere).verifyEventHistory.intact).toBe(true);
    // Once answered, the caller's slot is free again.
    expect(ok(await test.gql(VERIFY, {}, auditor.token)).verifyEventHistory.intact).toBe(true);
  });

  it("after one event's data is edited in the SQLite event store file, reports the next event of that stream", async () => {
    const fresh = await startTestServer();
    try {
      const tampered = await createOrganization(fresh);
      const other = await createOrganization(fresh);
      const gql = (query: string, variables: Record<string, unknown>, token: string) => fresh.gql(query, variables, token);
      const sessionId = ok(await gql(CREATE_SESSION, { input: { name: "Original" } }, tampered.token)).createSession.id as string;
      for (const name of ["Second", "Third", "Fourth"]) ok(await gql(EDIT, { input: { sessionId, name } }, tampered.token));
      const untouched = ok(await gql(CREATE_SESSION, { input: { name: "Untouched" } }, tampered.token)).createSession.id;
      ok(await gql(EDIT, { input: { sessionId: untouched, name: "Untouched 2" } }, tampered.token));
      ok(await gql(CREATE_SESSION, { input: { name: "Elsewhere" } }, other.token));

      const before = ok(await gql(VERIFY, {}, tampered.token)).verifyEventHistory;
      expect(before).toMatchObject({ intact: true, firstBreak: null });

      const stream = `session-${sessionId}`;
      const original: RecordedEvent[] = await fresh.app.store.readStream(stream);
      expect(original).toHaveLength(4);
      const victim = original[1]!;
      expect(victim.data).toMatchObject({ changes: { name: "Second" } });
      const forgedData = { ...victim.data, changes: { ...(victim.data.changes as object), name: "Forged" } };
      const db = new Database(path.join(fresh.dataDir, "events.sqlite"));
      try {
        const changed = db
          .prepare("UPDATE events SET data = ? WHERE stream_name = ? AND stream_revision = ?")
          .run(JSON.stringify(forgedData), stream, 1);
        expect(changed.changes).toBe(1);
      } finally {
        db.close();
      }

      const after = ok(await gql(VERIFY, {}, tampered.token)).verifyEventHistory;
      expect(after).toEqual({
        intact: false,
        streamsChecked: before.streamsChecked,
        eventsChecked: before.eventsChecked,
        firstBreak: {
          streamName: stream,
          revision: "2",
          position: original[2]!.position.toString(),
          eventId: original[2]!.id,
          expectedPreviousHash: hashEvent({ ...victim, data: forgedData }),
          recordedPreviousHash: hashEvent(victim),
        },
      });
      expect(after.firstBreak.recordedPreviousHash).toBe(original[2]!.metadata.previousEventHash);
      // Another organization's history on the same store is still intact.
      expect(ok(await gql(VERIFY, {}, other.token)).verifyEventHistory).toMatchObject({ intact: true, firstBreak: null });
    } finally {
      await fresh.stop();
    }
  });
});
