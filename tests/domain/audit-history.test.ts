/**
 * N3, the domain side of the auditors' tools (src/domain/audit/history.ts):
 * - stateAsOf rebuilds an aggregate with the decider's own evolve from the events up to a revision
 *   and/or an instant (both inclusive); an empty prefix is the decider's initial state;
 * - HashChainVerifier, over chains written by the real CommandHandler in the memory event store,
 *   finds them intact, and reports altering (data or metadata), removing and reordering events at
 *   the first event, in log order, whose recorded previousEventHash no longer matches — across
 *   several interleaved streams.
 */
import { describe, expect, it } from "vitest";
import { MemoryEventStore } from "../../src/adapters/event-store/memory-event-store.js";
import { HashChainVerifier, stateAsOf, verifyStreams } from "../../src/domain/audit/history.js";
import { sessionDecider, type SessionState } from "../../src/domain/sessions/decider.js";
import { hashEvent } from "../../src/domain/shared/event-metadata.js";
import type { RecordedEvent } from "../../src/domain/shared/event-store.js";
import { sessionWriter } from "../support/session-history.js";

type Writer = ReturnType<typeof sessionWriter>;

const participant = (n: number) => ({ userId: `learner-${n}`, email: `learner${n}@people.test`, country: null, teamIds: [] });

/** The status, name and counts of a session state, by hand (null before the session exists). */
function summary(state: SessionState) {
  if (state.kind === "Initial") return null;
  return {
    status: state.session.status,
    name: state.session.details.name,
    registered: state.roster.registeredCount,
    waitlisted: state.roster.waitlist.size,
  };
}

/**
 * One session's life; returns what the command handler said the state was after each command,
 * with the revision it reached.
 */
async function liveOneSession(writer: Writer, id: string) {
  const steps: { revision: bigint; state: SessionState }[] = [];
  const run = async (command: Parameters<Writer["run"]>[1]) => {
    const result = await writer.run(id, command);
    steps.push({ revision: result.revision!, state: result.state });
  };
  await run({
    type: "CreateSession",
    status: "DRAFT",
    mode: "PUBLIC",
    details: { name: "First name" },
    audience: { mode: "PUBLIC", minParticipants: 2, maxParticipants: 2 },
  });
  await run({ type: "EditSessionDetails", changes: { name: "Second name" } });
  await run({
    type: "SetSessionSchedule",
    schedule: {
      startsAt: "2026-12-01T09:00:00.000Z",
      endsAt: "2026-12-01T11:00:00.000Z",
      timezone: "Europe/Brussels",
      attendanceConfirmationOffsetMinutes: 10,
    },
  });
  await run({ type: "SetSessionFormat", format: { kind: "ONLINE", trainerId: null, courseId: "c1", journeyId: null } });
  await run({ type: "PlanSession" });
  await run({ type: "RegisterForSession", registrationId: "r1", participant: participant(1) });
  // S4: the second registration reaches the minimum: ParticipantRegistered + SessionConfirmed at once.
  await run({ type: "RegisterForSession", registrationId: "r2", participant: participant(2) });
  await run({ type: "RegisterForSession", registrationId: "r3", participant: participant(3) });
  await run({ type: "CancelSession", reason: "trainer ill" });
  return steps;
}

