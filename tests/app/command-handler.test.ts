import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { eventCodec } from "../../src/domain/shared/event-codec.js";
import type { Actor } from "../../src/domain/access/actor.js";
import { canSeeSession } from "../../src/domain/access/session-visibility.js";
import type { SessionState } from "../../src/domain/sessions/decider.js";
import { notFound } from "../../src/graphql/errors.js";
import { MemoryEventStore } from "../../src/adapters/event-store/memory-event-store.js";
import { SqliteEventStore } from "../../src/adapters/event-store/sqlite-event-store.js";
import { CommandHandler } from "../../src/domain/shared/command-handler.js";
import type { CommandContext, Decider } from "../../src/domain/shared/decider.js";
import { hashEvent } from "../../src/domain/shared/event-metadata.js";
import { DomainError } from "../../src/domain/shared/errors.js";
import type { EventStore } from "../../src/domain/shared/event-store.js";
import { sessionWriter } from "../support/session-history.js";
import { TEST_NOW } from "../support/test-clock.js";

const create = { type: "CreateSession", status: "DRAFT", mode: "PUBLIC", details: { name: "Shared" } } as const;

describe("command handler", () => {
  it("chains each event to the hash of the previous one in its stream (N3)", async () => {
    const store = new MemoryEventStore();
    const writer = sessionWriter(store);
    await writer.run("a", create);
    await writer.run("a", { type: "EditSessionDetails", changes: { summary: "one", category: "x" } });
    await writer.run("a", { type: "MarkSessionAsLead" });
    const events = await store.readStream("session-a");
    expect(events[0]!.metadata.previousEventHash).toBeNull();
    for (let i = 1; i < events.length; i++) {
      expect(events[i]!.metadata.previousEventHash).toBe(hashEvent(events[i - 1]!));
    }
  });

  it("returns no events and writes nothing for a command already applied", async () => {
    const store = new MemoryEventStore();
    const writer = sessionWriter(store);
    await writer.run("a", create);
    const head = await store.headPosition();
    const again = await writer.run("a", { type: "EditSessionDetails", changes: { name: "Shared" } });
    // Nothing appended; its position is the stream's last event, for a reader to wait for.
    expect(again).toMatchObject({ events: [], position: head });
    expect(await store.headPosition()).toBe(head);
  });

  it("resolves a conflict with another process by reloading and deciding again", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "handler-"));
    const file = path.join(dir, "events.sqlite");
    const stores: EventStore[] = [SqliteEventStore.open(file), SqliteEventStore.open(file)];
    const [one, two] = stores.map((store) => sessionWriter(store));
    await one!.run("s", create);
    await two!.run("s", { type: "EditSessionDetails", changes: { summary: "warm the cache of process two" } });
    // Process one's cache is now stale: its append conflicts, it reloads, and the edit still lands.
    await one!.run("s", { type: "EditSessionDetails", changes: { category: "from one" } });
    const edits = await Promise.all(
      Array.from({ length: 12 }, (_, i) => (i % 2 ? one! : two!).run("s", { type: "EditSessionDetails", changes: { description: `d${i}` } })),
    );
    expect(edits.every((e) => e.events.length <= 1)).toBe(true);
    const events = await stores[0]!.readStream("session-s");
    expect(events.map((e) => e.revision)).toEqual(events.map((_, i) => BigInt(i)));
    expect(events[2]!.data).toMatchObject({ changes: { category: "from one" } });
    for (const store of stores) await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("checks a refusal decided on its cached state again on what the store holds now (another process moved on)", async () => {
    type Event = { type: "Noted"; data: Record<string, never> } | { type: "Opened"; data: Record<string, never> } | { type: "Used"; data: Record<string, never> };
    type Command = { type: "Open" | "Use" | "Note"; context: CommandContext };
    const gate: Decider<Command, Event, { open: boolean }> = {
      codec: eventCodec<Event>({ Noted: z.object({}), Opened: z.object({}), Used: z.object({}) }),
      initialState: () => ({ open: false }),
      evolve: (state, event) => (event.type === "Opened" ? { open: true } : state),
      decide: (command, state) => {
        if (command.type === "Note") return [{ type: "Noted", data: {} }];
        if (command.type === "Open") return state.open ? [] : [{ type: "Opened", data: {} }];
        if (!state.open) throw new DomainError("SESSION_NOT_OPEN", "closed");
        return [{ type: "Used", data: {} }];
      },
    };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "handler-"));
    const file = path.join(dir, "events.sqlite");
    const stores = [SqliteEventStore.open(file), SqliteEventStore.open(file)];
    const [one, two] = stores.map((store) => new CommandHandler(store, gate));
    const context = (): CommandContext => ({
      commandId: crypto.randomUUID(),
      organizationId: "org-1",
      actorId: "user-1",
      now: TEST_NOW,
      correlationId: crypto.randomUUID(),
    });
    await one!.handle("gate-1", { type: "Note", context: context() });
    await two!.handle("gate-1", { type: "Open", context: context() });
    await one!.handle("gate-1", { type: "Use", context: context() }).catch(() => undefined);
    // Process one had "closed" cached from its own append; the store said "open".
    const events = await stores[0]!.readStream("gate-1");
    expect(events.map((e) => e.type)).toEqual(["Noted", "Opened", "Used"]);
    // A refusal that holds on fresh state is still answered.
    const closed = await one!.handle("gate-2", { type: "Use", context: context() }).catch((e: unknown) => e);
    expect((closed as DomainError).code).toBe("SESSION_NOT_OPEN");
    for (const store of stores) await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("gives up with CONCURRENCY_CONFLICT after a bounded number of attempts", async () => {
    const store = new MemoryEventStore();
    const writer = sessionWriter(store);
    await writer.run("c", create);
    // Another writer moves the stream between every load and append.
    let appends = 0;
    const racing: EventStore = {
      readStream: (stream, options) => store.readStream(stream, options),
      readAll: (options) => store.readAll(options),
      subscribe: (options) => store.subscribe(options),
      headPosition: () => store.headPosition(),
      close: () => store.close(),
      appendToStream: async (stream, events, options) => {
        appends += 1;
        const other = { sessionId: "c", changes: { summary: `racer ${appends}` } };
        await store.appendToStream(stream, [{ ...events[0]!, id: crypto.randomUUID(), data: other }], options);
        return store.appendToStream(stream, events, options);
      },
    };
    const loser = sessionWriter(racing);
    const error = await loser
      .run("c", { type: "EditSessionDetails", changes: { summary: "never" } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe("CONCURRENCY_CONFLICT");
    expect(appends).toBe(5);
  });
});

describe("a refusal decided on a cached state is confirmed on fresh state (two handlers on one store)", () => {
  it("a learner registering through a process that cached the session as DRAFT is not told NOT_FOUND once another process planned it", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "handler-stale-"));
    const file = path.join(dir, "events.sqlite");
    const stores: EventStore[] = [SqliteEventStore.open(file), SqliteEventStore.open(file)];
    const [a, b] = stores.map((store) => sessionWriter(store));
    await a!.run("open-later", create);
    await a!.run("open-later", {
      type: "SetSessionSchedule",
      schedule: { startsAt: "2026-12-01T09:00:00.000Z", endsAt: "2026-12-01T12:00:00.000Z", timezone: "UTC", attendanceConfirmationOffsetMinutes: 15 },
    });
    await a!.run("open-later", { type: "SetSessionFormat", format: { kind: "ONLINE", trainerId: null, courseId: "c1", journeyId: null } });
    await a!.run("open-later", { type: "SetSessionAudience", audience: { mode: "PUBLIC", minParticipants: 1, maxParticipants: 5 } });
    // A has the session cached as DRAFT; B plans it.
    await b!.run("open-later", { type: "PlanSession" });

    const learner: Actor = { kind: "USER", userId: "learner-1", organizationId: "org-1", email: "l@example.com", roles: ["LEARNER"], teamIds: [] };
    // What the API's registration guard does: a session the caller cannot see is NOT_FOUND (a GraphQL error, not a DomainError).
    const visibleToLearner = (state: SessionState) => {
      if (state.kind === "Initial" || !canSeeSession(learner, state.session)) throw notFound("Session", "open-later");
    };
    const result = await a!.handler.handle("session-open-later", (state) => {
      visibleToLearner(state);
      return {
        type: "RegisterForSession",
        sessionId: "open-later",
        registrationId: "registration-1",
        participant: { userId: learner.userId, email: learner.email, country: null, teamIds: [] },
        context: { commandId: crypto.randomUUID(), organizationId: "org-1", actorId: learner.userId, now: TEST_NOW, correlationId: "c" },
      };
    });
    expect(result.events.map((e) => e.type)).toContain("ParticipantRegistered");

    // A refusal that holds on fresh state is still answered: a DRAFT session stays invisible.
    await a!.run("still-draft", create);
    const refusal = await a!.handler
      .handle("session-still-draft", (state) => {
        if (state.kind === "Initial" || !canSeeSession(learner, state.session)) throw notFound("Session", "still-draft");
        return { type: "RegisterForSession", sessionId: "still-draft", registrationId: "registration-2", participant: { userId: learner.userId, email: learner.email, country: null, teamIds: [] }, context: { commandId: crypto.randomUUID(), organizationId: "org-1", actorId: learner.userId, now: TEST_NOW, correlationId: "c" } };
      })
      .catch((error: unknown) => error);
    expect(refusal).toMatchObject({ extensions: { code: "NOT_FOUND" } });
    for (const store of stores) await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
