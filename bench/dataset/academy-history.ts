/**
 * A large, realistic event store for the rebuild, start-up and read scenarios: one organization,
 * its managers and learners created through the API, then ~100,000 sessions with their
 * registrations, cancellations, waitlists and confirmations decided by the real session decider.
 *
 * Sessions are decided in memory in chunks (the real CommandHandler, so ids, metadata and hash
 * chains are exactly what the server writes) and then appended to the SQLite store one stream per
 * append, which is much faster than a durable commit per command.
 */
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { MemoryEventStore } from "../../src/adapters/event-store/memory-event-store.js";
import { SqliteEventStore } from "../../src/adapters/event-store/sqlite-event-store.js";
import type { SessionCommand } from "../../src/domain/sessions/decider.js";
import { sessionDecider } from "../../src/domain/sessions/decider.js";
import { sessionStreamName } from "../../src/domain/sessions/events.js";
import { CommandHandler } from "../../src/domain/shared/command-handler.js";
import { DomainError } from "../../src/domain/shared/errors.js";
import type { EventStore, RecordedEvent } from "../../src/domain/shared/event-store.js";
import { inBatches } from "../../tests/support/many-users.js";
import { createOrganization, ok, startTestServer, type TestServer } from "../../tests/support/test-server.js";

export interface AcademyHistory {
  /** DATA_DIR holding events.sqlite (and a stale read-models.sqlite to rebuild). */
  dataDir: string;
  organizationId: string;
  adminEmail: string;
  adminPassword: string;
  events: number;
  sessions: number;
  /** Commands the decider refused (confirming a session the minimum already confirmed…). */
  refusedCommands: number;
  cleanup(): void;
}

interface Person {
  userId: string;
  email: string;
}

type WithoutContext<C> = C extends unknown ? Omit<C, "context" | "sessionId"> : never;

const CATEGORIES = ["leadership", "sales", "safety", "onboarding", "excel", "negotiation", "coaching", "languages"];
const LANGUAGES = ["en", "fr", "nl", "de"];
const ZONES = ["Europe/Brussels", "Europe/Paris", "Europe/London", "America/New_York"];
const SESSIONS_PER_CHUNK = 1_000;

/** Deterministic pseudo-random numbers (mulberry32), so every run builds the same history. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function createPeople(test: TestServer, adminToken: string, role: string, count: number): Promise<Person[]> {
  return inBatches(
    Array.from({ length: count }, (_, i) => i),
    25,
    async (i) => {
      const email = `${role.toLowerCase()}-${i}@bench.test`;
      const data = ok(
        await test.gql<{ createUser: { id: string } }>(
          `mutation ($input: CreateUserInput!) { createUser(input: $input) { id } }`,
          { input: { email, displayName: `${role[0]}${role.slice(1).toLowerCase()} ${i}`, roles: [role] } },
          adminToken,
        ),
      );
      return { userId: data.createUser.id, email };
    },
  );
}

/** One session's life: created, scheduled, formatted, mostly planned, booked, sometimes canceled. */
async function writeSession(
  handler: CommandHandler<SessionCommand, { type: string; data: object }, unknown>,
  index: number,
  people: { organizationId: string; adminId: string; managers: Person[]; learners: Person[] },
  next: () => number,
  clock: { now: number; refusals: number },
): Promise<void> {
  const sessionId = randomUUID();
  const run = async (command: WithoutContext<SessionCommand>, actorId = people.adminId) => {
    clock.now += 1_000;
    try {
      await handler.handle(sessionStreamName(sessionId), {
        ...command,
        sessionId,
        context: { commandId: randomUUID(), organizationId: people.organizationId, actorId, now: new Date(clock.now), correlationId: randomUUID() },
      } as SessionCommand);
    } catch (error) {
      // A refusal is part of real traffic (e.g. confirming twice); anything else is a bug here.
      if (!(error instanceof DomainError)) throw error;
      clock.refusals += 1;
    }
  };
  const manager = people.managers[index % people.managers.length]!;
  const max = 6 + Math.floor(next() * 9);
  await run({
    type: "CreateSession",
    status: next() < 0.2 ? "LEAD" : "DRAFT",
    mode: "PUBLIC",
    details: {
      name: `${CATEGORIES[index % CATEGORIES.length]} workshop ${index}`,
      summary: "A hands-on session with exercises",
      category: CATEGORIES[index % CATEGORIES.length]!,
      assigneeId: manager.userId,
      language: LANGUAGES[index % LANGUAGES.length]!,
    },
    audience: { mode: "PUBLIC", minParticipants: 3, maxParticipants: max },
  });
  const startsAt = Date.parse("2027-01-04T08:00:00Z") + index * 15 * 60_000;
  await run({
    type: "SetSessionSchedule",
    schedule: {
      startsAt: new Date(startsAt).toISOString(),
      endsAt: new Date(startsAt + 2 * 3600_000).toISOString(),
      timezone: ZONES[index % ZONES.length]!,
      attendanceConfirmationOffsetMinutes: 10,
    },
  });
  await run({ type: "SetSessionFormat", format: { kind: "ONLINE", trainerId: manager.userId, courseId: `course-${index % 500}`, journeyId: null } });
  if (next() < 0.1) return; // stays a draft or lead
  await run({ type: "PlanSession" });

  const bookings = Math.floor(next() * (max + 1));
  const first = Math.floor(next() * people.learners.length);
  const registrations: string[] = [];
  for (let b = 0; b < bookings; b++) {
    const learner = people.learners[(first + b) % people.learners.length]!;
    const registrationId = randomUUID();
    registrations.push(registrationId);
    await run(
      { type: "RegisterForSession", registrationId, participant: { userId: learner.userId, email: learner.email, country: null, teamIds: [] } },
      learner.userId,
    );
  }
  if (registrations.length > 0 && next() < 0.25) {
    await run({ type: "CancelRegistration", registrationId: registrations[0]!, comment: "cannot make it" });
  }
  const outcome = next();
  if (outcome < 0.08) await run({ type: "CancelSession", reason: "trainer unavailable" });
  else if (outcome < 0.35) await run({ type: "ConfirmSession" });
}

