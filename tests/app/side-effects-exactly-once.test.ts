/**
 * N1 / N2 — side effects exactly once across replicas (README.md, "Architecture", Side effects:
 * each effect is claimed by appending to a claim stream expecting no stream).
 *
 * Two real app instances (`createApp`) share ONE events.sqlite file, each through its own
 * SqliteEventStore connection, with its own data dir (own read models, own side-effect
 * checkpoint), its own MemoryMailer and its own INSTANCE_ID. Both follow every event and race
 * to claim every effect; the tests prove each effect is performed once in all:
 * - S9: a promotion from the waitlist e-mails the promoted person once ("You have a seat…"),
 *   from the instance whose claim landed; the stream `effect-mail:<eventId>` holds one
 *   SideEffectClaimed and one SideEffectSucceeded; 20 promotions in a row, the same.
 * - S10: canceling a session e-mails every registered and waiting person once ("Canceled:…").
 * - Every registration's confirmation ("Registered:…" / "On the waiting list:…") is claimed and
 *   sent once too; the other tests set those aside (`outbox` and `effectStreams` leave them out)
 *   to count the effects they are about.
 * - Webhooks (N2): every event delivered once to a local HTTP receiver; a delivery refused
 *   once is retried once, by one instance; a retry whose failing claimer died is taken over.
 * - Crash recovery: an attempt claimed by a dead instance is claimed again (attempt 2) by one
 *   live instance once its lease ran out, and performed once; the dead one's late outcome
 *   changes nothing.
 * - Restart: an instance reopened on its data dir repeats nothing — even with its checkpoint
 *   rewound to the start of the log, the claims alone prevent repeats — and it shuts down
 *   cleanly even when closed right after it started.
 * Waits are bounded polls on observable state (outboxes, the log, the runner's checkpoint).
 * Both instances (and every store connection) share one TestClock per test: it starts at
 * TEST_NOW whatever the day, and retries and leases come due by moving it, not by waiting.
 */
import Database from "better-sqlite3";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { SqliteEventStore } from "../../src/adapters/event-store/sqlite-event-store.js";
import { MemoryMailer, type MailMessage } from "../../src/adapters/mail/mailer.js";
import { registrationConfirmationKey } from "../../src/adapters/side-effects/mail-notifications.reactor.js";
import { createApp, type App } from "../../src/app.js";
import { loadConfig } from "../../src/config.js";
import type { SessionCommand } from "../../src/domain/sessions/decider.js";
import { sessionDecider, type SessionState } from "../../src/domain/sessions/decider.js";
import { sessionStreamName, type SessionEvent } from "../../src/domain/sessions/events.js";
import { CommandHandler } from "../../src/domain/shared/command-handler.js";
import type { CommandContext } from "../../src/domain/shared/decider.js";
import type { EventStore, RecordedEvent } from "../../src/domain/shared/event-store.js";
import { sideEffectStreamName } from "../../src/domain/side-effects/events.js";
import { webhookStreamName } from "../../src/domain/webhooks/events.js";
import { type UserCommand, userDecider, type UserState } from "../../src/domain/users/decider.js";
import { type UserEvent, userStreamName } from "../../src/domain/users/events.js";
import { DAY, HOUR, MINUTE, TestClock } from "../support/test-clock.js";

const ORG = "org-effects";
const STAFF = "staff-1";
const SESSION_NAME = "Exactly once, twice";

// ---------------------------------------------------------------------------------------------
// Instances on one shared event store file
// ---------------------------------------------------------------------------------------------

interface Instance {
  name: string;
  app: App;
  /** The e-mails this instance sent, registration confirmations aside. */
  readonly outbox: MailMessage[];
  /** Every e-mail this instance sent. */
  sent: MailMessage[];
  dataDir: string;
  /** Effect streams this instance read or wrote: the effects it tried to claim (or recorded). */
  contended: Set<string>;
  closed: boolean;
}

let root: string;
let storeFile: string;
/** The time of this test's world, shared by both instances and every connection. */
let clock: TestClock;
/** A connection of the test's own, to read the log without touching the instances' connections. */
let observer: SqliteEventStore;
const instances: Instance[] = [];
const connections: SqliteEventStore[] = [];
const receivers: Receiver[] = [];

function newWorld(): void {
  root = fs.mkdtempSync(path.join(os.tmpdir(), "side-effects-once-"));
  storeFile = path.join(root, "events.sqlite");
  clock = new TestClock();
  observer = connect();
}

/** A store connection of its own on the shared file (polls for the other connections' appends every 20 ms). */
function connect(): SqliteEventStore {
  const store = SqliteEventStore.open(storeFile, { pollIntervalMs: 20, clock });
  connections.push(store);
  return store;
}

