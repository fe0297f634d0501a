/**
 * Damaged read models repair themselves (README, "Read side"): a read-model file truncated,
 * overwritten with garbage, or with a damaged page in the middle is found at start
 * (`PRAGMA quick_check`), moved aside with a log line, and rebuilt from the event log — the API
 * then answers exactly what it answered before. `npm run rebuild` works on each of them too.
 */
import Database from "better-sqlite3";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { readModelsFile } from "../../src/adapters/event-store/open-event-store.js";
import { checkReadModelsFile } from "../../src/projections/read-model-file.js";
import { createOrganization, ok, startTestServer, type TestServer } from "../support/test-server.js";

const CREATE_TEAM = `mutation ($input: CreateTeamInput!) { createTeam(input: $input) { id } }`;
const CREATE_SESSION = `mutation ($input: CreateSessionInput!) { createSession(input: $input) { id } }`;
const EVERYTHING = `{
  organization { id name }
  teams(first: 100) { totalCount nodes { id name } }
  sessions(first: 100) { totalCount nodes { id name status revision } }
  users(first: 100) { totalCount nodes { id email roles } }
}`;

const dirs: string[] = [];
const servers: TestServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.stop();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

async function start(dataDir?: string, lines?: string[]): Promise<TestServer> {
  const logger = lines ? pino({ level: "info" }, { write: (line: string) => void lines.push(line) }) : undefined;
  const server = await startTestServer(dataDir ? { DATA_DIR: dataDir } : {}, logger ? { logger } : {});
  servers.push(server);
  if (!dataDir) dirs.push(server.dataDir);
  return server;
}

async function stop(server: TestServer): Promise<void> {
  servers.splice(servers.indexOf(server), 1);
  await server.stop();
}

/** A data directory with an organization, 40 teams and 10 sessions, and what the API answers about them. */
async function world(): Promise<{ dataDir: string; token: string; before: unknown }> {
  const server = await start();
  const admin = await createOrganization(server);
  for (let i = 0; i < 40; i++) ok(await server.gql(CREATE_TEAM, { input: { name: `Team ${i} ${"x".repeat(150)}` } }, admin.token));
  for (let i = 0; i < 10; i++) ok(await server.gql(CREATE_SESSION, { input: { name: `Session ${i}`, summary: "y".repeat(500) } }, admin.token));
  const before = ok(await server.gql(EVERYTHING, {}, admin.token));
  await stop(server);
  return { dataDir: server.dataDir, token: admin.token, before };
}

const DAMAGES: Record<string, (file: string) => void> = {
  truncated: (file) => fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2)),
  "overwritten with garbage": (file) => fs.writeFileSync(file, randomBytes(fs.statSync(file).size)),
  "a damaged page in the middle": (file) => {
    // A page the tables use (not a free one), in the middle of the file.
    const db = new Database(file, { readonly: true });
    const pages = db.prepare("SELECT pageno FROM dbstat WHERE pageno > 1 AND pagetype IN ('internal', 'leaf') ORDER BY pageno").pluck().all() as number[];
    const pageSize = db.pragma("page_size", { simple: true }) as number;
    db.close();
    expect(pages.length).toBeGreaterThan(10);
    const page = pages[Math.floor(pages.length / 2)]!;
    const fd = fs.openSync(file, "r+");
    fs.writeSync(fd, randomBytes(pageSize), 0, pageSize, (page - 1) * pageSize);
    fs.closeSync(fd);
  },
};

const asideFiles = (dataDir: string) => fs.readdirSync(dataDir).filter((name) => name.startsWith("read-models.sqlite.damaged-"));

async function caughtUp(server: TestServer): Promise<void> {
  const head = await server.app.store.headPosition();
  await expect.poll(() => server.app.projector.checkpoint, { timeout: 10_000 }).toBe(head);
}

describe("damaged read models", () => {
  for (const [damage, apply] of Object.entries(DAMAGES)) {
    it(`${damage}: moved aside and rebuilt at start, then by npm run rebuild, answering as before`, async () => {
      const { dataDir, token, before } = await world();
      const file = readModelsFile(dataDir);
      apply(file);
      expect(checkReadModelsFile(file).state).toBe("damaged");

      const lines: string[] = [];
      const repaired = await start(dataDir, lines);
      const logged = lines.map((line) => JSON.parse(line)).find((entry) => /damaged/.test(entry.msg));
      expect(logged).toMatchObject({ file, movedTo: expect.stringContaining("read-models.sqlite.damaged-") });
      expect(asideFiles(dataDir)).toContain(path.basename(logged.movedTo));
      await caughtUp(repaired);
      expect(ok(await repaired.gql(EVERYTHING, {}, token))).toEqual(before);
      expect((await fetch(repaired.url.replace(/\/graphql$/, "/health"))).status).toBe(200);
      await stop(repaired);

      // The same damage, repaired by the rebuild command instead.
      apply(file);
      const rebuilt = spawnSync(process.execPath, ["--import", "tsx", "src/projections/rebuild-cli.ts"], {
        env: { ...process.env, DATA_DIR: dataDir },
        encoding: "utf8",
      });
      expect(rebuilt.status, rebuilt.stderr).toBe(0);
      expect(rebuilt.stdout).toContain("The read models were damaged");
      expect(rebuilt.stdout).toMatch(/Rebuilt read models from \d+ events/);
      expect(checkReadModelsFile(file).state).toBe("ok");
      const afterRebuild = await start(dataDir);
      await caughtUp(afterRebuild);
      expect(ok(await afterRebuild.gql(EVERYTHING, {}, token))).toEqual(before);
    }, 60_000);
  }

  it("npm run rebuild refuses while a server holds the read models, and changes nothing", async () => {
    const server = await start();
    const result = spawnSync(process.execPath, ["--import", "tsx", "src/projections/rebuild-cli.ts"], {
      env: { ...process.env, DATA_DIR: server.dataDir },
      encoding: "utf8",
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`are in use by another server (pid ${process.pid})`);
    expect(fs.existsSync(`${readModelsFile(server.dataDir)}.rebuild`)).toBe(false);
  }, 30_000);
});