/** Appends a chunk decided in memory to the durable store, one append per stream. */
async function copyStreams(from: MemoryEventStore, to: EventStore): Promise<number> {
  const events = await from.readAll();
  const byStream = new Map<string, RecordedEvent[]>();
  for (const event of events) {
    const list = byStream.get(event.streamName) ?? [];
    list.push(event);
    byStream.set(event.streamName, list);
  }
  for (const [stream, list] of byStream) {
    await to.appendToStream(
      stream,
      list.map(({ id, type, data, metadata }) => ({ id, type, data, metadata })),
      { expectedRevision: "no_stream" },
    );
  }
  return events.length;
}

export async function buildAcademyHistory(options: {
  targetEvents: number;
  managers: number;
  learners: number;
  onProgress?: (events: number) => void;
}): Promise<AcademyHistory> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-academy-"));
  const cleanup = () => fs.rmSync(dataDir, { recursive: true, force: true });
  try {
    const test = await startTestServer({ DATA_DIR: dataDir, LOG_LEVEL: "silent" });
    let admin: Awaited<ReturnType<typeof createOrganization>>;
    let managers: Person[];
    let learners: Person[];
    try {
      admin = await createOrganization(test, { adminEmail: "admin@bench.test" });
      managers = await createPeople(test, admin.token, "MANAGER", options.managers);
      learners = await createPeople(test, admin.token, "LEARNER", options.learners);
    } finally {
      await test.stop();
    }
    // As if a server had run alongside: no replica's side effects are left to catch up on (its
    // checkpoint would be at the head), and the read models are rebuilt by the rebuild scenario.
    for (const suffix of ["", "-wal", "-shm"]) fs.rmSync(path.join(dataDir, `read-models.sqlite${suffix}`), { force: true });

    const store = SqliteEventStore.open(path.join(dataDir, "events.sqlite"));
    const next = random(42);
    const clock = { now: Date.parse("2026-11-01T08:00:00Z"), refusals: 0 };
    const people = { organizationId: admin.organizationId, adminId: admin.userId, managers, learners };
    let events = Number((await store.headPosition()) ?? 0n);
    let sessions = 0;
    while (events < options.targetEvents) {
      const memory = new MemoryEventStore();
      const handler = new CommandHandler(memory, sessionDecider) as unknown as CommandHandler<SessionCommand, { type: string; data: object }, unknown>;
      for (let i = 0; i < SESSIONS_PER_CHUNK; i++) await writeSession(handler, sessions + i, people, next, clock);
      sessions += SESSIONS_PER_CHUNK;
      events += await copyStreams(memory, store);
      options.onProgress?.(events);
    }
    await store.close();
    return {
      dataDir,
      organizationId: admin.organizationId,
      adminEmail: admin.email,
      adminPassword: admin.password,
      events,
      sessions,
      refusedCommands: clock.refusals,
      cleanup,
    };
  } catch (error) {
    cleanup();
    throw error;
  }
}