function start(name: string, env: Record<string, string> = {}, dataDir = path.join(root, name)): Instance {
  const config = loadConfig({
    DATA_DIR: dataDir,
    NODE_ENV: "test",
    LOG_LEVEL: "silent",
    INSTANCE_ID: name,
    PUBLIC_URL: "https://academy.example.com",
    SIDE_EFFECT_SWEEP_INTERVAL_MS: "20",
    // Retries 30–60 s of clock time after a failure: tests that need one move the clock.
    WEBHOOK_RETRY_BASE_MS: String(MINUTE),
    // The webhook receivers listen on 127.0.0.1, not a public address.
    WEBHOOK_ALLOWED_HOSTS: "127.0.0.1",
    ...env,
  });
  const mailer = new MemoryMailer();
  const contended = new Set<string>();
  const app = createApp(config, { store: watched(connect(), contended), mailer, clock, logger: pino({ level: "silent" }) });
  const instance: Instance = {
    name,
    app,
    get outbox() {
      return mailer.outbox.filter((mail) => !isConfirmation(mail));
    },
    sent: mailer.outbox,
    dataDir,
    contended,
    closed: false,
  };
  instances.push(instance);
  return instance;
}

/** The connection as the instance uses it, noting which effect streams it reads or appends to. */
function watched(inner: EventStore, contended: Set<string>): EventStore {
  const note = (stream: string) => {
    if (stream.startsWith("effect-")) contended.add(stream);
  };
  return {
    appendToStream: (stream, events, options) => {
      note(stream);
      return inner.appendToStream(stream, events, options);
    },
    readStream: (stream, options) => {
      note(stream);
      return inner.readStream(stream, options);
    },
    readAll: (options) => inner.readAll(options),
    subscribe: (options) => inner.subscribe(options),
    headPosition: () => inner.headPosition(),
    close: () => inner.close(),
  };
}

async function close(instance: Instance): Promise<void> {
  if (instance.closed) return;
  instance.closed = true;
  await instance.app.close();
}

