import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createSignedInLearners, inBatches } from "../../tests/support/many-users.js";
import { createReadySession } from "../../tests/support/session-setup.js";
import { createOrganization, ok, startTestServer, type TestServer } from "../../tests/support/test-server.js";
import { runNode } from "../child-process.js";
import { percentile, round, type BenchOptions, type Figure } from "../measure.js";

const SCENARIO = "booking storm (GraphQL over HTTP)";
const REGISTER = `mutation ($input: RegisterForSessionInput!) { registerForSession(input: $input) { id status } }`;
const PLAN = `mutation ($input: ChangeSessionStatusInput!) { planSession(input: $input) { id } }`;

interface Outcome {
  status: string;
  ms: number;
}

async function openSession(test: TestServer, token: string, name: string, max: number): Promise<string> {
  const sessionId = await createReadySession(test, token, { name, min: 1, max });
  ok(await test.gql(PLAN, { input: { sessionId } }, token));
  return sessionId;
}

/** Every user's registerForSession sent at once from a separate process; latency measured per request. */
async function storm(test: TestServer, calls: { token: string; sessionId: string }[]): Promise<{ outcomes: Outcome[]; seconds: number }> {
  const file = path.join(os.tmpdir(), `bench-storm-${process.pid}.json`);
  fs.writeFileSync(file, JSON.stringify({ url: test.url, mutation: REGISTER, calls: calls.map(({ token, sessionId }) => ({ token, variables: { input: { sessionId } } })) }));
  try {
    const result = await runNode(["bench/children/storm-clients.mjs", file]);
    if (result.code !== 0) throw new Error(`the storm's clients failed: ${result.stderr}`);
    return JSON.parse(result.stdout) as { outcomes: Outcome[]; seconds: number };
  } finally {
    fs.rmSync(file, { force: true });
  }
}

/** What the API says afterwards, not just what the callers were told. */
async function seatCounts(test: TestServer, token: string, sessionId: string): Promise<{ registeredCount: number; waitlistedCount: number }> {
  const data = ok(
    await test.gql<{ session: { registeredCount: number; waitlistedCount: number } }>(
      `query ($id: ID!) { session(id: $id) { registeredCount waitlistedCount } }`,
      { id: sessionId },
      token,
    ),
  );
  return data.session;
}

function latencies(outcomes: Outcome[]) {
  const sorted = outcomes.map((o) => o.ms).sort((a, b) => a - b);
  return { p50Ms: round(percentile(sorted, 50), 1), p95Ms: round(percentile(sorted, 95), 1), p99Ms: round(percentile(sorted, 99), 1) };
}

function count(outcomes: Outcome[], status: string): number {
  return outcomes.filter((o) => o.status === status).length;
}

export async function bookingStorm(options: BenchOptions): Promise<Figure[]> {
  const users = options.users ?? (options.quick ? 300 : 2_000);
  const seats = 100;
  const test = await startTestServer({ LOG_LEVEL: "silent" });
  try {
    const admin = await createOrganization(test);
    const learners = await createSignedInLearners(test, admin, users, { concurrency: 50 });

    const sessionId = await openSession(test, admin.token, "Storm", seats);
    const one = await storm(test, learners.map((l) => ({ token: l.token, sessionId })));
    const registered = count(one.outcomes, "REGISTERED");
    const waitlisted = count(one.outcomes, "WAITLISTED");
    const counted = await seatCounts(test, admin.token, sessionId);
    if (registered !== seats || waitlisted !== users - seats || counted.registeredCount !== seats || counted.waitlistedCount !== users - seats) {
      throw new Error(
        `booking storm oversold or lost people: callers were told ${registered} registered, ${waitlisted} waitlisted of ${users}; ` +
          `the session shows ${counted.registeredCount} registered, ${counted.waitlistedCount} waitlisted`,
      );
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
