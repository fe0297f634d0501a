/**
 * S9 / S4 — capacity holds across processes, without any lock held across a request.
 *
 * Two independent CommandHandlers (two "processes": each its own SqliteEventStore connection and
 * its own state cache) write one session stream in one shared SQLite file. ~60 concurrent
 * RegisterForSession commands split between them give exactly max seats, everyone else on the
 * waitlist in event order, one MINIMUM_REACHED confirmation; every append names the revision it
 * was decided on, none lands twice, and the only failure a caller may see is CONCURRENCY_CONFLICT
 * (after the bounded retries), which a retry of the same command resolves consistently.
 * A store that rejects one append with WrongExpectedRevisionError shows the retry decides again
 * on fresh state instead of re-appending the stale decision.
 */
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { SqliteEventStore } from "../../src/adapters/event-store/sqlite-event-store.js";
import type { SessionCommand } from "../../src/domain/sessions/decider.js";
import { sessionDecider, type SessionState } from "../../src/domain/sessions/decider.js";
import { sessionStreamName, type SessionEvent } from "../../src/domain/sessions/events.js";
import { CommandHandler, type Decision } from "../../src/domain/shared/command-handler.js";
import type { CommandContext } from "../../src/domain/shared/decider.js";
import { DomainError } from "../../src/domain/shared/errors.js";
import { hashEvent } from "../../src/domain/shared/event-metadata.js";
import {
  type EventStore,
  type ExpectedRevision,
  type RecordedEvent,
  WrongExpectedRevisionError,
} from "../../src/domain/shared/event-store.js";

const ORG = "org-load";
const STAFF = "staff-1";
const SESSION = "session-race";
const STREAM = sessionStreamName(SESSION);
const MAX = 5;
const MIN = 2;
const PEOPLE = 60;

type Handler = CommandHandler<SessionCommand, SessionEvent, SessionState>;

interface AppendCall {
  process: string;
  expected: ExpectedRevision;
  types: string[];
  outcome: "appended" | "conflict" | "failed";
}

let clock = Date.parse("2026-11-01T08:00:00Z");
const ctx = (actorId = STAFF): CommandContext => {
  clock += 1000;
  return { commandId: randomUUID(), organizationId: ORG, actorId, now: new Date(clock), correlationId: randomUUID() };
};

/** Lets the other "process" run between a load and an append, like I/O latency would. */
const otherProcessesRun = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The store as one process sees it: records every append (expected revision, outcome). */
function processStore(inner: EventStore, name: string, calls: AppendCall[]): EventStore {
  return {
    readStream: async (stream, options) => {
      await otherProcessesRun();
      return inner.readStream(stream, options);
    },
    readAll: (options) => inner.readAll(options),
    subscribe: (options) => inner.subscribe(options),
    headPosition: () => inner.headPosition(),
    close: () => inner.close(),
    appendToStream: async (stream, events, options) => {
      await otherProcessesRun();
      const call: AppendCall = { process: name, expected: options.expectedRevision, types: events.map((e) => e.type), outcome: "failed" };
      calls.push(call);
      try {
        const result = await inner.appendToStream(stream, events, options);
        call.outcome = "appended";
        return result;
      } catch (error) {
        if (error instanceof WrongExpectedRevisionError) call.outcome = "conflict";
        throw error;
      }
    },
  };
}

const register = (userId: string): SessionCommand => ({
  type: "RegisterForSession",
  sessionId: SESSION,
  registrationId: `reg-${userId}`,
  participant: { userId, email: `${userId}@people.test`, country: null, teamIds: [] },
  context: ctx(userId),
});

