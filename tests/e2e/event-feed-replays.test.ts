/**
 * Replays of the integrator feed (`subscription events`, N2) are bounded and paged, over real
 * WebSockets against a history of 20 000 events (mostly another organization's, which the feed
 * reads and skips):
 * - a caller opening more concurrent replays than MAX_REPLAYS_PER_CALLER is refused at once with
 *   TOO_MANY_REPLAYS, while its other replays (and another caller's) proceed to the end; once a
 *   replay has caught up, its slot is free again;
 * - while a long replay runs, an HTTP query is answered before the replay is over (the feed has
 *   not yet delivered every event when the answer arrives): the replay yields to the event loop.
 * No timing assertions: every wait is bounded and only waits for what must arrive.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashEvent } from "../../src/domain/shared/event-metadata.js";
import type { EventToAppend } from "../../src/domain/shared/event-store.js";
import { type Feed, openFeed } from "../support/feed-client.js";
import { type Member, type TestServer, addMember, createOrganization, startTestServer } from "../support/test-server.js";

type Org = Awaited<ReturnType<typeof createOrganization>>;

const CHUNKS = 40;
const OTHERS_PER_CHUNK = 500;

let test: TestServer;
let org: Org;
let auditor: Member;
/** How many events of `org` the store holds once the history is written. */
let orgHistory: number;

/** `count` events of a made-up stream with well-formed metadata (hash chain included). */
function probeStream(organizationId: string, actorId: string, count: number): { streamName: string; events: EventToAppend[] } {
  const streamName = `replayprobe-${randomUUID()}`;
  const events: EventToAppend[] = [];
  let previousEventHash: string | null = null;
  for (let i = 0; i < count; i += 1) {
    const event: EventToAppend = {
      id: randomUUID(),
      type: "ReplayProbeRecorded",
      data: { n: i },
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
    previousEventHash = hashEvent({ ...event, streamName, revision: BigInt(i) });
    events.push(event);
  }
  return { streamName, events };
}

beforeAll(async () => {
  test = await startTestServer({ MAX_REPLAYS_PER_CALLER: "2", MAX_REPLAYS: "5", REPLAY_PAGE_SIZE: "100" });
  org = await createOrganization(test);
  const other = await createOrganization(test);
  auditor = await addMember(test, org.token, ["AUDITOR"]);
  // 40 × (500 events of the other organization, then 1 of ours).
  for (let chunk = 0; chunk < CHUNKS; chunk += 1) {
    for (const [organizationId, actorId, count] of [
      [other.organizationId, other.userId, OTHERS_PER_CHUNK],
      [org.organizationId, org.userId, 1],
    ] as const) {
      const { streamName, events } = probeStream(organizationId, actorId, count);
      await test.app.store.appendToStream(streamName, events, { expectedRevision: "no_stream" });
    }
  }
  orgHistory = (await test.app.store.readAll()).filter((e) => e.metadata.tenantId === org.organizationId).length;
  // The read models have it all before a feed starts (their own catch-up is not what is measured).
  const head = (await test.app.store.headPosition())!;
  while (!(await test.app.caughtUp(head)));
}, 120_000);

afterAll(async () => {
  await test?.stop(); // disposes every client made with test.ws
});

const replayed = (feed: Feed) => feed.waitFor((events) => events.length >= orgHistory, "the whole replay", 60_000);

describe("events: concurrent replays are bounded per caller", () => {
  it("a third concurrent replay of one caller is refused with TOO_MANY_REPLAYS; the others, and another caller's, run to the end", async () => {
    const client = test.ws(org.token);
    const feeds = [0, 1, 2].map(() => openFeed(client, { after: "0" }));
    const auditorFeed = openFeed(test.ws(auditor.token), { after: "0" });

    await until(() => feeds.some((feed) => feed.errors.length > 0), "a refusal");
    const refusedFeeds = feeds.filter((feed) => feed.errors.length > 0);
    expect(refusedFeeds).toHaveLength(1);
    const [error] = refusedFeeds[0]!.errors;
    expect(error!.extensions?.code).toBe("TOO_MANY_REPLAYS");
    expect(error!.extensions?.limit).toBe(2);
    expect(error!.message).toMatch(/replays/);
    expect(refusedFeeds[0]!.events).toEqual([]);

    const running = feeds.filter((feed) => feed.errors.length === 0);
    await Promise.all([...running, auditorFeed].map(replayed));
    for (const feed of [...running, auditorFeed]) {
      expect(feed.errors).toEqual([]);
      expect(feed.events).toHaveLength(orgHistory);
      expect(feed.events.filter((e) => e.type === "ReplayProbeRecorded")).toHaveLength(CHUNKS);
    }

    // Caught up, they are live feeds: their slots are free again.
    const again = openFeed(test.ws(org.token), { after: "0" });
    await replayed(again);
    expect(again.errors).toEqual([]);
    for (const feed of [...feeds, auditorFeed, again]) feed.close();
  });
});

describe("events: a long replay does not hold up other requests", () => {
  it("an HTTP query is answered while the replay is still running", async () => {
    const feed = openFeed(test.ws(org.token), { after: "0" });
    await feed.waitFor((events) => events.length > 0, "the replay's first events");

    const answer = await test.gql(`{ __typename }`);
    const deliveredWhenAnswered = feed.events.length;
    expect(answer.data).toEqual({ __typename: "Query" });
    expect(deliveredWhenAnswered).toBeLessThan(orgHistory);

    await replayed(feed);
    expect(feed.errors).toEqual([]);
    feed.close();
  });
});

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
