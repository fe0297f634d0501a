/**
 * Healing after a crash between two streams, by the workflows, from the log (§0 unique e-mails,
 * S8 signUpAndRegister, S9 the seat goes to the next in line).
 *
 * A child process (tests/app/fixtures/die-between-steps.ts) takes the first step with the
 * application's own code — claims an address, or takes a sign-up's seat, or both — and is
 * killed with SIGKILL before the second. A server then started on the same data dir (or one
 * already running on it), whose clock is moved past the 60 s deadline, heals it on its own: the
 * claim is released so the address can be used, the seat is canceled and the first person in
 * line is promoted. A server
 * started again with its workflow checkpoint and states lost reads the whole log again and
 * appends nothing.
 */
import Database from "better-sqlite3";
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { readModelsFile } from "../../src/adapters/event-store/open-event-store.js";
import { sessionStreamName } from "../../src/domain/sessions/events.js";
import { emailClaimStreamName } from "../../src/domain/users/email-claim.js";
import { signUpRegistrationId } from "../../src/domain/workflows/sign-up-seat-release.js";
import { createReadySession } from "../support/session-setup.js";
import { TestClock } from "../support/test-clock.js";
import { addMember, createOrganization, ok, refused, startTestServer, type TestServer } from "../support/test-server.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const fixture = fileURLToPath(new URL("./fixtures/die-between-steps.ts", import.meta.url));

const PLAN = `mutation ($input: ChangeSessionStatusInput!) { planSession(input: $input) { id status } }`;
const REGISTER = `mutation ($input: RegisterForSessionInput!) { registerForSession(input: $input) { id status waitlistPosition } }`;
const REGISTRATION = `query ($id: ID!) { registration(id: $id) { id status waitlistPosition } }`;
const COUNTS = `query ($id: ID!) { session(id: $id) { registeredCount waitlistedCount } }`;
const CREATE_USER = `mutation ($input: CreateUserInput!) { createUser(input: $input) { id email } }`;
const SIGN_UP = `mutation ($input: SignUpInput!) { signUp(input: $input) { user { id email } } }`;

