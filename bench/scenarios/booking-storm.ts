import { createSignedInLearners, inBatches } from "../../tests/support/many-users.js";
import { createReadySession } from "../../tests/support/session-setup.js";
import { createOrganization, ok, startTestServer, type TestServer } from "../../tests/support/test-server.js";
import { percentile, round, timed, type Figure } from "../measure.js";

const SCENARIO = "booking storm (GraphQL over HTTP)";
const REGISTER = `mutation ($input: RegisterForSessionInput!) { registerForSession(input: $input) { id status } }`;
const PLAN = `mutation ($input: ChangeSessionStatusInput!) { planSession(input: $input) { id } }`;

interface Outcome {
  status: string;
  ms: number;
}

async function openSession(test: TestServer, token: string, name: string, max: number): Promise<string> {
  const sessionId = await createReadySession(test, token, {
    name,
    min: 1,
    max,
    startsAt: "2030-06-01T09:00:00Z",
    endsAt: "2030-06-01T17:00:00Z",
  });
  ok(await test.gql(PLAN, { input: { sessionId } }, token));
  return sessionId;
}

/** Every user's registerForSession sent at once; latency measured per request. */
async function storm(test: TestServer, calls: { token: string; sessionId: string }[]): Promise<{ outcomes: Outcome[]; seconds: number }> {
  const { result, seconds } = await timed(() =>
    Promise.all(
      calls.map(async ({ token, sessionId }) => {
        const started = performance.now();
        const response = await test.gql<{ registerForSession: { status: string } }>(REGISTER, { input: { sessionId } }, token);
        const ms = performance.now() - started;
        if (response.errors?.length) return { status: `error ${String(response.errors[0]!.extensions?.code)}`, ms };
        return { status: response.data!.registerForSession.status, ms };
      }),
    ),
  );
  return { outcomes: result, seconds };
}

function latencies(outcomes: Outcome[]) {
  const sorted = outcomes.map((o) => o.ms).sort((a, b) => a - b);
  return { p50Ms: round(percentile(sorted, 50), 1), p95Ms: round(percentile(sorted, 95), 1), p99Ms: round(percentile(sorted, 99), 1) };
}

function count(outcomes: Outcome[], status: string): number {
  return outcomes.filter((o) => o.status === status).length;
}

export async function bookingStorm(options: { quick: boolean }): Promise<Figure[]> {
  const users = options.quick ? 300 : 2_000;
  const seats = 100;
  const test = await startTestServer({ LOG_LEVEL: "silent" });
  try {
    const admin = await createOrganization(test);
    const learners = await createSignedInLearners(test, admin, users, { concurrency: 50 });

    const sessionId = await openSession(test, admin.token, "Storm", seats);
    const one = await storm(test, learners.map((l) => ({ token: l.token, sessionId })));
    const registered = count(one.outcomes, "REGISTERED");
    const waitlisted = count(one.outcomes, "WAITLISTED");
    if (registered !== seats || waitlisted !== users - seats) {
      throw new Error(`booking storm oversold or lost people: ${registered} registered, ${waitlisted} waitlisted of ${users}`);
    }

    const sessions = await inBatches(
      Array.from({ length: 50 }, (_, i) => i),
      10,
      (i) => openSession(test, admin.token, `Spread ${i}`, seats),
    );
    const spread = await storm(
      test,
      learners.map((l, i) => ({ token: l.token, sessionId: sessions[i % sessions.length]! })),
    );
    const spreadRegistered = count(spread.outcomes, "REGISTERED");
    const expected = Math.min(users, sessions.length * seats);
    if (spreadRegistered !== expected) {
      throw new Error(`booking storm over 50 sessions: ${spreadRegistered} registered, expected ${expected}`);
    }
    return [
      {
        scenario: SCENARIO,
        case: `${users} users, one session of ${seats} seats`,
        value: round(users / one.seconds),
        unit: "registrations/s",
        details: { registered, waitlisted, ...latencies(one.outcomes) },
      },
      {
        scenario: SCENARIO,
        case: `${users} users spread over 50 sessions of ${seats} seats`,
        value: round(users / spread.seconds),
        unit: "registrations/s",
        details: { registered: spreadRegistered, ...latencies(spread.outcomes) },
      },
    ];
  } finally {
    await test.stop();
  }
}
