/**
 * The workflow runner over a real event store and real command handlers (§0 unique e-mails:
 * the email-claim-release workflow). A claim left without its user is released once the
 * injectable clock passes its deadline, never before, never when the user exists; the runner
 * keeps its checkpoint and states next to its read models and continues from them after a
 * restart; running the workflows again over the same log — a lost checkpoint, a crash after
 * sending but before saving, or a second replica on the same store — appends nothing more.
 */
import Database from "better-sqlite3";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MemoryEventStore } from "../../src/adapters/event-store/memory-event-store.js";
import { createWorkflowRunner } from "../../src/adapters/workflows/all-workflows.js";
import { bindWorkflow, WorkflowRunner } from "../../src/adapters/workflows/workflow-runner.js";
import { sessionDecider } from "../../src/domain/sessions/decider.js";
import { CommandHandler } from "../../src/domain/shared/command-handler.js";
import type { EventStore, ReadAllOptions } from "../../src/domain/shared/event-store.js";
import { userDecider } from "../../src/domain/users/decider.js";
import { emailClaimDecider, emailClaimStreamName } from "../../src/domain/users/email-claim.js";
import { UserRegistration } from "../../src/domain/users/user-registration.js";
import { userStreamName } from "../../src/domain/users/events.js";
import { emailClaimReleaseWorkflow } from "../../src/domain/workflows/email-claim-release.js";
import { DAY, TestClock } from "../support/test-clock.js";

const ORG = "org-workflows";
const logger = pino({ level: "silent" });

