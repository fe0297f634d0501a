/**
 * `sessionStatusChanged` over a real WebSocket (graphql-ws): a subscriber gets its own
 * organization's status changes in order, never another organization's, and an
 * unauthenticated subscription is refused with UNAUTHENTICATED.
 */
import type { Client, FormattedExecutionResult } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TokenService } from "../../src/adapters/auth/tokens.js";
import { createReadySession } from "../support/session-setup.js";
import { type TestServer, createOrganization, ok, startTestServer } from "../support/test-server.js";

type Org = Awaited<ReturnType<typeof createOrganization>>;
type Change = {
  sessionId: string;
  previousStatus: string;
  status: string;
  reason: string | null;
  changedBy: string;
  changedAt: string;
  position: string;
  session: { id: string; status: string; name: string };
};

const SUBSCRIPTION = `subscription {
  sessionStatusChanged {
    sessionId previousStatus status reason changedBy changedAt position
    session { id status name }
  }
}`;

const MARK_LEAD = `mutation ($input: ChangeSessionStatusInput!) { markSessionAsLead(input: $input) { status } }`;
const PLAN = `mutation ($input: ChangeSessionStatusInput!) { planSession(input: $input) { status } }`;
const CONFIRM = `mutation ($input: ConfirmSessionInput!) { confirmSession(input: $input) { status } }`;
const CANCEL = `mutation ($input: CancelSessionInput!) { cancelSession(input: $input) { status } }`;
const EDIT = `mutation ($input: EditSessionDetailsInput!) { editSessionDetails(input: $input) { id } }`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Everything one subscription delivered, as it arrives. */
interface Collector {
  results: FormattedExecutionResult<{ sessionStatusChanged: Change }, unknown>[];
  errors: unknown[];
  completed: boolean;
  changes(): Change[];
  /** Resolves once `count` results arrived (or the subscription ended); fails after `timeoutMs`. */
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  unsubscribe(): void;
}

function collect(client: Client, query = SUBSCRIPTION): Collector {
  const collector: Collector = {
    results: [],
    errors: [],
    completed: false,
    changes: () => collector.results.map((r) => r.data?.sessionStatusChanged).filter((c): c is Change => Boolean(c)),
    async waitFor(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (collector.results.length < count && !collector.completed && collector.errors.length === 0) {
        if (Date.now() > deadline) {
          throw new Error(`Waited ${timeoutMs} ms for ${count} results; got ${JSON.stringify(collector.results)}`);
        }
        await sleep(10);
      }
    },
    unsubscribe: () => undefined,
  };
  collector.unsubscribe = client.subscribe<{ sessionStatusChanged: Change }>(
    { query },
    {
      next: (result) => void collector.results.push(result),
      error: (error) => void collector.errors.push(error),
      complete: () => void (collector.completed = true),
    },
  );
  return collector;
}

/** The GraphQL errors a refused subscription reported, whether as a result or as the sink's error. */
function subscriptionErrors(collector: Collector): { message: string; extensions?: Record<string, unknown> }[] {
  const fromResults = collector.results.flatMap((r) => r.errors ?? []);
  const fromError = collector.errors.flatMap((e) => (Array.isArray(e) ? e : []));
  return [...fromResults, ...fromError] as { message: string; extensions?: Record<string, unknown> }[];
}

let test: TestServer;
let orgA: Org;
let orgB: Org;
let subscriberA: Collector;
let secondSubscriberA: Collector;
let subscriberB: Collector;
let sessionA: string;
let startedAt: number;

async function change(query: string, token: string, input: Record<string, unknown>) {
  return ok(await test.gql(query, { input }, token));
}

beforeAll(async () => {
  test = await startTestServer();
  orgA = await createOrganization(test);
  orgB = await createOrganization(test);
  subscriberA = collect(test.ws(orgA.token));
  secondSubscriberA = collect(test.ws(orgA.token));
  subscriberB = collect(test.ws(orgB.token));
  // Let the connections be acknowledged and the subscriptions registered before anything changes.
  await sleep(300);
  startedAt = test.clock.now().getTime();
});

afterAll(async () => {
  for (const collector of [subscriberA, secondSubscriberA, subscriberB]) collector?.unsubscribe();
  await test?.stop(); // disposes every client made with test.ws
});