afterEach(async () => {
  for (const instance of instances.splice(0)) {
    // Bounded: an instance that cannot shut down (a bug the tests report) must not hang the others.
    const outcome = await Promise.race([close(instance).then(() => "closed"), sleep(5_000).then(() => "stuck")]);
    if (outcome === "stuck") console.warn(`[side-effects] ${instance.name} did not close within 5 s`);
  }
  for (const receiver of receivers.splice(0)) await receiver.close();
  for (const store of connections.splice(0)) await store.close().catch(() => undefined);
  fs.rmSync(root, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `probe` returns something truthy; fails the test after `timeoutMs`. */
async function until<T>(what: string | (() => string), probe: () => T | Promise<T>, timeoutMs = 15_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${typeof what === "string" ? what : what()}`);
    }
    await sleep(20);
  }
}

/** Where this instance's side-effect runner stands in the log (its checkpoint, kept in its read models). */
function runnerCheckpoint(instance: Instance): bigint | null {
  const row = instance.app.readModels
    .prepare("SELECT position FROM side_effect_checkpoint WHERE name = 'side-effects'")
    .safeIntegers(true)
    .get() as { position: bigint } | undefined;
  return row?.position ?? null;
}

/** Both runners follow the log (each saved its starting point), so nothing appended from now on is skipped. */
async function following(...running: Instance[]): Promise<void> {
  await until("the runners to follow the log", () => running.every((i) => runnerCheckpoint(i) !== null));
}

const CONFIRMATION_STREAMS = sideEffectStreamName(registrationConfirmationKey(""));
const isConfirmation = (mail: MailMessage) => /^(Registered|On the waiting list): /.test(mail.subject);

/** Every effect stream of the log, by stream name (registration confirmations only when asked for). */
async function effectStreams(store: EventStore, { confirmations = false } = {}): Promise<Map<string, RecordedEvent[]>> {
  const streams = new Map<string, RecordedEvent[]>();
  for (const event of await store.readAll({ filter: { streamCategories: ["effect"] } })) {
    if (!confirmations && event.streamName.startsWith(CONFIRMATION_STREAMS)) continue;
    streams.set(event.streamName, [...(streams.get(event.streamName) ?? []), event]);
  }
  return streams;
}

/**
 * Waits until every running instance's runner has handled every event up to the current head
 * (so every claim either landed or was refused), then until every claimed effect succeeded.
 */
async function settle(running: Instance[], { confirmations = false } = {}): Promise<Map<string, RecordedEvent[]>> {
  const store = observer;
  const head = (await store.headPosition())!;
  await until(`the runners to pass position ${head}`, () => running.every((i) => (runnerCheckpoint(i) ?? -1n) >= head));
  let progress = "";
  return until(
    () => `every claimed effect to succeed (${progress})`,
    async () => {
      const streams = await effectStreams(store, { confirmations: true });
      const done = [...streams.values()].filter((events) => events.some((e) => e.type === "SideEffectSucceeded")).length;
      progress = `${done} of ${streams.size} succeeded`;
      return done === streams.size ? effectStreams(store, { confirmations }) : null;
    },
  );
}

const types = (events: RecordedEvent[]) => events.map((e) => e.type);
const mailTo = (outbox: MailMessage[], userId: string) => outbox.filter((m) => m.to === emailOf(userId));

// ---------------------------------------------------------------------------------------------
// The domain, driven by commands (through an instance's handlers, or a bare connection)
// ---------------------------------------------------------------------------------------------

interface Handlers {
  users: CommandHandler<UserCommand, UserEvent, UserState>;
  sessions: CommandHandler<SessionCommand, SessionEvent, SessionState>;
}

/** Handlers on a bare connection: a process without a side-effect runner (or one that is gone). */
function bareHandlers(store: EventStore): Handlers {
  return { users: new CommandHandler(store, userDecider), sessions: new CommandHandler(store, sessionDecider) };
}

const ctx = (actorId = STAFF, now = clock.now()): CommandContext => ({
  commandId: randomUUID(),
  organizationId: ORG,
  actorId,
  now,
  correlationId: randomUUID(),
});

const emailOf = (userId: string) => `${userId}@people.test`;

async function person(handlers: Handlers, userId: string): Promise<string> {
  await handlers.users.handle(userStreamName(userId), {
    type: "RegisterUser",
    userId,
    email: emailOf(userId),
    displayName: `Person ${userId}`,
    roles: ["LEARNER"],
    country: null,
    isMember: false,
    passwordHash: null,
    source: "ADDED_BY_STAFF",
    context: ctx(),
  });
  return userId;
}

async function people(handlers: Handlers, prefix: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push(await person(handlers, `${prefix}-${String(i).padStart(2, "0")}`));
  return ids;
}

/** A PUBLIC webinar, PLANNED, starting in 30 days, with a waitlist. */
async function plannedSession(handlers: Handlers, sessionId: string, audience: { min: number; max: number }): Promise<void> {
  const stream = sessionStreamName(sessionId);
  const startsAt = new Date(clock.now().getTime() + 30 * DAY);
  const commands: SessionCommand[] = [
    {
      type: "CreateSession",
      sessionId,
      status: "DRAFT",
      mode: "PUBLIC",
      details: { name: SESSION_NAME },
      audience: { mode: "PUBLIC", minParticipants: audience.min, maxParticipants: audience.max, waitlistEnabled: true },
      context: ctx(),
    },
    {
      type: "SetSessionSchedule",
      sessionId,
      schedule: {
        startsAt: startsAt.toISOString(),
        endsAt: new Date(startsAt.getTime() + 3 * HOUR).toISOString(),
        timezone: "Europe/Brussels",
        attendanceConfirmationOffsetMinutes: 15,
      },
      context: ctx(),
    },
    {
      type: "SetSessionFormat",
      sessionId,
      format: { kind: "WEBINAR", link: "https://meet.example.com/once", trainerId: STAFF, hostId: null },
      context: ctx(),
    },
    { type: "PlanSession", sessionId, context: ctx() },
  ];
  for (const command of commands) await handlers.sessions.handle(stream, command);
}

const registrationOf = (sessionId: string, userId: string) => `reg-${sessionId}-${userId}`;

async function register(handlers: Handlers, sessionId: string, userId: string): Promise<void> {
  await handlers.sessions.handle(sessionStreamName(sessionId), {
    type: "RegisterForSession",
    sessionId,
    registrationId: registrationOf(sessionId, userId),
    participant: { userId, email: emailOf(userId), country: null, teamIds: [] },
    context: ctx(userId),
  });
}

/** The participant cancels their own registration. */
async function cancel(handlers: Handlers, sessionId: string, userId: string): Promise<void> {
  await handlers.sessions.handle(sessionStreamName(sessionId), {
    type: "CancelRegistration",
    sessionId,
    registrationId: registrationOf(sessionId, userId),
    context: ctx(userId),
  });
}

async function eventsOfType(store: EventStore, sessionId: string, type: string): Promise<RecordedEvent[]> {
  return (await store.readStream(sessionStreamName(sessionId))).filter((e) => e.type === type);
}

// ---------------------------------------------------------------------------------------------
// A local webhook receiver
// ---------------------------------------------------------------------------------------------

interface Delivery {
  deliveryId: string;
  attempt: number;
  eventId: string;
  eventType: string;
}

interface Receiver {
  url: string;
  deliveries: Delivery[];
  close(): Promise<void>;
}

/** Records every POST; answers with the status `respond` gives (200 by default). */
async function startReceiver(respond: (delivery: Delivery) => number | Promise<number> = () => 200): Promise<Receiver> {
  const deliveries: Delivery[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      void (async () => {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as {
          deliveryId: string;
          attempt: number;
          event: { id: string; type: string };
        };
        const delivery: Delivery = {
          deliveryId: String(request.headers["sessions-delivery-id"]),
          attempt: body.attempt,
          eventId: body.event.id,
          eventType: body.event.type,
        };
        expect(body.deliveryId).toBe(delivery.deliveryId);
        deliveries.push(delivery);
        const status = await respond(delivery);
        response.writeHead(status, { "content-type": "text/plain" }).end(status < 300 ? "thanks" : "not now");
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const receiver: Receiver = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    deliveries,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  receivers.push(receiver);
  return receiver;
}

async function registerWebhook(app: App, url: string, eventTypes: string[]): Promise<string> {
  const webhookId = `wh-${randomUUID()}`;
  await app.webhooks.handle(webhookStreamName(webhookId), {
    type: "RegisterWebhook",
    webhookId,
    url,
    eventTypes,
    description: "exactly-once test",
    secret: "whsec_exactly_once_test_secret_0123456789",
    context: ctx(),
  });
  return webhookId;
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

// ---------------------------------------------------------------------------------------------

describe("side effects exactly once across two app instances on one event store (N1, N2)", () => {
  describe("e-mails", () => {
    it("S9: B is promoted when A cancels → one 'You have a seat' e-mail to B, sent by the instance whose claim landed", async () => {
      newWorld();
      const setup = bareHandlers(connect());
      await person(setup, STAFF);
      const [one, two] = [start("instance-one"), start("instance-two")];
      await following(one, two);

      const a = await person(one.app, "alice");
      const b = await person(two.app, "bob");
      await plannedSession(one.app, "s9", { min: 1, max: 1 });
      await register(one.app, "s9", a);
      await register(two.app, "s9", b);
      expect(await eventsOfType(observer, "s9", "ParticipantWaitlisted")).toHaveLength(1);
      await cancel(two.app, "s9", a);

      const [promotion] = await eventsOfType(observer, "s9", "ParticipantPromotedFromWaitlist");
      expect(promotion?.data.userId).toBe(b);
      const streams = await settle([one, two]);

      // One effect in all (the participant's own cancellation e-mails nobody), with one claim and one success.
      const stream = sideEffectStreamName(`mail:${promotion!.id}`);
      expect([...streams.keys()]).toEqual([stream]);
      // Both instances raced for every effect: each tried to claim it, and only one claim landed.
      for (const instance of [one, two]) expect([...streams.keys()].filter((name) => !instance.contended.has(name))).toEqual([]);
      const effect = await observer.readStream(stream);
      expect(types(effect)).toEqual(["SideEffectClaimed", "SideEffectSucceeded"]);
      expect(effect[0]!.data).toMatchObject({ attempt: 1, kind: "MAIL", targetId: b, trigger: { eventId: promotion!.id } });
      expect(effect[1]!.data).toMatchObject({ attempt: 1 });

      // Exactly one e-mail to B across both outboxes, in the outbox of the claimer; none to A.
      const claimer = effect[0]!.data.claimedBy;
      expect([one.name, two.name]).toContain(claimer);
      const [winner, loser] = claimer === one.name ? [one, two] : [two, one];
      expect(mailTo(winner.outbox, b)).toHaveLength(1);
      expect(mailTo(loser.outbox, b)).toHaveLength(0);
      expect([...one.outbox, ...two.outbox]).toHaveLength(1);
      const [mail] = mailTo(winner.outbox, b);
      expect(mail!.subject).toBe(`You have a seat: ${SESSION_NAME}`);
      expect(mail!.text).toContain("Person bob");

      // Alice's and Bob's registrations were each confirmed once, by one instance.
      const confirmations = [...(await effectStreams(observer, { confirmations: true })).entries()].filter(([name]) => !streams.has(name));
      expect(confirmations.map(([name]) => name).sort()).toEqual(
        [a, b].map((id) => sideEffectStreamName(registrationConfirmationKey(registrationOf("s9", id)))).sort(),
      );
      for (const [, events] of confirmations) expect(types(events)).toEqual(["SideEffectClaimed", "SideEffectSucceeded"]);
      const sentToEach = countBy([...one.sent, ...two.sent], (m) => `${m.to} ${m.subject}`);
      expect([...sentToEach.entries()].sort()).toEqual(
        [
          [`${emailOf(a)} Registered: ${SESSION_NAME}`, 1],
          [`${emailOf(b)} On the waiting list: ${SESSION_NAME}`, 1],
          [`${emailOf(b)} You have a seat: ${SESSION_NAME}`, 1],
        ].sort(),
      );

      // Both instances' read models agree the effect succeeded once.
      for (const instance of [one, two]) {
        const record = await until(`${instance.name} to project the outcome`, () => {
          const r = instance.app.sideEffectQueries.byKey(`mail:${promotion!.id}`);
          return r?.status === "SUCCEEDED" ? r : null;
        });
        expect(record).toMatchObject({ attempts: 1, claimedBy: claimer, targetId: b });
      }
    });

    it("S9: 20 promotions in a row → each promoted person e-mailed exactly once across both instances", async () => {
      newWorld();
      const setup = bareHandlers(connect());
      await person(setup, STAFF);
      const waiting = await people(setup, "waiter", 20);
      const first = await person(setup, "first");
      await plannedSession(setup, "chain", { min: 1, max: 1 });
      await register(setup, "chain", first);
      for (const userId of waiting) await register(setup, "chain", userId);

      const [one, two] = [start("instance-one"), start("instance-two")];
      await following(one, two);
      // Each person gives up their seat in turn (alternating instances): the next one is promoted.
      const order = [first, ...waiting.slice(0, -1)];
      for (const [i, userId] of order.entries()) await cancel(i % 2 === 0 ? one.app : two.app, "chain", userId);

      const promotions = await eventsOfType(observer, "chain", "ParticipantPromotedFromWaitlist");
      expect(promotions.map((e) => e.data.userId)).toEqual(waiting);
      const streams = await settle([one, two]);

      expect([...streams.keys()].sort()).toEqual(promotions.map((e) => sideEffectStreamName(`mail:${e.id}`)).sort());
      for (const events of streams.values()) expect(types(events)).toEqual(["SideEffectClaimed", "SideEffectSucceeded"]);

      // Both instances raced for every effect: each tried to claim it, and only one claim landed.
      for (const instance of [one, two]) expect([...streams.keys()].filter((name) => !instance.contended.has(name))).toEqual([]);
      const all = [...one.outbox, ...two.outbox];
      expect(all).toHaveLength(waiting.length);
      expect([...countBy(all, (m) => m.to).entries()].sort()).toEqual(waiting.map((id) => [emailOf(id), 1]).sort());
      expect(all.every((m) => m.subject === `You have a seat: ${SESSION_NAME}`)).toBe(true);
      expect(mailTo(all, first)).toEqual([]);
      // Each e-mail went out from the instance named in its claim.
      for (const events of streams.values()) {
        const { claimedBy, targetId } = events[0]!.data as { claimedBy: string; targetId: string };
        const sender = claimedBy === one.name ? one : two;
        expect(mailTo(sender.outbox, targetId)).toHaveLength(1);
      }
      console.log(
        `[side-effects] 20 promotions: ${one.name} sent ${one.outbox.length}, ${two.name} sent ${two.outbox.length}`,
      );
    });

    it("S10: a canceled session with 20 registered and 10 waiting → one 'Canceled:' e-mail each, across both instances", async () => {
      newWorld();
      const setupStore = connect();
      const setup = bareHandlers(setupStore);
      await person(setup, STAFF);
      const participants = await people(setup, "p", 30);
      await plannedSession(setup, "s10", { min: 1, max: 20 });
      for (const userId of participants) await register(setup, "s10", userId);
      expect(await eventsOfType(setupStore, "s10", "ParticipantWaitlisted")).toHaveLength(10);

      const [one, two] = [start("instance-one"), start("instance-two")];
      await following(one, two);
      // Through a third connection: neither instance hears of the append in-process, both poll for it.
      await setup.sessions.handle(sessionStreamName("s10"), {
        type: "CancelSession",
        sessionId: "s10",
        reason: "The trainer is ill",
        context: ctx(),
      });

      const cancellations = (await eventsOfType(observer, "s10", "RegistrationCanceled")).filter(
        (e) => e.data.reason === "SESSION_CANCELED",
      );
      expect(cancellations).toHaveLength(30);
      const streams = await settle([one, two]);
      expect([...streams.keys()].sort()).toEqual(cancellations.map((e) => sideEffectStreamName(`mail:${e.id}`)).sort());
      for (const events of streams.values()) expect(types(events)).toEqual(["SideEffectClaimed", "SideEffectSucceeded"]);

      // Both instances raced for every effect: each tried to claim it, and only one claim landed.
      for (const instance of [one, two]) expect([...streams.keys()].filter((name) => !instance.contended.has(name))).toEqual([]);
      const all = [...one.outbox, ...two.outbox];
      expect([...countBy(all, (m) => m.to).entries()].sort()).toEqual(participants.map((id) => [emailOf(id), 1]).sort());
      expect(all.every((m) => m.subject === `Canceled: ${SESSION_NAME}`)).toBe(true);
      console.log(`[side-effects] S10: ${one.name} sent ${one.outbox.length}, ${two.name} sent ${two.outbox.length}`);
    });
  });

  describe("webhooks (N2)", () => {
    it("30 events → each delivered exactly once across both instances", async () => {
      newWorld();
      const setup = bareHandlers(connect());
      await person(setup, STAFF);
      const participants = await people(setup, "hook", 30);
      await plannedSession(setup, "hooked", { min: 1, max: 10 });
      const [one, two] = [start("instance-one"), start("instance-two")];
      await following(one, two);

      // 30 deliveries in a burst: more than a runner runs at once (8), so some wait for a free slot.
      const receiver = await startReceiver();
      const webhookId = await registerWebhook(one.app, receiver.url, ["ParticipantRegistered", "ParticipantWaitlisted"]);
      for (const [i, userId] of participants.entries()) await register(i % 2 === 0 ? one.app : two.app, "hooked", userId);

      const events = (await observer.readStream(sessionStreamName("hooked"))).filter(
        (e) => e.type === "ParticipantRegistered" || e.type === "ParticipantWaitlisted",
      );
      expect(events).toHaveLength(30);
      const streams = await settle([one, two]);
      const expectedKeys = events.map((e) => `webhook:${webhookId}:${e.id}`).sort();
      expect([...streams.keys()].sort()).toEqual(expectedKeys.map(sideEffectStreamName));
      for (const effect of streams.values()) expect(types(effect)).toEqual(["SideEffectClaimed", "SideEffectSucceeded"]);

      // Both instances raced for every effect: each tried to claim it, and only one claim landed.
      for (const instance of [one, two]) expect([...streams.keys()].filter((name) => !instance.contended.has(name))).toEqual([]);
      // At the receiver: every delivery id exactly once, attempt 1, for the right event.
      expect(receiver.deliveries).toHaveLength(30);
      expect(receiver.deliveries.map((d) => d.deliveryId).sort()).toEqual(expectedKeys);
      expect(receiver.deliveries.every((d) => d.attempt === 1 && d.deliveryId === `webhook:${webhookId}:${d.eventId}`)).toBe(true);
      const claimers = countBy([...streams.values()], (effect) => String(effect[0]!.data.claimedBy));
      console.log(`[side-effects] 30 webhook deliveries claimed by ${JSON.stringify(Object.fromEntries(claimers))}`);
    });

    it("a delivery refused once is retried once: attempt 2 claimed by exactly one instance, delivered once more", async () => {
      newWorld();
      const setup = bareHandlers(connect());
      await person(setup, STAFF);
      const participants = await people(setup, "retry", 12);
      await plannedSession(setup, "retried", { min: 1, max: 100 });
      const [one, two] = [start("instance-one"), start("instance-two")];
      await following(one, two);

      // The endpoint refuses the first attempt of every delivery, then accepts.
      const receiver = await startReceiver((delivery) => (delivery.attempt === 1 ? 503 : 200));
      const webhookId = await registerWebhook(one.app, receiver.url, ["ParticipantRegistered"]);
      for (const [i, userId] of participants.entries()) await register(i % 2 === 0 ? one.app : two.app, "retried", userId);

      const events = await eventsOfType(observer, "retried", "ParticipantRegistered");
      expect(events).toHaveLength(12);
      // Every first attempt refused: no retry goes out before it is due (30–60 s of clock time
      // later); then the clock moves past the last one's retryAt.
      const failures = await until("every first attempt to fail", async () => {
        const effects = [...(await effectStreams(observer)).values()];
        const failed = effects.map((effect) => effect.find((e) => e.type === "SideEffectFailed"));
        return effects.length === 12 && failed.every(Boolean) ? failed : null;
      });
      expect(receiver.deliveries.map((d) => d.attempt)).toEqual(Array(12).fill(1));
      const lastRetryAt = Math.max(...failures.map((failure) => Date.parse(String(failure!.data.retryAt))));
      clock.advance(Math.max(0, lastRetryAt - clock.now().getTime()) + 1);
      const streams = await settle([one, two]);
      expect(streams.size).toBe(12);
      for (const effect of streams.values()) {
        expect(types(effect)).toEqual(["SideEffectClaimed", "SideEffectFailed", "SideEffectClaimed", "SideEffectSucceeded"]);
        expect(effect.map((e) => e.data.attempt)).toEqual([1, 1, 2, 2]);
        expect(effect[1]!.data).toMatchObject({ statusCode: 503, error: expect.stringContaining("503") });
        expect(effect[1]!.data.retryAt).not.toBeNull();
        expect(effect[3]!.data).toMatchObject({ statusCode: 200 });
      }
      // Each delivery reached the receiver exactly twice: attempt 1 (refused), attempt 2 (accepted).
      const byDelivery = new Map<string, number[]>();
      for (const d of receiver.deliveries) byDelivery.set(d.deliveryId, [...(byDelivery.get(d.deliveryId) ?? []), d.attempt]);
      expect([...byDelivery.keys()].sort()).toEqual(events.map((e) => `webhook:${webhookId}:${e.id}`).sort());
      for (const attempts of byDelivery.values()) expect(attempts).toEqual([1, 2]);
    });

    it("a retry whose failing claimer died is taken over by the other instance when due, not only when the dead attempt's lease ends", async () => {
      newWorld();
      const setup = bareHandlers(connect());
      await person(setup, STAFF);
      const participant = await person(setup, "lonely");
      await plannedSession(setup, "takeover", { min: 1, max: 10 });
      // Retries come 10–20 s of clock time after a failure; an attempt's lease lasts 60 s (the default).
      const env = { WEBHOOK_RETRY_BASE_MS: String(20_000), SIDE_EFFECT_LEASE_MS: String(MINUTE) };
      const [one, two] = [start("instance-one", env), start("instance-two", env)];
      await following(one, two);

      let triggerPosition = -1n;
      // Attempt 1 is answered only once both instances went past the event (one won the claim, the
      // other was refused it), then refused; later attempts are accepted.
      const receiver = await startReceiver(async (delivery) => {
        if (delivery.attempt > 1) return 200;
        await until("both runners to pass the trigger", () =>
          [one, two].every((i) => (runnerCheckpoint(i) ?? -1n) >= triggerPosition),
        );
        return 503;
      });
      const webhookId = await registerWebhook(one.app, receiver.url, ["ParticipantRegistered"]);
      await register(one.app, "takeover", participant);
      const [trigger] = await eventsOfType(observer, "takeover", "ParticipantRegistered");
      triggerPosition = trigger!.position;
      const stream = sideEffectStreamName(`webhook:${webhookId}:${trigger!.id}`);

      const failedOnce = await until("attempt 1 to fail", async () => {
        const effect = await observer.readStream(stream);
        return effect.some((e) => e.type === "SideEffectFailed") ? effect : null;
      });
      expect(types(failedOnce)).toEqual(["SideEffectClaimed", "SideEffectFailed"]);
      // The instance that ran attempt 1 dies before its retry is due.
      const claimer = failedOnce[0]!.data.claimedBy;
      const [dying, survivor] = claimer === one.name ? [one, two] : [two, one];
      await close(dying);
      const retryAt = Date.parse(String(failedOnce[1]!.data.retryAt));
      const leaseUntil = Date.parse(String(failedOnce[0]!.data.leaseUntil));
      expect(retryAt).toBeLessThan(leaseUntil);
      // Time passes until the retry is due (not until the lease of attempt 1 ends).
      clock.advance(Math.max(0, retryAt - clock.now().getTime()) + 1);

      const done = await until(
        "the surviving instance to deliver attempt 2 (well before the 60 s lease of attempt 1)",
        async () => {
          const effect = await observer.readStream(stream);
          return effect.some((e) => e.type === "SideEffectSucceeded") ? effect : null;
        },
        15_000,
      );
      expect(types(done)).toEqual(["SideEffectClaimed", "SideEffectFailed", "SideEffectClaimed", "SideEffectSucceeded"]);
      expect(done[2]!.data).toMatchObject({ attempt: 2, claimedBy: survivor.name });
      expect(Date.parse(String(done[2]!.data.claimedAt))).toBeGreaterThanOrEqual(retryAt);
      expect(Date.parse(String(done[2]!.data.claimedAt))).toBeLessThan(leaseUntil);
      expect(receiver.deliveries.map((d) => d.attempt)).toEqual([1, 2]);
    });
  });

  describe("crash recovery: the lease", () => {
    it("an attempt claimed by a dead instance is claimed again (attempt 2) by one live instance once its lease ran out, and performed once", async () => {
      newWorld();
      const setup = bareHandlers(connect());
      await person(setup, STAFF);
      const [x, y] = [await person(setup, "xavier"), await person(setup, "yasmin")];
      await plannedSession(setup, "crash", { min: 1, max: 1 });
      await register(setup, "crash", x);
      await register(setup, "crash", y);
      await cancel(setup, "crash", x);
      const [promotion] = await eventsOfType(observer, "crash", "ParticipantPromotedFromWaitlist");
      expect(promotion?.data.userId).toBe(y);

      // Two live instances start after the promotion (from the head of the log: they will not see it live).
      const [one, two] = [start("instance-one"), start("instance-two")];
      await following(one, two);
      const key = `mail:${promotion!.id}`;
      const stream = sideEffectStreamName(key);
      // An instance that is gone had claimed it an hour ago, with a 1 s lease, and never reported back.
      const claimedAt = new Date(clock.now().getTime() - HOUR);
      await one.app.sideEffects.handle(stream, {
        type: "ClaimSideEffect",
        key,
        kind: "MAIL",
        targetId: y,
        trigger: {
          eventId: promotion!.id,
          eventType: promotion!.type,
          streamName: promotion!.streamName,
          position: promotion!.position.toString(),
        },
        attempt: 1,
        claimedBy: "dead",
        leaseMs: 1000,
        context: ctx("system:side-effects", claimedAt),
      });

      // The sweeps (every 20 ms, on both) find the lost attempt.
      const effect = await until("a live instance to take over and succeed", async () => {
        const events = await observer.readStream(stream);
        return events.some((e) => e.type === "SideEffectSucceeded") ? events : null;
      });
      expect(types(effect)).toEqual(["SideEffectClaimed", "SideEffectClaimed", "SideEffectSucceeded"]);
      expect(effect.map((e) => e.data.attempt)).toEqual([1, 2, 2]);
      expect(effect[0]!.data.claimedBy).toBe("dead");
      const taker = effect[1]!.data.claimedBy;
      expect([one.name, two.name]).toContain(taker);
      const [winner, loser] = taker === one.name ? [one, two] : [two, one];
      expect(mailTo(winner.outbox, y)).toHaveLength(1);
      expect(mailTo(winner.outbox, y)[0]!.subject).toBe(`You have a seat: ${SESSION_NAME}`);
      expect(loser.outbox).toEqual([]);

      // The dead instance's outcome arriving late changes nothing; sweeping again claims nothing.
      const late = await one.app.sideEffects.handle(stream, {
        type: "RecordSideEffectSucceeded",
        key,
        attempt: 1,
        statusCode: null,
        context: ctx("system:side-effects"),
      });
      expect(late.events).toEqual([]);
      for (const instance of [one, two]) {
        await until(`${instance.name} to project the success`, () => instance.app.sideEffectQueries.byKey(key)?.status === "SUCCEEDED");
        await instance.app.sideEffectRunner.sweep();
      }
      expect(types(await observer.readStream(stream))).toEqual(types(effect));
      expect([...one.outbox, ...two.outbox]).toHaveLength(1);
    });
  });

  describe("restart", () => {
    /** Alice holds the one seat, five people wait; four cancel in turn → four promotions, and webhook deliveries. */
    async function busyWorld(): Promise<{ one: Instance; two: Instance; receiver: Receiver; promoted: string[] }> {
      newWorld();
      const setup = bareHandlers(connect());
      await person(setup, STAFF);
      const waiting = await people(setup, "w", 5);
      const first = await person(setup, "alice");
      await plannedSession(setup, "restart", { min: 1, max: 1 });
      const [one, two] = [start("instance-one"), start("instance-two")];
      await following(one, two);
      const receiver = await startReceiver();
      await registerWebhook(two.app, receiver.url, ["ParticipantPromotedFromWaitlist", "RegistrationCanceled"]);
      await register(one.app, "restart", first);
      for (const userId of waiting) await register(two.app, "restart", userId);
      for (const userId of [first, ...waiting.slice(0, 3)]) await cancel(one.app, "restart", userId);
      const streams = await settle([one, two]);
      // 4 e-mails + 8 deliveries (4 cancellations, 4 promotions).
      expect(streams.size).toBe(12);
      expect([...one.outbox, ...two.outbox]).toHaveLength(4);
      expect(receiver.deliveries).toHaveLength(8);
      return { one, two, receiver, promoted: waiting.slice(0, 4) };
    }

    it("closing instance one and opening it again on its data dir repeats nothing; new effects still run once", async () => {
      const { one, two, receiver, promoted } = await busyWorld();
      const effectsBefore = await effectStreams(observer);
      const sentBefore = [...one.outbox, ...two.outbox].length;
      await close(one);

      const again = start("instance-one-again", {}, one.dataDir);
      // A new promotion after the restart (the fourth waiting person cancels; the fifth gets the seat).
      await cancel(two.app, "restart", promoted[3]!);
      const streams = await settle([again, two]);

      const newKeys = [...streams.keys()].filter((name) => !effectsBefore.has(name));
      expect(newKeys).toHaveLength(3); // one e-mail, two deliveries
      for (const [name, events] of effectsBefore) expect(types(streams.get(name)!)).toEqual(types(events));
      for (const events of streams.values()) expect(types(events)).toEqual(["SideEffectClaimed", "SideEffectSucceeded"]);

      // The old effects did not run again: the reopened instance sent at most the new e-mail.
      const newcomer = "w-04";
      expect(again.outbox.every((m) => m.to === emailOf(newcomer))).toBe(true);
      const all = [...one.outbox, ...two.outbox, ...again.outbox];
      expect(all).toHaveLength(sentBefore + 1);
      expect([...countBy(all, (m) => m.to).entries()].sort()).toEqual([...promoted, newcomer].map((id) => [emailOf(id), 1]).sort());
      expect(receiver.deliveries).toHaveLength(10);
      expect([...countBy(receiver.deliveries, (d) => d.deliveryId).values()].every((n) => n === 1)).toBe(true);
    });

    it("even with its checkpoint rewound to the start of the log, a reopened instance repeats nothing: the claims refuse it", async () => {
      const { one, two, receiver } = await busyWorld();
      const effectsBefore = await effectStreams(observer);
      await close(one);
      await close(two);
      // As if it had crashed before ever saving its checkpoint: it re-reads the whole log.
      const db = new Database(path.join(one.dataDir, "read-models.sqlite"));
      expect(db.prepare("UPDATE side_effect_checkpoint SET position = 0 WHERE name = 'side-effects'").run().changes).toBe(1);
      db.close();

      const again = start("instance-one-again", {}, one.dataDir);
      const head = (await observer.headPosition())!;
      await until("the reopened runner to re-read the whole log", () => (runnerCheckpoint(again) ?? -1n) >= head);

      expect(again.outbox).toEqual([]);
      expect(receiver.deliveries).toHaveLength(8);
      const after = await effectStreams(observer);
      expect([...after.keys()].sort()).toEqual([...effectsBefore.keys()].sort());
      for (const [name, events] of effectsBefore) expect(after.get(name)!.map((e) => e.id)).toEqual(events.map((e) => e.id));
      expect((await observer.headPosition())!).toBe(head);
    });

    it("an instance closed right after it started shuts down (its side-effect runner stops)", async () => {
      newWorld();
      const setup = bareHandlers(connect());
      await person(setup, STAFF);
      const instance = start("short-lived");
      const closing = close(instance).then(() => "closed" as const);
      const outcome = await Promise.race([closing, sleep(5_000).then(() => "still closing after 5 s" as const)]);
      expect(outcome).toBe("closed");
    });
  });
});