describe("stateAsOf (N3: the session exactly as it was)", () => {
  it("stops at the revision (inclusive): every command's end state, as the command handler had it", async () => {
    const store = new MemoryEventStore();
    const steps = await liveOneSession(sessionWriter(store), "a");
    const events = await store.readStream("session-a");
    expect(events.map((e) => e.type)).toEqual([
      "SessionCreated",
      "SessionDetailsEdited",
      "SessionScheduleSet",
      "SessionFormatSet",
      "SessionPlanned",
      "ParticipantRegistered",
      "ParticipantRegistered",
      "SessionConfirmed",
      "ParticipantWaitlisted",
      "SessionCanceled",
      "RegistrationCanceled",
      "RegistrationCanceled",
      "RegistrationCanceled",
    ]);
    for (const step of steps) {
      const past = stateAsOf(sessionDecider, events, { revision: step.revision });
      expect(past.revision).toBe(step.revision);
      expect(past.lastEvent?.revision).toBe(step.revision);
      expect(past.state).toEqual(step.state);
    }
  });

  it("gives the status, name and counts of each revision, including ones inside a multi-event command", async () => {
    const store = new MemoryEventStore();
    await liveOneSession(sessionWriter(store), "a");
    const events = await store.readStream("session-a");
    const at = (revision: bigint) => summary(stateAsOf(sessionDecider, events, { revision }).state);
    expect(at(0n)).toEqual({ status: "DRAFT", name: "First name", registered: 0, waitlisted: 0 });
    expect(at(1n)).toEqual({ status: "DRAFT", name: "Second name", registered: 0, waitlisted: 0 });
    expect(at(4n)).toEqual({ status: "PLANNED", name: "Second name", registered: 0, waitlisted: 0 });
    expect(at(5n)).toEqual({ status: "PLANNED", name: "Second name", registered: 1, waitlisted: 0 });
    // Between the second registration and the confirmation it caused (never visible through the API).
    expect(at(6n)).toEqual({ status: "PLANNED", name: "Second name", registered: 2, waitlisted: 0 });
    expect(at(7n)).toEqual({ status: "CONFIRMED", name: "Second name", registered: 2, waitlisted: 0 });
    expect(at(8n)).toEqual({ status: "CONFIRMED", name: "Second name", registered: 2, waitlisted: 1 });
    expect(at(9n)).toEqual({ status: "CANCELED", name: "Second name", registered: 2, waitlisted: 1 });
    expect(at(12n)).toEqual({ status: "CANCELED", name: "Second name", registered: 0, waitlisted: 0 });
    // A revision past the end is the current state.
    expect(stateAsOf(sessionDecider, events, { revision: 99n })).toMatchObject({ revision: 12n });
    expect(at(99n)).toEqual(at(12n));
  });

  it("stops at the instant (inclusive): events that occurred at `at` count, later ones do not", async () => {
    const store = new MemoryEventStore();
    const writer = sessionWriter(store); // its clock moves one minute per command
    const steps = await liveOneSession(writer, "a");
    const events = await store.readStream("session-a");
    for (const step of steps) {
      const last = events.find((e) => e.revision === step.revision)!;
      const instant = Date.parse(String(last.metadata.occurredAt));
      for (const at of [instant, instant + 59_999]) {
        const past = stateAsOf(sessionDecider, events, { at: new Date(at) });
        expect(past.revision).toBe(step.revision);
        expect(past.state).toEqual(step.state);
      }
    }
    // One millisecond before the confirmation's command: the two events of that command are both out.
    const confirming = events.find((e) => e.type === "SessionConfirmed")!;
    const before = stateAsOf(sessionDecider, events, { at: new Date(Date.parse(String(confirming.metadata.occurredAt)) - 1) });
    expect(before.revision).toBe(5n);
    expect(summary(before.state)).toMatchObject({ status: "PLANNED", registered: 1 });
  });

  it("with both an instant and a revision, stops at whichever comes first", async () => {
    const store = new MemoryEventStore();
    await liveOneSession(sessionWriter(store), "a");
    const events = await store.readStream("session-a");
    const planned = events.find((e) => e.type === "SessionPlanned")!;
    const plannedAt = new Date(String(planned.metadata.occurredAt));
    expect(stateAsOf(sessionDecider, events, { at: plannedAt, revision: 1n }).revision).toBe(1n);
    expect(stateAsOf(sessionDecider, events, { at: plannedAt, revision: 10n }).revision).toBe(planned.revision);
  });

  it("with an empty prefix gives the initial state and no revision", async () => {
    const store = new MemoryEventStore();
    await liveOneSession(sessionWriter(store), "a");
    const events = await store.readStream("session-a");
    const created = Date.parse(String(events[0]!.metadata.occurredAt));
    const beforeCreation = stateAsOf(sessionDecider, events, { at: new Date(created - 1) });
    expect(beforeCreation).toEqual({ state: { kind: "Initial" }, revision: null, lastEvent: null });
    expect(stateAsOf(sessionDecider, [], { revision: 3n })).toEqual({ state: { kind: "Initial" }, revision: null, lastEvent: null });
    expect(stateAsOf(sessionDecider, [], {})).toMatchObject({ state: sessionDecider.initialState(), revision: null });
    // Revision 0 is the first event, not nothing.
    expect(summary(stateAsOf(sessionDecider, events, { revision: 0n }).state)).toMatchObject({ name: "First name" });
  });

  it("without a limit replays the whole stream, like the command handler's load", async () => {
    const store = new MemoryEventStore();
    const writer = sessionWriter(store);
    const steps = await liveOneSession(writer, "a");
    const events = await store.readStream("session-a");
    expect(stateAsOf(sessionDecider, events, {})).toMatchObject({ state: steps.at(-1)!.state, revision: 12n });
    expect(await writer.handler.currentState("session-a")).toEqual(steps.at(-1)!.state);
  });

  it("uses when the store recorded an event when its metadata has no occurredAt", () => {
    const recorded = (revision: bigint, recordedAt: string, data: Record<string, unknown>, type: string): RecordedEvent => ({
      id: `e${revision}`,
      type,
      streamName: "session-x",
      revision,
      position: revision + 1n,
      data,
      metadata: {},
      recordedAt: new Date(recordedAt),
    });
    const created = recorded(
      0n,
      "2026-01-01T10:00:00Z",
      {
        sessionId: "x",
        organizationId: "org-1",
        status: "DRAFT",
        mode: "PUBLIC",
        details: { name: "Old", summary: null, description: null, assigneeId: null, category: null, imageUrl: null, language: null, availableCountries: [], currency: null, contentAccessibleBeforePayment: false, price: null, promotionalPrice: null, promoStartsAt: null, promoEndsAt: null, vatCategory: null, privateNote: null },
        audience: null,
        createdBy: "u",
        createdAt: "2026-01-01T10:00:00Z",
      },
      "SessionCreated",
    );
    const edited = recorded(1n, "2026-01-02T10:00:00Z", { sessionId: "x", changes: { name: "New" } }, "SessionDetailsEdited");
    const past = stateAsOf(sessionDecider, [created, edited], { at: new Date("2026-01-01T12:00:00Z") });
    expect(past.revision).toBe(0n);
    expect(summary(past.state)).toMatchObject({ name: "Old" });
    expect(summary(stateAsOf(sessionDecider, [created, edited], { at: new Date("2026-01-02T10:00:00Z") }).state)).toMatchObject({
      name: "New",
    });
  });
});

