/**
 * EventStoreDB / KurrentDB as the event store — the whole app on the esdb adapter, against the TEST-ONLY gRPC emulator
 * (tests/support/esdb-emulator; it checks our mapping, it is not a database):
 * - EVENTSTORE_CONNECTION_STRING=esdb://… (and esdb+discover://…) selects EventStoreDB;
 * - mutations append through the client's BatchAppend path; read models follow a subscribeToAll
 *   whose filter runs on the server, and their checkpoint lives in the read-model file, so a
 *   restarted process resumes where it stopped instead of replaying the log;
 * - a store failure reaches the caller as SERVICE_UNAVAILABLE, never as a conflict, and appends
 *   nothing.
 */
import { status } from "@grpc/grpc-js";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { startEsdbEmulator, type EsdbEmulator } from "../support/esdb-emulator/index.js";
import { createOrganization, ok, refused, startTestServer, type TestServer } from "../support/test-server.js";

const CREATE_TEAM = `mutation ($input: CreateTeamInput!) { createTeam(input: $input) { id name } }`;
const TEAMS = `query { teams { nodes { id name } } }`;

let emulator: EsdbEmulator | undefined;
const servers: TestServer[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await server.stop().catch(() => undefined);
  await emulator?.stop();
  emulator = undefined;
});

async function serverOn(connectionString: string, dataDir?: string): Promise<TestServer> {
  const server = await startTestServer({ EVENTSTORE_CONNECTION_STRING: connectionString, ...(dataDir ? { DATA_DIR: dataDir } : {}) });
  servers.push(server);
  return server;
}

function checkpointOf(dataDir: string): bigint {
  const db = new Database(path.join(dataDir, "read-models.sqlite"), { readonly: true });
  try {
    const row = db.prepare("SELECT position FROM checkpoints WHERE name = 'read-models'").safeIntegers(true).get() as { position: bigint };
    return row.position;
  } finally {
    db.close();
  }
}

describe("the app on EventStoreDB (gRPC emulator)", () => {
  it("stores events in the server through BatchAppend and answers queries from read models fed by a server-filtered subscribeToAll", async () => {
    emulator = await startEsdbEmulator();
    const test = await serverOn(emulator.connectionString);
    const admin = await createOrganization(test);
    const team = ok(await test.gql(CREATE_TEAM, { input: { name: "Coaches" } }, admin.token)).createTeam;
    expect(ok(await test.gql(TEAMS, {}, admin.token)).teams.nodes).toEqual([{ id: team.id, name: "Coaches" }]);

    const counts = emulator.callCounts();
    expect(counts["appends via BatchAppend"]).toBeGreaterThan(0);
    expect(counts["appends via Append"] ?? 0).toBe(0);
    // The projector's subscription excludes system events on the server, not after receiving them.
    expect(emulator.subscriptionFilters().length).toBeGreaterThan(0);
    expect(emulator.subscriptionFilters().every((filter) => filter !== "none")).toBe(true);

    const events = await test.app.store.readStream(`team-${team.id}`);
    expect(events.map((e) => e.type)).toEqual(["TeamCreated"]);
    expect(typeof events[0]!.revision).toBe("bigint");
    expect(events[0]!.position).toBe(await test.app.store.headPosition());
    expect((await test.app.store.readAll()).every((e) => !e.type.startsWith("$") && !e.streamName.startsWith("$"))).toBe(true);
  });

  it("the integrator feed's type filter runs on the server", async () => {
    emulator = await startEsdbEmulator();
    const test = await serverOn(emulator.connectionString);
    const admin = await createOrganization(test);
    ok(await test.gql(CREATE_TEAM, { input: { name: "A" } }, admin.token));
    const client = test.ws(admin.token);
    const received: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const unsubscribe = client.subscribe<{ events: { type: string } }>(
        { query: `subscription { events(types: ["TeamCreated"]) { type position } }` },
        {
          next: (message) => {
            received.push(message.data!.events.type);
            unsubscribe();
            resolve();
          },
          error: reject,
          complete: () => undefined,
        },
      );
    });
    expect(received).toEqual(["TeamCreated"]);
    expect(emulator.subscriptionFilters()).toContain("eventType regex ^(?:TeamCreated)$");
  });

  it("keeps the read-model checkpoint in the read-model file: a restart resumes from it and sees what was written meanwhile", async () => {
    emulator = await startEsdbEmulator();
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sessions-esdb-"));
    const first = await serverOn(emulator.connectionString, dataDir);
    const admin = await createOrganization(first);
    ok(await first.gql(CREATE_TEAM, { input: { name: "Before" } }, admin.token));
    const head = (await first.app.store.headPosition())!;
    await first.stop();
    servers.splice(servers.indexOf(first), 1);
    expect(checkpointOf(dataDir)).toBe(head);

    // Another process (here: the emulator's own log) moves on while this one is down.
    const second = await serverOn(emulator.connectionString, dataDir);
    ok(await second.gql(CREATE_TEAM, { input: { name: "After" } }, admin.token));
    expect(ok(await second.gql(TEAMS, {}, admin.token)).teams.nodes.map((t: { name: string }) => t.name).sort()).toEqual(["After", "Before"]);
    expect(checkpointOf(dataDir)).toBe(await second.app.store.headPosition());
  });

  it("connects through gossip with esdb+discover://", async () => {
    emulator = await startEsdbEmulator();
    const test = await serverOn(emulator.discoverConnectionString);
    const admin = await createOrganization(test);
    ok(await test.gql(CREATE_TEAM, { input: { name: "Discovered" } }, admin.token));
    expect(emulator.callCounts()["Gossip/Read"]).toBeGreaterThan(0);
  });

  it("reports a store outage as SERVICE_UNAVAILABLE, not as a conflict, and records nothing", async () => {
    emulator = await startEsdbEmulator();
    const test = await serverOn(emulator.connectionString);
    const admin = await createOrganization(test);
    const before = await test.app.store.readAll();
    emulator.failNext(1, status.UNAVAILABLE, { rpcs: ["Streams/BatchAppend"] });
    const error = refused(await test.gql(CREATE_TEAM, { input: { name: "Lost" } }, admin.token));
    expect(error.code).toBe("SERVICE_UNAVAILABLE");
    expect(await test.app.store.readAll()).toEqual(before);
    // The client reconnects: the next call works.
    ok(await test.gql(CREATE_TEAM, { input: { name: "Kept" } }, admin.token));
  });

  it("a read-model file built from another store is replayed from this one, not resumed", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "sessions-switch-"));
    const onSqlite = await serverOn("", dataDir);
    const sqliteAdmin = await createOrganization(onSqlite);
    ok(await onSqlite.gql(CREATE_TEAM, { input: { name: "Only in SQLite" } }, sqliteAdmin.token));
    await onSqlite.stop();
    servers.splice(servers.indexOf(onSqlite), 1);

    emulator = await startEsdbEmulator();
    const onEsdb = await serverOn(emulator.connectionString, dataDir);
    expect(onEsdb.app.identityQueries.organization(sqliteAdmin.organizationId)).toBeNull();
    const admin = await createOrganization(onEsdb);
    expect(ok(await onEsdb.gql(TEAMS, {}, admin.token)).teams.nodes).toEqual([]);
  });
});