/** A public PLANNED session (max 5, min 2), written with decided commands. */
async function plannedSession(handler: Handler, audience: { min: number; max: number }): Promise<void> {
  const commands: SessionCommand[] = [
    {
      type: "CreateSession",
      sessionId: SESSION,
      status: "DRAFT",
      mode: "PUBLIC",
      details: { name: "Race" },
      audience: { mode: "PUBLIC", minParticipants: audience.min, maxParticipants: audience.max },
      context: ctx(),
    },
    {
      type: "SetSessionSchedule",
      sessionId: SESSION,
      schedule: {
        startsAt: "2026-12-01T09:00:00Z",
        endsAt: "2026-12-01T12:00:00Z",
        timezone: "Europe/Brussels",
        attendanceConfirmationOffsetMinutes: 15,
      },
      context: ctx(),
    },
    {
      type: "SetSessionFormat",
      sessionId: SESSION,
      format: { kind: "WEBINAR", link: "https://meet.example.com/race", trainerId: STAFF, hostId: null },
      context: ctx(),
    },
    { type: "PlanSession", sessionId: SESSION, context: ctx() },
  ];
  for (const command of commands) await handler.handle(STREAM, command);
}

/** The stream replayed by the decider itself. */
function replay(events: RecordedEvent[]): SessionState {
  return events.reduce(
    (state, e) => sessionDecider.evolve(state, { type: e.type, data: e.data } as SessionEvent),
    sessionDecider.initialState(),
  );
}

function expectIntactStream(events: RecordedEvent[]): void {
  expect(events.map((e) => e.revision)).toEqual(events.map((_, i) => BigInt(i)));
  expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
  // Every event was decided on the one before it (N3 chain): nothing appended on a stale view.
  events.forEach((event, i) => {
    expect(event.metadata.previousEventHash).toBe(i === 0 ? null : hashEvent(events[i - 1]!));
  });
}

/** Successful appends tile the stream: each starts right after the previous one, none twice. */
function expectAppendsTileTheStream(calls: AppendCall[], streamLength: number): void {
  for (const call of calls) expect(call.expected === "no_stream" || typeof call.expected === "bigint").toBe(true);
  const landed = calls
    .filter((c) => c.outcome === "appended")
    .map((c) => ({ from: c.expected === "no_stream" ? -1n : (c.expected as bigint), count: BigInt(c.types.length) }))
    .sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  expect(new Set(landed.map((l) => l.from)).size).toBe(landed.length);
  let next = -1n;
  for (const append of landed) {
    expect(append.from).toBe(next);
    next += append.count;
  }
  expect(next).toBe(BigInt(streamLength - 1));
}

const dirs: string[] = [];
const opened: EventStore[] = [];
function sharedFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "registration-race-"));
  dirs.push(dir);
  return path.join(dir, "events.sqlite");
}
function open(file: string): SqliteEventStore {
  const store = SqliteEventStore.open(file);
  opened.push(store);
  return store;
}

afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe("registrations from two processes on one event store file (S9, S4)", () => {
  it(`${PEOPLE} concurrent registrations split over two handlers: exactly ${MAX} seats, the rest waitlisted in event order, one MINIMUM_REACHED`, async () => {
    const file = sharedFile();
    const calls: AppendCall[] = [];
    const one: Handler = new CommandHandler(processStore(open(file), "one", calls), sessionDecider);
    const two: Handler = new CommandHandler(processStore(open(file), "two", calls), sessionDecider);
    await plannedSession(one, { min: MIN, max: MAX });
    // Process two knows the session too (its cache is warm, as in a running server).
    expect((await two.currentState(STREAM)).kind).toBe("Existing");

    const users = Array.from({ length: PEOPLE }, (_, i) => `user-${String(i).padStart(2, "0")}`);
    const commands = new Map(users.map((user) => [user, register(user)]));
    const handlerOf = (user: string) => (users.indexOf(user) % 2 === 0 ? one : two);
    const settled = await Promise.allSettled(users.map((user) => handlerOf(user).handle(STREAM, commands.get(user)!)));

    // The only failure allowed: CONCURRENCY_CONFLICT once the bounded retries ran out.
    const failures = settled.flatMap((s, i) => (s.status === "rejected" ? [{ user: users[i]!, error: s.reason as unknown }] : []));
    for (const { error } of failures) {
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).code).toBe("CONCURRENCY_CONFLICT");
    }
    const conflicts = calls.filter((c) => c.outcome === "conflict").length;
    console.log(
      `[registration-concurrency] ${PEOPLE} commands: ${calls.length} append attempts, ${conflicts} rejected on a stale revision, ` +
        `${failures.length} callers got CONCURRENCY_CONFLICT`,
    );
    // The two processes really raced: some appends were refused on their expected revision.
    expect(conflicts).toBeGreaterThan(0);
    expect(calls.some((c) => c.outcome === "failed")).toBe(false);

    // Those callers try again with the same command (same command id), until it lands.
    const results: Decision<SessionEvent, SessionState>[] = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
    let pending = failures.map((f) => f.user);
    for (let round = 0; pending.length > 0 && round < 10; round++) {
      const retried = await Promise.allSettled(pending.map((user) => handlerOf(user).handle(STREAM, commands.get(user)!)));
      const stillFailing: string[] = [];
      retried.forEach((r, i) => {
        if (r.status === "fulfilled") results.push(r.value);
        else {
          expect((r.reason as DomainError).code).toBe("CONCURRENCY_CONFLICT");
          stillFailing.push(pending[i]!);
        }
      });
      pending = stillFailing;
    }
    expect(pending).toEqual([]);
    expect(results).toHaveLength(PEOPLE);
    // Each command appended its own decision exactly once.
    const appendedTypes = results.flatMap((r) => r.events.map((e) => e.type));
    expect(appendedTypes.filter((t) => t === "ParticipantRegistered")).toHaveLength(MAX);
    expect(appendedTypes.filter((t) => t === "ParticipantWaitlisted")).toHaveLength(PEOPLE - MAX);

    // The log, read by a third connection.
    const events = await open(file).readStream(STREAM);
    expectIntactStream(events);
    expectAppendsTileTheStream(calls, events.length);
    const registrations = events.filter((e) => e.type === "ParticipantRegistered" || e.type === "ParticipantWaitlisted");
    expect(registrations.filter((e) => e.type === "ParticipantRegistered")).toHaveLength(MAX);
    expect(registrations.filter((e) => e.type === "ParticipantWaitlisted")).toHaveLength(PEOPLE - MAX);
    expect(registrations.slice(0, MAX).every((e) => e.type === "ParticipantRegistered")).toBe(true);
    // Everyone exactly once.
    expect(registrations.map((e) => e.data.userId).sort()).toEqual([...users].sort());

    const confirmations = events.filter((e) => e.type === "SessionConfirmed");
    expect(confirmations).toHaveLength(1);
    expect(confirmations[0]!.data).toMatchObject({ from: "PLANNED", to: "CONFIRMED", reason: "MINIMUM_REACHED" });
    const confirmedAt = events.indexOf(confirmations[0]!);
    expect(events.slice(0, confirmedAt).filter((e) => e.type === "ParticipantRegistered")).toHaveLength(MIN);
    expect(events[confirmedAt - 1]!.type).toBe("ParticipantRegistered");

    const state = replay(events);
    if (state.kind !== "Existing") throw new Error("the session should exist");
    expect(state.session).toMatchObject({ status: "CONFIRMED", statusReason: "MINIMUM_REACHED" });
    expect(state.roster.registeredCount).toBe(MAX);
    expect(state.roster.waitlist.toArray()).toEqual(
      registrations.filter((e) => e.type === "ParticipantWaitlisted").map((e) => e.data.registrationId),
    );
    // Registering again changes nothing (S9: one active registration per person), even through the
    // process that did not record it and may still hold an older view of the stream.
    const lastUser = String(registrations[registrations.length - 1]!.data.userId);
    for (const handler of [one, two]) {
      const again = await handler.handle(STREAM, register(lastUser));
      expect(again.events).toEqual([]);
      expect(again.state.kind === "Existing" && again.state.roster).toEqual(state.roster);
    }
    expect(await open(file).readStream(STREAM)).toHaveLength(events.length);
  });

  it("after an append refused with WrongExpectedRevisionError, the retry decides again on fresh state (S9)", async () => {
    const file = sharedFile();
    const base = open(file);
    const setup: Handler = new CommandHandler(base, sessionDecider);
    await plannedSession(setup, { min: 1, max: 2 });
    await setup.handle(STREAM, register("first"));

    // Another process takes the last seat between our load and our append; our append is refused.
    const other: Handler = new CommandHandler(open(file), sessionDecider);
    const attempts: { expected: ExpectedRevision; types: string[]; outcome: string }[] = [];
    let injected = false;
    const flaky: EventStore = {
      ...processStore(base, "flaky", []),
      readStream: (stream, options) => base.readStream(stream, options),
      appendToStream: async (stream, events, options) => {
        const attempt = { expected: options.expectedRevision, types: events.map((e) => e.type), outcome: "appended" };
        attempts.push(attempt);
        if (!injected) {
          injected = true;
          await other.handle(STREAM, register("racer"));
          const actual = (await base.readStream(STREAM, { direction: "backwards", maxCount: 1 }))[0]!.revision;
          attempt.outcome = "conflict";
          throw new WrongExpectedRevisionError(stream, options.expectedRevision, actual);
        }
        return base.appendToStream(stream, events, options);
      },
    };
    const ours: Handler = new CommandHandler(flaky, sessionDecider);
    const before = await ours.currentState(STREAM);
    expect(before.kind === "Existing" && before.roster.registeredCount).toBe(1);

    const result = await ours.handle(STREAM, register("late"));

    // First decision: the free seat; refused. Second, on the reloaded stream: the waitlist.
    expect(attempts.map((a) => [a.types, a.outcome])).toEqual([
      [["ParticipantRegistered"], "conflict"],
      [["ParticipantWaitlisted"], "appended"],
    ]);
    expect(attempts[1]!.expected).toBe((attempts[0]!.expected as bigint) + 1n);
    expect(result.events.map((e) => e.type)).toEqual(["ParticipantWaitlisted"]);
    expect(result.state.kind === "Existing" && result.state.roster.registeredCount).toBe(2);

    const events = await open(file).readStream(STREAM);
    expectIntactStream(events);
    const people = events
      .filter((e) => e.type === "ParticipantRegistered" || e.type === "ParticipantWaitlisted")
      .map((e) => [e.type, e.data.userId]);
    expect(people).toEqual([
      ["ParticipantRegistered", "first"],
      ["ParticipantRegistered", "racer"],
      ["ParticipantWaitlisted", "late"],
    ]);
    // Confirmed once, by the first seat (min 1): the racer's and our decisions did not repeat it.
    expect(events.filter((e) => e.type === "SessionConfirmed")).toHaveLength(1);
  });

  it("a refused append that is simply retried lands once, with no duplicate event", async () => {
    const file = sharedFile();
    const base = open(file);
    await plannedSession(new CommandHandler(base, sessionDecider), { min: 3, max: 5 });
    let failed = 0;
    let reads = 0;
    const flaky: EventStore = {
      ...processStore(base, "flaky", []),
      readStream: (stream, options) => {
        reads += 1;
        return base.readStream(stream, options);
      },
      appendToStream: async (stream, events, options) => {
        if (failed === 0) {
          failed += 1;
          throw new WrongExpectedRevisionError(stream, options.expectedRevision, 99n);
        }
        return base.appendToStream(stream, events, options);
      },
    };
    const handler: Handler = new CommandHandler(flaky, sessionDecider);
    await handler.currentState(STREAM);
    const readsBefore = reads;
    const result = await handler.handle(STREAM, register("solo"));
    expect(failed).toBe(1);
    // A cold read, then the cache is dropped: the retry reads the stream again instead of trusting the stale view.
    expect(reads).toBe(readsBefore + 2);
    expect(result.events.map((e) => e.type)).toEqual(["ParticipantRegistered"]);
    const events = await base.readStream(STREAM);
    expectIntactStream(events);
    expect(events.filter((e) => e.data.userId === "solo")).toHaveLength(1);
  });
});
