import { randomUUID } from "node:crypto";
import type { SessionCommand } from "../../src/domain/sessions/decider.js";
import { sessionDecider } from "../../src/domain/sessions/decider.js";
import { sessionStreamName } from "../../src/domain/sessions/events.js";
import { CommandHandler } from "../../src/domain/shared/command-handler.js";
import type { EventStore } from "../../src/domain/shared/event-store.js";

type WithoutContext<C> = C extends unknown ? Omit<C, "context" | "sessionId"> : never;

/**
 * Sessions of two seats with a full roster history, through the real decider: seats, a
 * waitlist, a cancellation that promotes, staff attendance once started, and the cancellation of
 * someone who had attended. Each session ends with 2 registered, 0 waiting, 1 attended.
 */
export async function writeRegistrationHistory(store: EventStore, count: number, organizationId = "org-1"): Promise<string[]> {
  const handler = new CommandHandler(store, sessionDecider);
  let now = Date.parse("2026-11-01T08:00:00Z");
  const run = (sessionId: string, actorId: string, command: WithoutContext<SessionCommand>) => {
    now += 60_000;
    const context = { commandId: randomUUID(), organizationId, actorId, now: new Date(now), correlationId: randomUUID() };
    return handler.handle(sessionStreamName(sessionId), { ...command, sessionId, context } as SessionCommand);
  };
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = `r${String(i).padStart(4, "0")}-${organizationId}`;
    ids.push(id);
    now = Date.parse("2026-11-01T08:00:00Z");
    const startsAt = Date.parse("2026-12-01T09:00:00Z") + i * 86_400_000;
    await run(id, "staff", {
      type: "CreateSession",
      status: "DRAFT",
      mode: "PUBLIC",
      details: { name: `Course ${i}` },
      audience: { mode: "PUBLIC", minParticipants: 1, maxParticipants: 2 },
    });
    await run(id, "staff", {
      type: "SetSessionSchedule",
      schedule: {
        startsAt: new Date(startsAt).toISOString(),
        endsAt: new Date(startsAt + 2 * 3_600_000).toISOString(),
        timezone: "Europe/Brussels",
        attendanceConfirmationOffsetMinutes: 10,
      },
    });
    await run(id, "staff", { type: "SetSessionFormat", format: { kind: "ONLINE", trainerId: null, courseId: `c${i}`, journeyId: null } });
    await run(id, "staff", { type: "PlanSession" });
    const registration = (n: number) => `${id}-reg-${n}`;
    for (const n of [1, 2, 3, 4]) {
      const userId = `${id}-user-${n}`;
      await run(id, userId, {
        type: "RegisterForSession",
        registrationId: registration(n),
        participant: { userId, email: `${userId}@example.test`, country: null, teamIds: [] },
      });
    }
    // A seat freed before the start: the first waiting (3) takes it.
    await run(id, `${id}-user-1`, { type: "CancelRegistration", registrationId: registration(1) });
    now = startsAt + 30 * 60_000;
    await run(id, "staff", { type: "ConfirmAttendance", method: "STAFF", registrationId: registration(2) });
    await run(id, "staff", { type: "ConfirmAttendance", method: "STAFF", registrationId: registration(3) });
    // Someone who had attended is taken off: the count of attendees drops, and 4 gets the seat.
    await run(id, "staff", { type: "CancelRegistration", registrationId: registration(2) });
  }
  return ids;
}