// -------------------------------------------------------------------------------------------------
// Hash chains
// -------------------------------------------------------------------------------------------------

/** Three sessions whose commands interleave in the log: a, b, c, a, b, c, … */
async function interleavedLog(): Promise<RecordedEvent[]> {
  const store = new MemoryEventStore();
  const writer = sessionWriter(store);
  const ids = ["a", "b", "c"];
  for (const id of ids) {
    await writer.run(id, {
      type: "CreateSession",
      status: "DRAFT",
      mode: "PUBLIC",
      details: { name: `Session ${id}` },
      audience: { mode: "PUBLIC", minParticipants: 1, maxParticipants: 5 },
    });
  }
  for (let round = 1; round <= 4; round++) {
    for (const id of ids) await writer.run(id, { type: "EditSessionDetails", changes: { summary: `${id} round ${round}` } });
  }
  // A command writing several events at once: S10 cancels with one event per registration.
  for (const id of ids) {
    await writer.run(id, {
      type: "SetSessionSchedule",
      schedule: {
        startsAt: "2026-12-01T09:00:00.000Z",
        endsAt: "2026-12-01T11:00:00.000Z",
        timezone: "Europe/Brussels",
        attendanceConfirmationOffsetMinutes: 10,
      },
    });
    await writer.run(id, { type: "SetSessionFormat", format: { kind: "ONLINE", trainerId: null, courseId: "c", journeyId: null } });
    await writer.run(id, { type: "PlanSession" });
    await writer.run(id, { type: "RegisterForSession", registrationId: `${id}-r1`, participant: participant(1) });
    await writer.run(id, { type: "RegisterForSession", registrationId: `${id}-r2`, participant: participant(2) });
  }
  for (const id of ids) await writer.run(id, { type: "CancelSession", reason: "closed" });
  return store.readAll();
}

