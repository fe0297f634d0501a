/**
 * The integrator feed (N2) over real WebSockets (graphql-ws) against
 * the real server and its SQLite event store. `subscription events(after, types, categories)`:
 * - replays exactly the organization's events after `after`, in increasing position, then goes
 *   on live with new ones: no gap, no duplicate;
 * - THE switch-over proof: a history of a few hundred events is replayed from the start while a
 *   writer keeps appending (straight to the store and through the API) DURING the replay (an
 *   observer on the store's subscription shows the appends really overlapped the replay); what the
 *   feed delivered is exactly the organization's events in the store, same order, nothing missing,
 *   nothing twice;
 * - after a server restart on the same data directory, resubscribing with the last position an
 *   integrator processed delivers exactly the rest and the new events (tokens stay valid: the JWT
 *   secret lives in the data directory);
 * - `types` and `categories` narrow the feed, alone and together;
 * - §0: another organization's events never appear;
 * - only ADMIN, AUDITOR and API keys with events:read may subscribe (others FORBIDDEN, no token
 *   UNAUTHENTICATED); an `after` that is not a non-negative 64-bit integer is BAD_USER_INPUT;
 * - password and key hashes are "[redacted]" in the feed's data.
 * No timing assertions: every wait is bounded and only waits for what must arrive.
 */
import { randomUUID } from "node:crypto";
import { setImmediate as nextTurn } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashEvent } from "../../src/domain/shared/event-metadata.js";
import type { EventStore, EventToAppend, RecordedEvent } from "../../src/domain/shared/event-store.js";
import { type Feed, type FeedEvent, openFeed } from "../support/feed-client.js";
import {
  addMember,
  createOrganization,
  type Member,
  ok,
  startTestServer,
  type TestServer,
} from "../support/test-server.js";

type Org = Awaited<ReturnType<typeof createOrganization>>;

const CREATE_TEAM = `mutation ($input: CreateTeamInput!) { createTeam(input: $input) { id } }`;
const RENAME_TEAM = `mutation ($input: RenameTeamInput!) { renameTeam(input: $input) { id } }`;
const CREATE_KEY = `mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id } } }`;
const HISTORY = `query ($first: Int!) { eventHistory(first: $first) { nodes { position eventId } } }`;

let test: TestServer;
let admin: Org;

beforeAll(async () => {
  test = await startTestServer();
  admin = await createOrganization(test);
});

afterAll(async () => {
  await test?.stop(); // disposes every client made with test.ws
});

/** The organization's events in the store, in log order (the oracle the feed must match). */
async function orgEvents(server: TestServer, organizationId: string, after?: bigint): Promise<RecordedEvent[]> {
  return (await server.app.store.readAll(after === undefined ? {} : { after })).filter((e) => e.metadata.tenantId === organizationId);
}

async function createTeam(server: TestServer, token: string, name = `Team ${randomUUID().slice(0, 8)}`): Promise<string> {
  return ok(await server.gql(CREATE_TEAM, { input: { name } }, token)).createTeam.id as string;
}

async function createTeams(server: TestServer, token: string, count: number): Promise<string[]> {
  return Promise.all(Array.from({ length: count }, () => createTeam(server, token)));
}

/** Position and id of what the feed delivered, next to those of the store's events. */
const ids = (events: { eventId?: string; id?: string }[]) => events.map((e) => e.eventId ?? e.id);

/** The store's events of the organization up to the last position the feed delivered. */
function upToLastDelivered(expected: RecordedEvent[], feed: FeedEvent[]): RecordedEvent[] {
  const last = BigInt(feed.at(-1)!.position);
  return expected.filter((e) => e.position <= last);
}

function expectStrictlyIncreasing(events: FeedEvent[]): void {
  for (let i = 1; i < events.length; i += 1) {
    expect(BigInt(events[i]!.position) > BigInt(events[i - 1]!.position), `position ${events[i]!.position} after ${events[i - 1]!.position}`).toBe(true);
  }
  expect(new Set(ids(events)).size).toBe(events.length);
}

/** Events of a made-up category with well-formed metadata (hash chain included), appended straight to the store. */
function madeUpEvents(organizationId: string, actorId: string, streamName: string, fromRevision: bigint, previousHash: string | null, count: number) {
  const events: EventToAppend[] = [];
  let previousEventHash = previousHash;
  for (let i = 0; i < count; i += 1) {
    const event: EventToAppend = {
      id: randomUUID(),
      type: "FeedProbeRecorded",
      data: { n: i, note: "probe" },
      metadata: {
        tenantId: organizationId,
        actorId,
        correlationId: randomUUID(),
        causationId: randomUUID(),
        occurredAt: test.clock.now().toISOString(),
        schemaVersion: 1,
        previousEventHash,
      },
    };
    previousEventHash = hashEvent({ ...event, streamName, revision: fromRevision + BigInt(i) });
    events.push(event);
  }
  return events;
}