describe("sessionStatusChanged", () => {
  it("delivers an organization's transitions in order, with who, why, position and the new session", async () => {
    sessionA = await createReadySession(test, orgA.token, { name: "Subscribed session" });
    // A non-status change: not a status event, so never delivered.
    await change(EDIT, orgA.token, { sessionId: sessionA, summary: "Edited before the transitions" });
    expect((await change(MARK_LEAD, orgA.token, { sessionId: sessionA, reason: "Requested by a client" })).markSessionAsLead.status).toBe("LEAD");
    expect((await change(PLAN, orgA.token, { sessionId: sessionA, reason: "Validated by the academy" })).planSession.status).toBe("PLANNED");
    expect((await change(CONFIRM, orgA.token, { sessionId: sessionA })).confirmSession.status).toBe("CONFIRMED");
    expect((await change(CANCEL, orgA.token, { sessionId: sessionA, reason: "Trainer is ill" })).cancelSession.status).toBe("CANCELED");

    await subscriberA.waitFor(4);
    await sleep(100); // anything extra would arrive by now
    expect(subscriberA.errors).toEqual([]);
    expect(subscriberA.results.every((r) => r.errors === undefined)).toBe(true);
    const changes = subscriberA.changes();
    expect(changes.map((c) => [c.previousStatus, c.status, c.reason])).toEqual([
      ["DRAFT", "LEAD", "Requested by a client"],
      ["LEAD", "PLANNED", "Validated by the academy"],
      ["PLANNED", "CONFIRMED", "VALIDATED_BY_OWNER"],
      ["CONFIRMED", "CANCELED", "Trainer is ill"],
    ]);
    for (const c of changes) {
      expect(c.sessionId).toBe(sessionA);
      expect(c.changedBy).toBe(orgA.userId);
      expect(c.session).toEqual({ id: sessionA, status: c.status, name: "Subscribed session" });
      expect(Date.parse(c.changedAt)).toBeGreaterThanOrEqual(startedAt - 1000);
      expect(Date.parse(c.changedAt)).toBeLessThanOrEqual(test.clock.now().getTime() + 1000);
    }
    const positions = changes.map((c) => BigInt(c.position));
    for (let i = 1; i < positions.length; i++) expect(positions[i]! > positions[i - 1]!).toBe(true);

    // The positions are those of the status events in the log.
    const logged = (await test.app.store.readAll())
      .filter((e) => e.streamName === `session-${sessionA}` && /^Session(MarkedAsLead|Planned|Confirmed|Canceled)$/.test(e.type))
      .map((e) => e.position);
    expect(positions).toEqual(logged);
  });

  it("delivers the same changes to every subscriber of the organization", async () => {
    await secondSubscriberA.waitFor(4);
    expect(secondSubscriberA.changes()).toEqual(subscriberA.changes());
  });

  it("a subscriber of another organization receives none of them, only its own", async () => {
    // Subscribed since before the first organization's changes: had any leaked, they would come first.
    const sessionB = await createReadySession(test, orgB.token, { name: "Other academy's session" });
    await change(MARK_LEAD, orgB.token, { sessionId: sessionB, reason: "Own change" });

    await subscriberB.waitFor(1);
    await sleep(150);
    expect(subscriberB.errors).toEqual([]);
    expect(subscriberB.changes()).toHaveLength(1);
    expect(subscriberB.changes()[0]).toMatchObject({
      sessionId: sessionB,
      previousStatus: "DRAFT",
      status: "LEAD",
      reason: "Own change",
      changedBy: orgB.userId,
      session: { id: sessionB, status: "LEAD", name: "Other academy's session" },
    });
    expect(JSON.stringify(subscriberB.results)).not.toContain(sessionA);

    // …and the first organization's subscribers did not receive the second's change.
    expect(subscriberA.changes()).toHaveLength(4);
    expect(JSON.stringify(subscriberA.results)).not.toContain(sessionB);
  });

  it("a subscriber that unsubscribed gets nothing more; the others keep receiving", async () => {
    secondSubscriberA.unsubscribe();
    const sessionId = await createReadySession(test, orgA.token, { name: "After unsubscribe" });
    await change(PLAN, orgA.token, { sessionId });
    await subscriberA.waitFor(5);
    await sleep(100);
    expect(subscriberA.changes().at(-1)).toMatchObject({ sessionId, previousStatus: "DRAFT", status: "PLANNED" });
    expect(secondSubscriberA.changes()).toHaveLength(4);
  });
});

describe("unauthenticated subscriptions", () => {
  const cases: { title: string; token: () => Promise<string | undefined> }[] = [
    { title: "no token", token: async () => undefined },
    { title: "garbage token", token: async () => "garbage.token.value" },
    {
      title: "token signed with another secret",
      token: async () =>
        (
          await new TokenService("a-completely-different-secret-of-48-characters!!", 3600, test.clock).issue(
            { userId: orgA.userId, organizationId: orgA.organizationId, signInId: null },
            test.clock.now(),
          )
        ).token,
    },
  ];

  it.each(cases)("$title: refused with UNAUTHENTICATED and receives no changes", async ({ token }) => {
    const collector = collect(test.ws(await token()));
    await collector.waitFor(1);
    // Whatever arrives, it is an error and never data; the subscription then ends.
    const errors = subscriptionErrors(collector);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]!.extensions?.code).toBe("UNAUTHENTICATED");
    expect(errors[0]!.message).toMatch(/sign in|token/i);
    expect(errors[0]!.extensions).not.toHaveProperty("stacktrace");
    expect(collector.changes()).toEqual([]);

    // A change made now must not reach it.
    const sessionId = await createReadySession(test, orgA.token, { name: "Not for strangers" });
    await change(MARK_LEAD, orgA.token, { sessionId });
    await sleep(150);
    expect(collector.changes()).toEqual([]);
    expect(collector.completed || collector.errors.length > 0).toBe(true);
  });

  it("through client.iterate the refusal is reported too", async () => {
    const client = test.ws();
    const outcomes: unknown[] = [];
    try {
      for await (const result of client.iterate({ query: SUBSCRIPTION })) {
        outcomes.push(result);
        if (outcomes.length >= 3) break;
      }
    } catch (error) {
      outcomes.push({ errors: error });
    }
    expect(outcomes).toHaveLength(1);
    const [outcome] = outcomes as { data?: unknown; errors: { extensions?: { code?: string } }[] }[];
    expect(outcome!.data ?? null).toBeNull();
    expect(outcome!.errors[0]!.extensions?.code).toBe("UNAUTHENTICATED");
  });
});

describe("validation over WebSocket", () => {
  it("a too-deep operation is refused with QUERY_TOO_DEEP before it runs", async () => {
    const deep = `query { __schema { types { fields { type { ${"ofType { ".repeat(12)}name${" }".repeat(12)} } } } } }`;
    const collector = collect(test.ws(orgA.token), deep);
    await collector.waitFor(1);
    const errors = subscriptionErrors(collector);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.extensions?.code).toBe("QUERY_TOO_DEEP");
    expect(errors[0]!.message).toMatch(/deep/);
    expect(collector.results.some((r) => r.data)).toBe(false);
  });
});
