/**
 * Scenario 4: the `sessions` connection (20 per page, assignee and participant counts) under load
 * from a separate process (autocannon), next to `{ __typename }` on the same server: the ratio
 * says how close the real query gets to the server's own ceiling.
 */
import type { AcademyHistory } from "../dataset/academy-history.js";
import { runNode } from "../child-process.js";
import { round, type Figure } from "../measure.js";
import type { RunningServer } from "./start-up.js";

export const READS_SCENARIO = "reads (autocannon, separate process)";

/** What a session list screen asks for on every page (a total is asked once, see pageBodies). */
const SESSIONS_PAGE = `query SessionsPage($after: String) {
  sessions(first: 20, after: $after) {
    pageInfo { endCursor hasNextPage }
    nodes {
      id name status category
      schedule { startsAt endsAt timezone }
      assignee { id displayName }
      registeredCount waitlistedCount availableSeats
    }
  }
}`;

interface Page {
  sessions: {
    pageInfo: { endCursor: string | null; hasNextPage: boolean };
    nodes: { assignee: { id: string } | null }[];
  };
}

interface Load {
  requests: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

async function post<T>(url: string, token: string, body: string): Promise<T> {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, body });
  const json = (await response.json()) as { data?: T; errors?: unknown[] };
  if (json.errors?.length || !json.data) throw new Error(`reads: ${body.slice(0, 60)}… answered ${JSON.stringify(json.errors)}`);
  return json.data;
}

async function signIn(url: string, history: AcademyHistory): Promise<string> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      query: `mutation ($input: SignInInput!) { signIn(input: $input) { token } }`,
      variables: { input: { email: history.adminEmail, password: history.adminPassword } },
    }),
  });
  const json = (await response.json()) as { data?: { signIn: { token: string } }; errors?: unknown[] };
  if (!json.data) throw new Error(`reads: sign-in failed: ${JSON.stringify(json.errors)}`);
  return json.data.signIn.token;
}

/** The first five pages, each checked once: full pages, every assignee resolved, the right total. */
async function pageBodies(url: string, token: string, history: AcademyHistory): Promise<string[]> {
  const total = await post<{ sessions: { totalCount: number } }>(url, token, JSON.stringify({ query: "{ sessions { totalCount } }" }));
  if (total.sessions.totalCount !== history.sessions) {
    throw new Error(`reads: sessions.totalCount is ${total.sessions.totalCount}; the history has ${history.sessions}`);
  }
  const bodies: string[] = [];
  let after: string | null = null;
  for (let page = 0; page < 5; page++) {
    const body: string = JSON.stringify({ query: SESSIONS_PAGE, variables: { after } });
    const data: Page = await post<Page>(url, token, body);
    if (data.sessions.nodes.length !== 20 || data.sessions.nodes.some((node) => node.assignee === null)) {
      throw new Error(`reads: page ${page + 1} is not 20 sessions with their assignees`);
    }
    bodies.push(body);
    after = data.sessions.pageInfo.endCursor;
  }
  return bodies;
}

async function load(url: string, token: string, bodies: string[], durationSeconds: number): Promise<Load> {
  const result = await runNode(["bench/children/http-load.mjs", JSON.stringify({ url, token, bodies, connections: 10, durationSeconds })]);
  if (result.code !== 0) throw new Error(`autocannon failed: ${result.stderr}`);
  const measured = JSON.parse(result.stdout) as Load;
  if (measured.errors > 0) throw new Error(`reads: ${measured.errors} of ${measured.requests} requests failed or answered errors`);
  return measured;
}

export async function reads(history: AcademyHistory, server: RunningServer, options: { quick: boolean }): Promise<Figure[]> {
  const token = await signIn(server.url, history);
  const typename = [JSON.stringify({ query: "{ __typename }" })];
  await post(server.url, token, typename[0]!);
  const pages = await pageBodies(server.url, token, history);
  const seconds = options.quick ? 2 : 15;
  // Warm-up: the first requests compile code paths (JIT) and fill caches.
  await load(server.url, token, typename, options.quick ? 1 : 3);
  await load(server.url, token, pages, options.quick ? 1 : 3);
  const ceiling = await load(server.url, token, typename, seconds);
  const sessions = await load(server.url, token, pages, seconds);
  const details = (l: Load) => ({ requests: l.requests, p50Ms: l.p50Ms, p99Ms: l.p99Ms, connections: 10, seconds });
  return [
    { scenario: READS_SCENARIO, case: "{ __typename } (the server's ceiling)", value: round(ceiling.requestsPerSecond), unit: "requests/s", details: details(ceiling) },
    {
      scenario: READS_SCENARIO,
      case: `sessions, 20 per page with assignee and counts, ${history.sessions.toLocaleString("en-US")} sessions`,
      value: round(sessions.requestsPerSecond),
      unit: "requests/s",
      details: details(sessions),
    },
    {
      scenario: READS_SCENARIO,
      case: "sessions page ÷ { __typename }",
      value: round(sessions.requestsPerSecond / ceiling.requestsPerSecond, 3),
      unit: "ratio",
      details: { p99Ratio: round(sessions.p99Ms / Math.max(ceiling.p99Ms, 1), 2) },
    },
  ];
}