async function appendProbeStream(store: EventStore, org: Org, count: number): Promise<void> {
  const streamName = `feedprobe-${randomUUID()}`;
  await store.appendToStream(streamName, madeUpEvents(org.organizationId, org.userId, streamName, 0n, null, count), {
    expectedRevision: "no_stream",
  });
}

/**
 * Observes the store subscriptions opened while installed (only the feed opens one during a
 * test: the projector and side-effect runner subscribed at start), noting for each event the
 * store hands to the feed how many appends the writer had made by then. Observation only.
 */
function observeStoreSubscriptions(store: EventStore, writer: { appended: number }) {
  const original = store.subscribe;
  const handed: { position: bigint; appendedSoFar: number }[] = [];
  store.subscribe = (options) => {
    const inner = original.call(store, options);
    return {
      close: () => inner.close(),
      async *[Symbol.asyncIterator]() {
        for await (const event of inner) {
          handed.push({ position: event.position, appendedSoFar: writer.appended });
          yield event;
        }
      },
    };
  };
  return { handed, restore: () => void (store.subscribe = original) };
}

describe("events(after, types, categories): the integrator feed (N2)", () => {
  it("replays exactly the organization's events after the given position, in order, then continues live", async () => {
    const org = await createOrganization(test);
    await createTeams(test, org.token, 30);
    const before = await orgEvents(test, org.organizationId);
    expect(before.length).toBeGreaterThanOrEqual(31);

    // The position in the middle, as an auditor reads it from eventHistory.
    const history = ok(await test.gql(HISTORY, { first: 500 }, org.token)).eventHistory.nodes as { position: string; eventId: string }[];
    expect(ids(history)).toEqual(ids(before));
    const middle = history[Math.floor(history.length / 2)]!.position;
    const expectedReplay = before.filter((e) => e.position > BigInt(middle));

    const feed = openFeed(test.ws(org.token), { after: middle });
    await feed.waitFor((events) => events.length >= expectedReplay.length, "the replay");
    expect(ids(feed.events.slice(0, expectedReplay.length))).toEqual(ids(expectedReplay));
    expect(feed.events.map((e) => e.position).slice(0, expectedReplay.length)).toEqual(expectedReplay.map((e) => e.position.toString()));
    expect(feed.events.every((e) => BigInt(e.position) > BigInt(middle))).toBe(true);

    // Live: new teams arrive on the same subscription.
    const newTeams = await createTeams(test, org.token, 5);
    const isNewTeam = (e: FeedEvent) => e.type === "TeamCreated" && newTeams.includes(e.data.teamId as string);
    await feed.waitFor((events) => events.filter(isNewTeam).length === newTeams.length, "the new teams, live");
    const expected = upToLastDelivered(await orgEvents(test, org.organizationId, BigInt(middle)), feed.events);
    expect(ids(feed.events)).toEqual(ids(expected));
    expectStrictlyIncreasing(feed.events);

    // Each message is the event as recorded.
    const recorded = new Map(expected.map((e) => [e.id, e]));
    for (const event of feed.events) {
      const original = recorded.get(event.eventId)!;
      expect(event).toMatchObject({
        position: original.position.toString(),
        streamName: original.streamName,
        revision: original.revision.toString(),
        type: original.type,
        actorId: original.metadata.actorId,
        correlationId: original.metadata.correlationId,
        causationId: original.metadata.causationId,
        metadata: original.metadata,
      });
    }
    feed.close();
  });

  it("no gap and no duplicate at the switch-over: events appended DURING the replay are all delivered once, in log order", async () => {
    const org = await createOrganization(test);
    // A history of a few hundred events of the organization (plus some through the API), and
    // another organization's events in between.
    const other = await createOrganization(test);
    for (let i = 0; i < 40; i += 1) {
      await appendProbeStream(test.app.store, org, 10);
      if (i % 10 === 0) await appendProbeStream(test.app.store, other, 5);
    }
    await createTeams(test, org.token, 10);
    const historyHead = (await test.app.store.headPosition())!;
    const historySize = (await orgEvents(test, org.organizationId)).length;
    expect(historySize).toBeGreaterThanOrEqual(410);

    const writer = { appended: 0, stop: false };
    const observer = observeStoreSubscriptions(test.app.store, writer);
    let feed: Feed;
    let apiTeams: string[] = [];
    try {
      // The writer starts first and keeps appending, one small batch per turn of the event loop,
      // until the store's subscription has gone past the old head (the replay is over).
      const writing = (async () => {
        while (!writer.stop && writer.appended < 3000) {
          const streamName = `feedprobe-${randomUUID()}`;
          const count = 1 + (writer.appended % 3);
          await test.app.store.appendToStream(streamName, madeUpEvents(org.organizationId, org.userId, streamName, 0n, null, count), {
            expectedRevision: "no_stream",
          });
          if (writer.appended % 7 === 0) await appendProbeStream(test.app.store, other, 1);
          writer.appended += count;
          await nextTurn();
        }
      })();
      // Teams through the API while the replay runs, too.
      const apiWrites = createTeams(test, org.token, 10);

      // Subscribe from the start and process the first messages slowly.
      feed = openFeed(test.ws(org.token), {}, { slowFirst: 100, delayMs: 2 });
      const deadline = Date.now() + 15_000;
      while (!observer.handed.some((h) => h.position > historyHead) || writer.appended < 100) {
        if (Date.now() > deadline || feed.errors.length) break;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      writer.stop = true;
      await writing;
      apiTeams = await apiWrites;
    } finally {
      observer.restore();
    }
    expect(feed.errors).toEqual([]);

    // The appends really overlapped the replay: the store handed the feed events of the old
    // history after the writer had already appended.
    expect(observer.handed.some((h) => h.position <= historyHead && h.appendedSoFar > 0)).toBe(true);
    expect(observer.handed.some((h) => h.position > historyHead)).toBe(true);

    // Then live again, once the writer stopped.
    const lastTeam = await createTeam(test, org.token);
    await feed.waitFor(
      (events) => events.some((e) => e.type === "TeamCreated" && e.data.teamId === lastTeam),
      "everything up to the last team",
      20_000,
    );
    const expected = upToLastDelivered(await orgEvents(test, org.organizationId), feed.events);
    expect(expected.length).toBe(historySize + writer.appended + apiTeams.length + 1);
    expect(feed.events.length).toBe(expected.length);
    expect(ids(feed.events)).toEqual(ids(expected));
    expect(feed.events.map((e) => e.position)).toEqual(expected.map((e) => e.position.toString()));
    expectStrictlyIncreasing(feed.events);
    expect(feed.events.every((e) => e.metadata.tenantId === org.organizationId)).toBe(true);
    feed.close();
  });

  it("after a server restart, resubscribing with the last position processed continues exactly where it stopped", async () => {
    const first = await startTestServer();
    const dataDir = first.dataDir;
    let firstStopped = false;
    let second: TestServer | undefined;
    try {
      const org = await createOrganization(first);
      await createTeams(first, org.token, 12);
      const before = await orgEvents(first, org.organizationId);

      const feed = openFeed(first.ws(org.token));
      await feed.waitFor((events) => events.length >= before.length, "the history before the restart");
      expect(ids(feed.events)).toEqual(ids(before));
      // The integrator had processed only part of it when the server went down.
      const processed = feed.events.slice(0, Math.floor(before.length / 2));
      const checkpoint = processed.at(-1)!.position;
      await first.stop();
      firstStopped = true;

      // Same data directory and the same clock, running on: time does not go back at a restart.
      second = await startTestServer({ DATA_DIR: dataDir }, { clock: first.clock });
      // Same data directory: same JWT secret, so the old token still works.
      const newTeams = await createTeams(second, org.token, 4);
      const resumed = openFeed(second.ws(org.token), { after: checkpoint });
      await resumed.waitFor(
        (events) => newTeams.every((id) => events.some((e) => e.type === "TeamCreated" && e.data.teamId === id)),
        "the teams created after the restart",
      );
      const all = upToLastDelivered(await orgEvents(second, org.organizationId), resumed.events);
      expect(ids([...processed, ...resumed.events])).toEqual(ids(all));
      expect(ids(resumed.events)).toEqual(ids(all.filter((e) => e.position > BigInt(checkpoint))));
      expectStrictlyIncreasing([...processed, ...resumed.events]);
      // The events written before the restart but not yet processed came first, then the new ones.
      expect(ids(resumed.events.slice(0, before.length - processed.length))).toEqual(ids(before.slice(processed.length)));
      resumed.close();
    } finally {
      await second?.stop();
      if (!firstStopped) await first.stop();
    }
  });

  it("types and categories narrow the feed, alone and together", async () => {
    const org = await createOrganization(test);
    const start = (await test.app.store.headPosition())!.toString();
    const teams = await createTeams(test, org.token, 3);
    for (const teamId of teams) ok(await test.gql(RENAME_TEAM, { input: { teamId, name: `Renamed ${teamId.slice(0, 6)}` } }, org.token));
    await addMember(test, org.token, ["LEARNER"]);
    const lastTeam = await createTeam(test, org.token);

    const byType = openFeed(test.ws(org.token), { after: start, types: ["TeamCreated"] });
    const byCategory = openFeed(test.ws(org.token), { after: start, categories: ["team"] });
    const both = openFeed(test.ws(org.token), { after: start, types: ["TeamRenamed", "UserRegistered"], categories: ["team"] });
    const hasLastTeam = (events: FeedEvent[]) => events.some((e) => e.data.teamId === lastTeam);
    await byType.waitFor(hasLastTeam, "TeamCreated of the last team");
    await byCategory.waitFor(hasLastTeam, "team events up to the last team");
    await both.waitFor((events) => events.length >= teams.length, "the renames");

    const all = await orgEvents(test, org.organizationId, BigInt(start));
    expect(all.some((e) => e.streamName.startsWith("user-"))).toBe(true); // the filters had something to leave out
    expect(ids(byType.events)).toEqual(ids(upToLastDelivered(all.filter((e) => e.type === "TeamCreated"), byType.events)));
    expect(new Set(byType.events.map((e) => e.data.teamId))).toEqual(new Set([...teams, lastTeam]));

    expect(ids(byCategory.events)).toEqual(ids(upToLastDelivered(all.filter((e) => e.streamName.startsWith("team-")), byCategory.events)));
    expect(new Set(byCategory.events.map((e) => e.type))).toEqual(new Set(["TeamCreated", "TeamRenamed"]));

    expect(ids(both.events)).toEqual(ids(all.filter((e) => e.type === "TeamRenamed")));
    expect(both.events.every((e) => e.type === "TeamRenamed" && e.streamName.startsWith("team-"))).toBe(true);
    for (const feed of [byType, byCategory, both]) feed.close();
  });

  it("§0: another organization's events never appear, even interleaved with the caller's", async () => {
    const [a, b] = await Promise.all([createOrganization(test), createOrganization(test)]);
    const start = (await test.app.store.headPosition())!.toString();
    const feedA = openFeed(test.ws(a.token), { after: start });
    const feedB = openFeed(test.ws(b.token), { after: start });
    const teamsA: string[] = [];
    const teamsB: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      const [ta, tb] = await Promise.all([createTeam(test, a.token), createTeam(test, b.token)]);
      teamsA.push(ta);
      teamsB.push(tb);
    }
    const hasAll = (teams: string[]) => (events: FeedEvent[]) => teams.every((id) => events.some((e) => e.data.teamId === id));
    await feedA.waitFor(hasAll(teamsA), "A's teams");
    await feedB.waitFor(hasAll(teamsB), "B's teams");

    const all = await test.app.store.readAll({ after: BigInt(start) });
    const idsOf = (org: Org) => new Set(all.filter((e) => e.metadata.tenantId === org.organizationId).map((e) => e.id));
    const [ofA, ofB] = [idsOf(a), idsOf(b)];
    expect(ofB.size).toBeGreaterThanOrEqual(6);
    expect(feedA.events.filter((e) => ofB.has(e.eventId))).toEqual([]);
    expect(feedB.events.filter((e) => ofA.has(e.eventId))).toEqual([]);
    expect(feedA.events.every((e) => e.metadata.tenantId === a.organizationId)).toBe(true);
    expect(feedB.events.every((e) => e.metadata.tenantId === b.organizationId)).toBe(true);
    expect(ids(feedA.events)).toEqual(ids(upToLastDelivered(await orgEvents(test, a.organizationId, BigInt(start)), feedA.events)));
    expect(ids(feedB.events)).toEqual(ids(upToLastDelivered(await orgEvents(test, b.organizationId, BigInt(start)), feedB.events)));
    feedA.close();
    feedB.close();
  });

  describe("who may subscribe", () => {
    let auditor: Member;
    let others: Record<string, Member>;
    let eventsKey: string;
    let otherKey: string;

    beforeAll(async () => {
      auditor = await addMember(test, admin.token, ["AUDITOR"]);
      const roles = ["LEARNER", "TRAINER", "EMPLOYEE", "MANAGER", "HOST"];
      others = Object.fromEntries(await Promise.all(roles.map(async (role) => [role, await addMember(test, admin.token, [role])] as const)));
      const key = async (scopes: string[]) =>
        ok(await test.gql(CREATE_KEY, { input: { name: scopes.join("+"), scopes } }, admin.token)).createApiKey.secret as string;
      [eventsKey, otherKey] = await Promise.all([key(["EVENTS_READ"]), key(["SESSIONS_READ", "SESSIONS_WRITE", "PEOPLE_READ", "WEBHOOKS_MANAGE"])]);
    });

    it("ADMIN, AUDITOR and an API key with events:read get the organization's events", async () => {
      const start = (await test.app.store.headPosition())!.toString();
      const feeds = [admin.token, auditor.token, eventsKey].map((token) => openFeed(test.ws(token), { after: start }));
      const teamId = await createTeam(test, admin.token);
      for (const feed of feeds) {
        await feed.waitFor((events) => events.some((e) => e.data.teamId === teamId), "the new team");
        expect(feed.events.every((e) => e.metadata.tenantId === admin.organizationId)).toBe(true);
        feed.close();
      }
      // From the start ("0" is the same as no position).
      const fromZero = openFeed(test.ws(auditor.token), { after: "0" });
      const expected = await orgEvents(test, admin.organizationId);
      await fromZero.waitFor((events) => events.length >= expected.length, "the whole history");
      expect(ids(fromZero.events.slice(0, expected.length))).toEqual(ids(expected));
      fromZero.close();
    });

    it("other roles and API keys without events:read are FORBIDDEN; no token is UNAUTHENTICATED", async () => {
      for (const [role, member] of Object.entries(others)) {
        const [error] = await openFeed(test.ws(member.token)).waitForErrors();
        expect(error?.extensions?.code, role).toBe("FORBIDDEN");
      }
      const [keyError] = await openFeed(test.ws(otherKey)).waitForErrors();
      expect(keyError?.extensions?.code).toBe("FORBIDDEN");
      const [anonymous] = await openFeed(test.ws()).waitForErrors();
      expect(anonymous?.extensions?.code).toBe("UNAUTHENTICATED");
    });

    it("an `after` that is not a non-negative 64-bit integer is BAD_USER_INPUT (field after)", async () => {
      for (const after of ["abc", "-1", "18446744073709551616", "1.5", ""]) {
        const [error] = await openFeed(test.ws(admin.token), { after }).waitForErrors();
        expect(error?.extensions?.code, after).toBe("BAD_USER_INPUT");
        expect(error?.extensions?.field, after).toBe("after");
      }
    });

    it("positions up to the largest 64-bit integer are a valid `after` (nothing is after them yet)", async () => {
      // 2^63 is the first position beyond a signed 64-bit integer; 2^64 - 1 the largest unsigned one.
      const far = ["9223372036854775808", "18446744073709551615"].map((after) => openFeed(test.ws(admin.token), { after }));
      const control = openFeed(test.ws(admin.token), { after: (await test.app.store.headPosition())!.toString() });
      const teamId = await createTeam(test, admin.token);
      await control.waitFor((events) => events.some((e) => e.data.teamId === teamId), "the control's team");
      for (const feed of far) {
        expect(feed.errors).toEqual([]);
        expect(feed.completed).toBe(false);
        expect(feed.events).toEqual([]);
        feed.close();
      }
      control.close();
    });
  });

  it("password and key hashes are redacted in the feed's data", async () => {
    const org = await createOrganization(test);
    const created = ok(await test.gql(CREATE_KEY, { input: { name: "integration", scopes: ["EVENTS_READ"] } }, org.token)).createApiKey;
    const recorded = await orgEvents(test, org.organizationId);
    const registered = recorded.find((e) => e.type === "UserRegistered" && e.data.userId === org.userId)!;
    const keyCreated = recorded.find((e) => e.data.secretHash !== undefined)!;
    expect(typeof registered.data.passwordHash).toBe("string");
    expect(registered.data.passwordHash).not.toBe("[redacted]");
    expect(keyCreated).toBeDefined();

    const feed = openFeed(test.ws(created.secret as string));
    await feed.waitFor((events) => events.some((e) => e.eventId === keyCreated.id), "the key's creation");
    const text = JSON.stringify(feed.events);
    expect(feed.events.find((e) => e.eventId === registered.id)!.data.passwordHash).toBe("[redacted]");
    expect(feed.events.find((e) => e.eventId === keyCreated.id)!.data.secretHash).toBe("[redacted]");
    expect(text).not.toContain(registered.data.passwordHash as string);
    expect(text).not.toContain(keyCreated.data.secretHash as string);
    expect(text).not.toContain(created.secret as string);
    feed.close();
  });
});
