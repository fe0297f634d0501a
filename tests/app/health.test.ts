/**
 * /health tells the truth (README, "Using the API" and "Read side"): 503 with the reasons while
 * the projector has crashed (it is restarted with back-off, each restart logged), while a runner
 * or the projector is stopped, and while the read models lag the store by more than
 * HEALTH_MAX_LAG_EVENTS; 200 again once they recover. While the projector is down a mutation
 * is refused with SERVICE_UNAVAILABLE before anything is written; the write that met the crash
 * was recorded and is answered from its decision, never as an error.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pino } from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SqliteEventStore } from "../../src/adapters/event-store/sqlite-event-store.js";
import type { EventStore } from "../../src/domain/shared/event-store.js";
import { teamsProjection } from "../../src/projections/teams.projection.js";
import { createOrganization, ok, refused, startTestServer, type TestServer } from "../support/test-server.js";
import { withSubscriptions } from "../support/store-doubles.js";

const CREATE_TEAM = `mutation ($input: CreateTeamInput!) { createTeam(input: $input) { id name } }`;
const TEAMS = `{ teams { nodes { name } } }`;

const servers: TestServer[] = [];
const cleanups: (() => void)[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const cleanup of cleanups.splice(0)) cleanup();
  for (const server of servers.splice(0)) {
    await server.stop();
    fs.rmSync(server.dataDir, { recursive: true, force: true });
  }
});

async function start(...args: Parameters<typeof startTestServer>): Promise<TestServer> {
  const server = await startTestServer(...args);
  servers.push(server);
  return server;
}

async function health(test: TestServer): Promise<{ status: number; body: Record<string, any> }> {
  const response = await fetch(test.url.replace(/\/graphql$/, "/health"));
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

const teamNames = async (test: TestServer, token: string) =>
  ok(await test.gql(TEAMS, {}, token)).teams.nodes.map((team: { name: string }) => team.name).sort();

/** The store, with its subscriptions held back while paused: the read models fall behind. */
function gated(inner: EventStore) {
  let release: () => void = () => undefined;
  let gate: Promise<void> = Promise.resolve();
  const store = withSubscriptions(inner, (options) => {
    const subscription = inner.subscribe(options);
    return {
      close: () => subscription.close(),
      async *[Symbol.asyncIterator]() {
        for await (const event of subscription) {
          await gate;
          yield event;
        }
      },
    };
  });
  return {
    store,
    pause: () => void (gate = new Promise((resolve) => (release = resolve))),
    resume: () => release(),
  };
}

describe("GET /health", () => {
  it("is 200 with the positions when everything runs and the read models are caught up", async () => {
    const test = await start();
    await createOrganization(test);
    const { status, body } = await health(test);
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: "ok", reasons: [], lag: 0, projector: { status: "running", restarts: 0 } });
    expect(body.readModelPosition).toBe(body.headPosition);
  });

  it("a crashed projector: 503 and mutations refused with nothing written, restarted with back-off, then 200 again", async () => {
    const lines: string[] = [];
    const logger = pino({ level: "info" }, { write: (line: string) => void lines.push(line) });
    const test = await start({}, { logger, projectorRestart: { initialDelayMs: 100, maxDelayMs: 200 } });
    const admin = await createOrganization(test);

    const broken = vi.spyOn(teamsProjection, "apply").mockImplementation(() => {
      throw new Error("a projection bug");
    });
    // The write that meets the crash was recorded: it is answered from its decision, not as an error.
    const team = ok(await test.gql(CREATE_TEAM, { input: { name: "Before the crash" } }, admin.token)).createTeam;
    expect(team.name).toBe("Before the crash");

    const down = await health(test);
    expect(down.status).toBe(503);
    expect(down.body.status).toBe("unavailable");
    expect(down.body.reasons).toEqual([expect.stringMatching(/projector failed.*a projection bug/)]);

    const head = await test.app.store.headPosition();
    const error = refused(await test.gql(CREATE_TEAM, { input: { name: "While down", idempotencyKey: "k-1" } }, admin.token));
    expect(error.code).toBe("SERVICE_UNAVAILABLE");
    expect(error.message).toContain("nothing was recorded");
    expect(await test.app.store.headPosition()).toBe(head);

    await expect.poll(() => lines.filter((line) => line.includes("projector restarted")).length, { timeout: 5_000 }).toBeGreaterThanOrEqual(2);
    expect(lines.filter((line) => line.includes("projector failed; restarting it")).length).toBeGreaterThanOrEqual(2);
    expect((await health(test)).status).toBe(503);

    broken.mockRestore();
    await expect.poll(async () => (await health(test)).status, { timeout: 5_000 }).toBe(200);
    expect(test.app.projector.failures.restarts).toBeGreaterThanOrEqual(2);
    expect(await teamNames(test, admin.token)).toEqual(["Before the crash"]);
    ok(await test.gql(CREATE_TEAM, { input: { name: "After the restart", idempotencyKey: "k-1" } }, admin.token));
    expect(await teamNames(test, admin.token)).toEqual(["After the restart", "Before the crash"]);
  });

  it("lagging beyond HEALTH_MAX_LAG_EVENTS: 503 while behind, 200 once caught up", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "health-lag-"));
    const inner = SqliteEventStore.open(path.join(dataDir, "events.sqlite"));
    const { store, pause, resume } = gated(inner);
    cleanups.push(resume);
    const test = await start({ DATA_DIR: dataDir, HEALTH_MAX_LAG_EVENTS: "3", READ_YOUR_WRITES_TIMEOUT_MS: "100" }, { store });
    const admin = await createOrganization(test);
    expect((await health(test)).status).toBe(200);

    pause();
    for (const name of ["One", "Two", "Three"]) ok(await test.gql(CREATE_TEAM, { input: { name } }, admin.token));
    expect((await health(test)).status).toBe(200); // 3 behind: within the bound
    ok(await test.gql(CREATE_TEAM, { input: { name: "Four" } }, admin.token));
    const behind = await health(test);
    expect(behind.status).toBe(503);
    expect(behind.body).toMatchObject({
      status: "unavailable",
      lag: 4,
      reasons: ["the read models are more than 3 events behind the event store"],
      projector: { status: "running" },
    });

    resume();
    await expect.poll(async () => (await health(test)).body, { timeout: 5_000 }).toMatchObject({ status: "ok", lag: 0 });
    expect(await teamNames(test, admin.token)).toEqual(["Four", "One", "Three", "Two"]);
  });

  it("a stopped side-effect runner, workflow runner or projector: 503 naming it", async () => {
    const test = await start();
    await test.app.sideEffectRunner.stop();
    expect(await health(test)).toMatchObject({ status: 503, body: { reasons: ["the side-effect runner stopped"] } });
    await test.app.workflowRunner.stop();
    expect((await health(test)).body.reasons).toEqual(["the side-effect runner stopped", "the workflow runner stopped"]);
    await test.app.projector.stop();
    expect((await health(test)).body.reasons).toContain("the projector is stopped");
  });
});