function verify(events: readonly RecordedEvent[]): HashChainVerifier {
  const verifier = new HashChainVerifier();
  for (const event of events) verifier.check(event);
  return verifier;
}

const find = (log: readonly RecordedEvent[], stream: string, revision: bigint) =>
  log.find((e) => e.streamName === stream && e.revision === revision)!;

describe("HashChainVerifier (N3: each event holds the hash of the previous one in its stream)", () => {
  it("finds the chains written by the command handler intact, across interleaved streams", async () => {
    const log = await interleavedLog();
    // The streams really interleave, and multi-event commands are in the log.
    expect(log.slice(0, 6).map((e) => e.streamName)).toEqual(["session-a", "session-b", "session-c", "session-a", "session-b", "session-c"]);
    expect(log.filter((e) => e.type === "RegistrationCanceled")).toHaveLength(6);
    const verifier = verify(log);
    expect(verifier.firstBreak).toBeNull();
    expect(verifier.events).toBe(log.length);
    expect(verifier.streams).toBe(3);
  });

  it("checks in batches: state is kept between calls", async () => {
    const log = await interleavedLog();
    const verifier = new HashChainVerifier();
    for (let i = 0; i < log.length; i += 7) for (const event of log.slice(i, i + 7)) verifier.check(event);
    expect(verifier.firstBreak).toBeNull();
    expect(verifier.events).toBe(log.length);
  });

  it("reports altered data at the next event of that stream, not at the altered one nor in other streams", async () => {
    const log = await interleavedLog();
    const original = find(log, "session-b", 2n);
    const altered = { ...original, data: { ...original.data, changes: { summary: "forged" } } };
    const tampered = log.map((e) => (e === original ? altered : e));
    const next = find(log, "session-b", 3n);
    const verifier = verify(tampered);
    expect(verifier.firstBreak).toEqual({
      streamName: "session-b",
      revision: 3n,
      position: next.position,
      eventId: next.id,
      expectedPreviousHash: hashEvent(altered),
      recordedPreviousHash: hashEvent(original),
    });
    expect(verifier.events).toBe(log.length);
  });

  it("reports altered metadata (who, when) the same way", async () => {
    const log = await interleavedLog();
    const original = find(log, "session-c", 0n);
    const altered = { ...original, metadata: { ...original.metadata, actorId: "someone-else" } };
    const verifier = verify(log.map((e) => (e === original ? altered : e)));
    expect(verifier.firstBreak).toMatchObject({ streamName: "session-c", revision: 1n, eventId: find(log, "session-c", 1n).id });
  });

  it("reports an altered event inside a multi-event command at the event right after it", async () => {
    const log = await interleavedLog();
    const canceled = log.find((e) => e.streamName === "session-a" && e.type === "SessionCanceled")!;
    const forged = { ...canceled, data: { ...canceled.data, reason: "forged" } };
    const verifier = verify(log.map((e) => (e === canceled ? forged : e)));
    expect(verifier.firstBreak).toMatchObject({ streamName: "session-a", revision: canceled.revision + 1n });
    expect(find(log, "session-a", canceled.revision + 1n).type).toBe("RegistrationCanceled");
  });

  it("reports a removed event at the one that followed it", async () => {
    const log = await interleavedLog();
    const removed = find(log, "session-a", 3n);
    const next = find(log, "session-a", 4n);
    const verifier = verify(log.filter((e) => e !== removed));
    expect(verifier.firstBreak).toEqual({
      streamName: "session-a",
      revision: 4n,
      position: next.position,
      eventId: next.id,
      expectedPreviousHash: hashEvent(find(log, "session-a", 2n)),
      recordedPreviousHash: hashEvent(removed),
    });
  });

  it("reports a removed first event at the stream's new first event (nothing was expected before it)", async () => {
    const log = await interleavedLog();
    const first = find(log, "session-b", 0n);
    const verifier = verify(log.filter((e) => e !== first));
    expect(verifier.firstBreak).toMatchObject({
      streamName: "session-b",
      revision: 1n,
      expectedPreviousHash: null,
      recordedPreviousHash: hashEvent(first),
    });
  });

  it("reports two events of a stream swapped in the log at the first one seen out of order", async () => {
    const log = await interleavedLog();
    const one = find(log, "session-c", 1n);
    const two = find(log, "session-c", 2n);
    const swapped = log.map((e) => (e === one ? two : e === two ? one : e));
    const verifier = verify(swapped);
    expect(verifier.firstBreak).toEqual({
      streamName: "session-c",
      revision: 2n,
      position: two.position,
      eventId: two.id,
      expectedPreviousHash: hashEvent(find(log, "session-c", 0n)),
      recordedPreviousHash: hashEvent(one),
    });
  });

  it("reports revisions renumbered in place (two events exchanging revisions) at the first renumbered one", async () => {
    const log = await interleavedLog();
    const one = find(log, "session-b", 1n);
    const two = find(log, "session-b", 2n);
    const renumbered = log.map((e) => (e === one ? { ...one, revision: 2n } : e === two ? { ...two, revision: 1n } : e));
    const verifier = verify(renumbered);
    expect(verifier.firstBreak).toMatchObject({ streamName: "session-b", revision: 2n, eventId: one.id, position: one.position });
  });

  it("reports only the first break in log order when several streams were tampered with", async () => {
    const log = await interleavedLog();
    // session-c is altered earlier in the log than session-a.
    const inC = find(log, "session-c", 1n);
    const inA = find(log, "session-a", 3n);
    expect(inC.position).toBeLessThan(inA.position);
    const tampered = log.map((e) =>
      e === inC || e === inA ? { ...e, data: { ...e.data, changes: { summary: "forged" } } } : e,
    );
    const verifier = verify(tampered);
    expect(verifier.firstBreak).toMatchObject({ streamName: "session-c", revision: 2n, eventId: find(log, "session-c", 2n).id });
    expect(verifier.events).toBe(log.length);
    // Without the earlier one, the later one is reported.
    const onlyA = log.map((e) => (e === inA ? { ...e, data: { ...e.data, changes: { summary: "forged" } } } : e));
    expect(verify(onlyA).firstBreak).toMatchObject({ streamName: "session-a", revision: 4n });
  });

  it("fed stream after stream (as verifyStreams reads the store), still reports the break earliest in the log", async () => {
    const log = await interleavedLog();
    const inC = find(log, "session-c", 1n);
    const inA = find(log, "session-a", 3n);
    const tampered = log.map((e) => (e === inC || e === inA ? { ...e, data: { ...e.data, changes: { summary: "forged" } } } : e));
    const streamAfterStream = [...tampered].sort((x, y) => x.streamName.localeCompare(y.streamName) || Number(x.revision - y.revision));
    expect(streamAfterStream[0]!.streamName).toBe("session-a");
    expect(verify(streamAfterStream).firstBreak).toMatchObject({ streamName: "session-c", revision: 2n });
    // And through verifyStreams itself, page by page.
    const reader = {
      readStream: async (name: string, options?: { fromRevision?: bigint; maxCount?: number }) =>
        streamAfterStream
          .filter((e) => e.streamName === name && e.revision >= (options?.fromRevision ?? 0n))
          .slice(0, options?.maxCount),
    };
    async function* names() {
      yield* new Set(streamAfterStream.map((e) => e.streamName));
    }
    let pauses = 0;
    const paged = await verifyStreams(reader, names(), 2, async () => void pauses++);
    expect(paged.firstBreak).toMatchObject({ streamName: "session-c", revision: 2n });
    expect(paged.events).toBe(log.length);
    expect(pauses).toBeGreaterThan(log.length / 2);
  });

  it("does not take a stream's first event to follow another stream's last one", async () => {
    const log = await interleavedLog();
    // A chain pointing at another stream's event is broken even if that hash exists elsewhere.
    const target = find(log, "session-b", 0n);
    const forged = { ...target, metadata: { ...target.metadata, previousEventHash: hashEvent(find(log, "session-a", 0n)) } };
    expect(verify(log.map((e) => (e === target ? forged : e))).firstBreak).toMatchObject({
      streamName: "session-b",
      revision: 0n,
      expectedPreviousHash: null,
    });
  });
});