let dir: string;
let store: MemoryEventStore;
let clock: TestClock;
const opened: Database.Database[] = [];
const runners: WorkflowRunner[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "workflow-runner-"));
  clock = new TestClock();
  store = new MemoryEventStore(clock);
});
afterEach(async () => {
  for (const runner of runners.splice(0)) await runner.stop();
  for (const db of opened.splice(0)) db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A read-model file of one replica (reopened by name: a restart). */
function readModels(name = "replica-a"): Database.Database {
  const db = new Database(path.join(dir, `${name}.sqlite`));
  opened.push(db);
  return db;
}

/** A replica's runner with its own command handlers, as another process would have. */
function runner(db: Database.Database, on: EventStore = store): WorkflowRunner {
  const started = createWorkflowRunner({
    store: on,
    db,
    clock,
    logger,
    intervalMs: 3_600_000,
    emailClaims: new CommandHandler(on, emailClaimDecider),
    sessions: new CommandHandler(on, sessionDecider),
  });
  runners.push(started);
  return started;
}

const context = () => ({ commandId: randomUUID(), organizationId: ORG, actorId: "admin-1", now: clock.now(), correlationId: randomUUID() });

/** A claim as a registration that died right after it leaves it. */
async function orphanClaim(email: string, userId = `ghost-${randomUUID()}`): Promise<string> {
  await new CommandHandler(store, emailClaimDecider).handle(emailClaimStreamName(ORG, email), {
    type: "ClaimEmail",
    email,
    userId,
    context: context(),
  });
  return userId;
}

const registration = () => new UserRegistration(new CommandHandler(store, emailClaimDecider), new CommandHandler(store, userDecider));

function registerUser(userId: string, email: string) {
  return registration().register({
    type: "RegisterUser",
    userId,
    email,
    displayName: "Ada",
    roles: ["LEARNER"],
    country: null,
    isMember: false,
    passwordHash: null,
    source: "ADDED_BY_STAFF",
    context: context(),
  });
}

const claimHistory = async (email: string) =>
  (await store.readStream(emailClaimStreamName(ORG, email))).map((event) => [event.type, event.data.userId, event.metadata.actorId]);

describe("email-claim-release through the runner", () => {
  it("releases a claim left without its user once the clock passes 60 s, and the address can be used again", async () => {
    const ghost = await orphanClaim("ada@example.com");
    const replica = runner(readModels());

    await replica.tick();
    clock.advance(59_000);
    await replica.tick();
    expect(await claimHistory("ada@example.com")).toEqual([["EmailClaimed", ghost, "admin-1"]]);

    clock.advance(1_000);
    await replica.tick();
    expect(await claimHistory("ada@example.com")).toEqual([
      ["EmailClaimed", ghost, "admin-1"],
      ["EmailClaimReleased", ghost, "system:workflows"],
    ]);
    const [claim, release] = await store.readStream(emailClaimStreamName(ORG, "ada@example.com"));
    expect(release!.metadata).toMatchObject({ causationId: claim!.id, correlationId: claim!.metadata.correlationId });

    await registerUser("user-new", "ADA@example.com");
    expect((await store.readStream(userStreamName("user-new"))).map((event) => event.type)).toEqual(["UserRegistered"]);
  });

  it("never releases the claim of a user who was registered, however late it looks", async () => {
    await registerUser("user-a", "ada@example.com");
    const replica = runner(readModels());
    clock.advance(DAY);
    await replica.tick();
    expect(await claimHistory("ada@example.com")).toEqual([["EmailClaimed", "user-a", "admin-1"]]);
    expect(replica.checkpoints().get("email-claim-release")).toBe(await store.headPosition());
  });

  it("starts by itself and ticks on its interval, comparing deadlines with the injectable clock", async () => {
    const ghost = await orphanClaim("ada@example.com");
    const replica = new WorkflowRunner({
      store,
      db: readModels(),
      clock,
      logger,
      intervalMs: 20,
      workflows: [bindWorkflow(emailClaimReleaseWorkflow, (command) => new CommandHandler(store, emailClaimDecider).handle(emailClaimStreamName(ORG, command.email), command))],
    });
    runners.push(replica);
    replica.start();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await claimHistory("ada@example.com")).toHaveLength(1);
    clock.advance(60_000);
    await expect.poll(() => claimHistory("ada@example.com"), { timeout: 5000 }).toEqual([
      ["EmailClaimed", ghost, "admin-1"],
      ["EmailClaimReleased", ghost, "system:workflows"],
    ]);
  });
});

describe("restart and replay", () => {
  it("a restarted runner continues from its checkpoint, with the states it had saved", async () => {
    const ghost = await orphanClaim("ada@example.com");
    const before = runner(readModels());
    await before.tick();
    await before.stop();
    const head = await store.headPosition();

    // The restarted runner reads the log only after its checkpoint: the claim comes from its saved state.
    const reads: ReadAllOptions[] = [];
    const watched = new Proxy(store, {
      get(target, property) {
        if (property === "readAll") {
          return (options?: ReadAllOptions) => {
            reads.push(options ?? {});
            return target.readAll(options);
          };
        }
        const value: unknown = Reflect.get(target, property);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const after = runner(readModels(), watched);
    expect(after.checkpoints().get("email-claim-release")).toBe(head);
    clock.advance(60_000);
    await after.tick();
    expect(reads.map((options) => options.after)).toEqual([head]);
    expect(await claimHistory("ada@example.com")).toEqual([
      ["EmailClaimed", ghost, "admin-1"],
      ["EmailClaimReleased", ghost, "system:workflows"],
    ]);
  });

  it("running the workflows again over the same log appends nothing: without a checkpoint, or rewound", async () => {
    for (let i = 0; i < 3; i++) await orphanClaim(`ghost${i}@example.com`);
    await registerUser("user-a", "ada@example.com");
    const first = runner(readModels());
    clock.advance(60_000);
    await first.tick();
    const head = await store.headPosition();
    expect((await store.readAll({ filter: { eventTypes: ["EmailClaimReleased"] } })).length).toBe(3);

    // Another replica, whose read-model file has no checkpoint: it reads the log from the start.
    await runner(readModels("replica-b")).tick();
    expect(await store.headPosition()).toBe(head);

    // The same replica with its checkpoint and states lost (a rebuilt read-model file).
    const db = readModels();
    db.exec("DELETE FROM workflow_checkpoint; DELETE FROM workflow_instances");
    const again = runner(db);
    await again.tick();
    clock.advance(DAY);
    await again.tick();
    expect(await store.headPosition()).toBe(head);
  });

  it("a crash after a command was sent but before the runner saved: sent again, appended once", async () => {
    const ghost = await orphanClaim("ada@example.com");
    const claims = new CommandHandler(store, emailClaimDecider);
    let crashes = 1;
    const crashing = new WorkflowRunner({
      store,
      db: readModels(),
      clock,
      logger,
      intervalMs: 3_600_000,
      workflows: [
        bindWorkflow(emailClaimReleaseWorkflow, async (command) => {
          await claims.handle(emailClaimStreamName(ORG, command.email), command);
          if (crashes-- > 0) throw new Error("the process died here");
        }),
      ],
    });
    runners.push(crashing);
    await crashing.tick();
    clock.advance(60_000);
    await expect(crashing.tick()).rejects.toThrow("the process died here");
    await crashing.tick();
    await crashing.tick();
    expect(await claimHistory("ada@example.com")).toEqual([
      ["EmailClaimed", ghost, "admin-1"],
      ["EmailClaimReleased", ghost, "system:workflows"],
    ]);
  });

  it("two replicas on one store, each with its own read models, race for the same deadlines: each claim released once", async () => {
    const emails = Array.from({ length: 20 }, (_, i) => `racer${i}@example.com`);
    for (const email of emails) await orphanClaim(email);
    const replicas = [runner(readModels("replica-a")), runner(readModels("replica-b"))];
    await Promise.all(replicas.map((replica) => replica.tick()));
    clock.advance(60_000);
    await Promise.all(replicas.map((replica) => replica.tick()));
    await Promise.all(replicas.map((replica) => replica.tick()));
    for (const email of emails) {
      expect((await claimHistory(email)).map(([type]) => type), email).toEqual(["EmailClaimed", "EmailClaimReleased"]);
    }
  });
});
