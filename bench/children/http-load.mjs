/**
 * The load generator for the reads scenario, run as its own process so it does not share the
 * server's event loop: `node bench/children/http-load.mjs '<json options>'` prints one JSON line.
 * Options: { url, token, bodies: string[], connections, durationSeconds }. Each connection cycles
 * through `bodies`; a response with GraphQL errors counts as a mismatch.
 */
import autocannon from "autocannon";

const options = JSON.parse(process.argv[2]);
const result = await autocannon({
  url: options.url,
  method: "POST",
  headers: { "content-type": "application/json", authorization: `Bearer ${options.token}` },
  requests: options.bodies.map((body) => ({ method: "POST", body })),
  connections: options.connections,
  duration: options.durationSeconds,
  verifyBody: (body) => body.startsWith('{"data"') && !body.includes('"errors"'),
});
process.stdout.write(
  `${JSON.stringify({
    requests: result.requests.total,
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx + result.mismatches,
  })}\n`,
);
