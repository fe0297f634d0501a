/**
 * A read-model file belongs to one process (README, "Read side"): a second server on the same
 * file refuses to start with a message naming the holder, whether it is another app in this
 * process or another process; a replica on the same event store with its own READ_MODELS_DIR
 * works; and the lock dies with its process (SIGKILL leaves no stale lock).
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import { ReadModelsInUseError } from "../../src/projections/read-model-lock.js";
import { createOrganization, ok, startTestServer, type TestServer } from "../support/test-server.js";

const CREATE_TEAM = `mutation ($input: CreateTeamInput!) { createTeam(input: $input) { id name } }`;
const TEAMS = `{ teams { nodes { name } } }`;

const servers: TestServer[] = [];
const dirs: string[] = [];
const children: ChildProcess[] = [];
afterEach(async () => {
  // A child that should have exited but did not (a failing test) must not outlive the suite.
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  for (const server of servers.splice(0)) await server.stop();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

async function start(env: Record<string, string> = {}): Promise<TestServer> {
  const server = await startTestServer(env);
  servers.push(server);
  if (!env.DATA_DIR) dirs.push(server.dataDir);
  return server;
}

function tempDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

/** `npm start` in a child process on `env`: resolves with how it ended, or when `until` shows in its output. */
function runServer(env: Record<string, string>, until?: RegExp) {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "info", NODE_ENV: "test", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  const ended = new Promise<{ code: number | null; output: string }>((resolve) => {
    child.on("exit", (code) => resolve({ code, output }));
  });
  const seen = new Promise<void>((resolve) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (until?.test(output)) resolve();
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
  });
  return { child, ended, seen };
}

describe("READ_MODELS_DIR and HEALTH_MAX_LAG_EVENTS", () => {
  it("READ_MODELS_DIR defaults to DATA_DIR; HEALTH_MAX_LAG_EVENTS to 1000 and must be a whole number", () => {
    const defaults = loadConfig({ DATA_DIR: "/srv/data" });
    expect(defaults.readModelsDir).toBe(path.resolve("/srv/data"));
    expect(defaults.healthMaxLagEvents).toBe(1000);
    expect(loadConfig({ DATA_DIR: "/srv/data", READ_MODELS_DIR: "replica-2" }).readModelsDir).toBe(path.resolve("replica-2"));
    expect(() => loadConfig({ HEALTH_MAX_LAG_EVENTS: "lots" })).toThrow('HEALTH_MAX_LAG_EVENTS="lots"');
  });
});

describe("one process per read-model file", () => {
  it("a second app on the same read models refuses to start, naming the holder; once the first stops it starts", async () => {
    const first = await start();
    const config = loadConfig({ DATA_DIR: first.dataDir, NODE_ENV: "test", LOG_LEVEL: "silent" });
    let thrown: unknown;
    try {
      createApp(config, { logger: pino({ level: "silent" }) }).close();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ReadModelsInUseError);
    expect((thrown as Error).message).toContain(`read-models.sqlite are in use by another server (pid ${process.pid})`);
    expect((thrown as Error).message).toContain("READ_MODELS_DIR");

    await first.stop();
    servers.splice(servers.indexOf(first), 1);
    const again = await start({ DATA_DIR: first.dataDir });
    expect((await fetch(again.url.replace(/\/graphql$/, "/health"))).status).toBe(200);
  });

  it("a second server process on the same data directory exits with the message", async () => {
    const first = await start();
    const { ended } = runServer({ DATA_DIR: first.dataDir });
    const { code, output } = await ended;
    expect(code).toBe(1);
    expect(output).toContain(`are in use by another server (pid ${process.pid})`);
    // The first one did not notice.
    const admin = await createOrganization(first);
    ok(await first.gql(CREATE_TEAM, { input: { name: "Still here" } }, admin.token));
  }, 30_000);

  it("a replica with its own READ_MODELS_DIR on the same event store works and sees the other's writes", async () => {
    const first = await start();
    const admin = await createOrganization(first);
    ok(await first.gql(CREATE_TEAM, { input: { name: "From the first" } }, admin.token));

    const readModelsDir = tempDir("replica-read-models-");
    const replica = await start({ DATA_DIR: first.dataDir, READ_MODELS_DIR: readModelsDir });
    expect(fs.existsSync(path.join(readModelsDir, "read-models.sqlite"))).toBe(true);
    // Same DATA_DIR: same JWT secret, so the token works on both.
    await expect
      .poll(async () => ok(await replica.gql(TEAMS, {}, admin.token)).teams.nodes.map((t: { name: string }) => t.name), { timeout: 5_000 })
      .toEqual(["From the first"]);
    ok(await replica.gql(CREATE_TEAM, { input: { name: "From the replica" } }, admin.token));
    await expect
      .poll(async () => ok(await first.gql(TEAMS, {}, admin.token)).teams.nodes.map((t: { name: string }) => t.name).sort(), { timeout: 5_000 })
      .toEqual(["From the first", "From the replica"]);
  });

  it("the lock dies with its process: after a SIGKILL the next server starts", async () => {
    const dataDir = tempDir("killed-holder-");
    const holder = runServer({ DATA_DIR: dataDir }, /GraphQL API ready/);
    await Promise.race([holder.seen, holder.ended.then(({ output }) => Promise.reject(new Error(output)))]);
    // While it runs, nobody else gets the read models.
    expect(() => createApp(loadConfig({ DATA_DIR: dataDir, NODE_ENV: "test" }), { logger: pino({ level: "silent" }) })).toThrow(
      `(pid ${holder.child.pid})`,
    );
    holder.child.kill("SIGKILL");
    await holder.ended;
    const next = await start({ DATA_DIR: dataDir });
    expect((await fetch(next.url.replace(/\/graphql$/, "/health"))).status).toBe(200);
  }, 30_000);
});