const servers: TestServer[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await server.stop();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

async function start(dataDir?: string, clock?: TestClock): Promise<TestServer> {
  const server = await startTestServer(dataDir ? { DATA_DIR: dataDir } : {}, clock ? { clock } : {});
  servers.push(server);
  if (!dataDir) dirs.push(server.dataDir);
  return server;
}

async function stop(server: TestServer): Promise<void> {
  servers.splice(servers.indexOf(server), 1);
  await server.stop();
}

/** Runs the fixture until it has taken its first step, then kills it with SIGKILL. */
async function dieBetweenSteps(dataDir: string, now: Date, step: "claim" | "seat" | "sign-up", args: string[]): Promise<void> {
  const child = spawn(process.execPath, ["--import", "tsx", fixture, dataDir, now.toISOString(), step, ...args], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const stderr: string[] = [];
  child.stderr!.on("data", (chunk: Buffer) => stderr.push(chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const done = new Promise<void>((resolve) => {
    readline.createInterface({ input: child.stdout! }).on("line", (line) => {
      if (line === "first step done") resolve();
    });
  });
  await Promise.race([done, exited]);
  child.kill("SIGKILL");
  await exited;
  expect(child.signalCode, `the child died on its own: ${stderr.join("")}`).toBe("SIGKILL");
}

/** A PLANNED public session with one seat. */
async function oneSeatSession(server: TestServer, adminToken: string): Promise<string> {
  const sessionId = await createReadySession(server, adminToken, { min: 1, max: 1 });
  ok(await server.gql(PLAN, { input: { sessionId } }, adminToken));
  return sessionId;
}

const typesOf = async (server: TestServer, stream: string) => (await server.app.store.readStream(stream)).map((event) => event.type);

describe("a crash between the two steps is healed by the workflows of the next server", () => {
  it("signUpAndRegister died after taking the seat: the seat goes to the first in line once the deadline passed", async () => {
    const first = await start();
    const admin = await createOrganization(first);
    const learner = await addMember(first, admin.token, ["LEARNER"]);
    const sessionId = await oneSeatSession(first, admin.token);
    await stop(first);

    const newcomer = randomUUID();
    await dieBetweenSteps(first.dataDir, first.clock.now(), "seat", [admin.organizationId, "newcomer@link.test", newcomer, sessionId]);

    const second = await start(first.dataDir, first.clock);
    const waiting = ok(await second.gql(REGISTER, { input: { sessionId } }, learner.token)).registerForSession;
    expect(waiting).toMatchObject({ status: "WAITLISTED", waitlistPosition: 1 });
    await second.app.workflowRunner.tick();
    expect(ok(await second.gql(COUNTS, { id: sessionId }, admin.token)).session).toEqual({ registeredCount: 1, waitlistedCount: 1 });

    second.clock.advance(60_000);
    await expect
      .poll(async () => ok(await second.gql(REGISTRATION, { id: waiting.id }, learner.token)).registration, { timeout: 10_000 })
      .toEqual({ id: waiting.id, status: "REGISTERED", waitlistPosition: null });
    expect(ok(await second.gql(COUNTS, { id: sessionId }, admin.token)).session).toEqual({ registeredCount: 1, waitlistedCount: 0 });
    const healing = (await second.app.store.readStream(sessionStreamName(sessionId))).slice(-2);
    expect(healing.map((event) => [event.type, event.data.registrationId, event.metadata.actorId])).toEqual([
      ["RegistrationCanceled", signUpRegistrationId(newcomer), "system:workflows"],
      ["ParticipantPromotedFromWaitlist", waiting.id, "system:workflows"],
    ]);

    // A restart that lost the workflows' checkpoint and states reads the whole log again: nothing more.
    const head = await second.app.store.headPosition();
    await stop(second);
    const file = new Database(readModelsFile(first.dataDir));
    file.exec("DELETE FROM workflow_checkpoint; DELETE FROM workflow_instances");
    file.close();
    const third = await start(first.dataDir, first.clock);
    await third.app.workflowRunner.tick();
    third.clock.advance(60_000);
    await third.app.workflowRunner.tick();
    expect(await third.app.store.headPosition()).toBe(head);
    expect(third.app.workflowRunner.checkpoints().get("sign-up-seat-release")).toBeDefined();
  });

  it("a registration died after claiming the address: the claim is released and the address can be used", async () => {
    const first = await start();
    const admin = await createOrganization(first);
    await stop(first);

    const ghost = randomUUID();
    await dieBetweenSteps(first.dataDir, first.clock.now(), "claim", [admin.organizationId, "ghost@people.test", ghost]);

    const second = await start(first.dataDir, first.clock);
    const input = { email: "Ghost@People.test", displayName: "Ghost", roles: ["LEARNER"] };
    expect(refused(await second.gql(CREATE_USER, { input }, admin.token))).toMatchObject({ code: "ALREADY_EXISTS" });
    await second.app.workflowRunner.tick();
    expect(await typesOf(second, emailClaimStreamName(admin.organizationId, "ghost@people.test"))).toEqual(["EmailClaimed"]);

    second.clock.advance(60_000);
    await expect.poll(() => typesOf(second, emailClaimStreamName(admin.organizationId, "ghost@people.test")), { timeout: 10_000 }).toEqual([
      "EmailClaimed",
      "EmailClaimReleased",
    ]);
    const created = ok(await second.gql(CREATE_USER, { input }, admin.token)).createUser;
    expect(created.email).toBe("ghost@people.test");
  });

  it("signUpAndRegister died between the address and the account, next to a running server: it heals both", async () => {
    const server = await start();
    const admin = await createOrganization(server);
    const learner = await addMember(server, admin.token, ["LEARNER"]);
    const sessionId = await oneSeatSession(server, admin.token);

    const newcomer = randomUUID();
    const email = "half-done@link.test";
    await dieBetweenSteps(server.dataDir, server.clock.now(), "sign-up", [admin.organizationId, email, newcomer, sessionId]);
    const waiting = ok(await server.gql(REGISTER, { input: { sessionId } }, learner.token)).registerForSession;
    expect(waiting).toMatchObject({ status: "WAITLISTED", waitlistPosition: 1 });

    server.clock.advance(60_000);
    await expect
      .poll(async () => ok(await server.gql(REGISTRATION, { id: waiting.id }, learner.token)).registration.status, { timeout: 10_000 })
      .toBe("REGISTERED");
    await expect.poll(() => typesOf(server, emailClaimStreamName(admin.organizationId, email)), { timeout: 10_000 }).toEqual([
      "EmailClaimed",
      "EmailClaimReleased",
    ]);
    const input = { organizationId: admin.organizationId, email, displayName: "Half done", password: "correct horse battery 9" };
    expect(ok(await server.gql(SIGN_UP, { input })).signUp.user.email).toBe(email);
  });
});
