/**
 * The booking storm's clients, in their own process so their HTTP work does not share the
 * server's CPU: `node bench/children/storm-clients.mjs <calls.json>` where the file holds
 * { url, mutation, calls: [{ token, variables }] }. Every call is sent at once; prints one JSON
 * line: { seconds, outcomes: [{ status, ms }] } (status: the mutation's status or "error CODE").
 */
import fs from "node:fs";

const { url, mutation, calls } = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
// fetch's default agent opens as many connections as there are requests in flight, as that
// many browsers would.

async function call({ token, variables }) {
  const started = performance.now();
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: mutation, variables }),
  });
  const json = await response.json();
  const ms = performance.now() - started;
  if (json.errors?.length) return { status: `error ${json.errors[0].extensions?.code}`, ms };
  return { status: Object.values(json.data)[0].status, ms };
}

const started = performance.now();
const outcomes = await Promise.all(calls.map(call));
process.stdout.write(`${JSON.stringify({ seconds: (performance.now() - started) / 1000, outcomes })}\n`);
