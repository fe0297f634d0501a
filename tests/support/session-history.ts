import { randomUUID } from "node:crypto";
import type { SessionCommand } from "../../src/domain/sessions/decider.js";
import { sessionDecider } from "../../src/domain/sessions/decider.js";
import { sessionStreamName } from "../../src/domain/sessions/events.js";
import { CommandHandler } from "../../src/domain/shared/command-handler.js";
import type { CommandContext } from "../../src/domain/shared/decider.js";
import type { EventStore } from "../../src/domain/shared/event-store.js";

type WithoutContext<C> = C extends unknown ? Omit<C, "context" | "sessionId"> : never;

/** Drives the sessions decider through the real command handler, without a server. */
export function sessionWriter(store: EventStore, organizationId = "org-1", actorId = "user-1") {
  const handler = new CommandHandler(store, sessionDecider);
  let clock = Date.parse("2026-11-01T08:00:00Z");
  return {
    handler,
    async run(sessionId: string, command: WithoutContext<SessionCommand>) {
      clock += 60_000;
      const context: CommandContext = {
        commandId: randomUUID(),
        organizationId,
        actorId,
        now: new Date(clock),
        correlationId: randomUUID(),
      };
      return handler.handle(sessionStreamName(sessionId), { ...command, sessionId, context } as SessionCommand);
    },
  };
}

/** A realistic mix: created, scheduled, formatted, some planned, confirmed, canceled, edited. */
export async function writeSessionHistory(store: EventStore, count: number, organizationId = "org-1"): Promise<string[]> {
  const writer = sessionWriter(store, organizationId);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = `s${String(i).padStart(4, "0")}-${organizationId}`;
    ids.push(id);
    await writer.run(id, {
      type: "CreateSession",
      status: i % 5 === 0 ? "LEAD" : "DRAFT",
      mode: "PUBLIC",
      details: { name: `Session ${i}`, summary: i % 2 ? "odd one" : "even one", category: `cat-${i % 3}` },
      audience: { mode: "PUBLIC", minParticipants: 1, maxParticipants: 10 + i },
    });
    await writer.run(id, {
      type: "SetSessionSchedule",
      schedule: {
        startsAt: new Date(Date.parse("2026-12-01T09:00:00Z") + i * 86_400_000).toISOString(),
        endsAt: new Date(Date.parse("2026-12-01T11:00:00Z") + i * 86_400_000).toISOString(),
        timezone: "Europe/Brussels",
        attendanceConfirmationOffsetMinutes: 10,
      },
    });
    await writer.run(id, { type: "SetSessionFormat", format: { kind: "ONLINE", trainerId: null, courseId: `c${i}`, journeyId: null } });
    if (i % 4 !== 3) await writer.run(id, { type: "PlanSession" });
    if (i % 4 === 1) await writer.run(id, { type: "ConfirmSession" });
    if (i % 4 === 2) await writer.run(id, { type: "CancelSession", reason: `canceled ${i}` });
    if (i % 4 === 0) await writer.run(id, { type: "EditSessionDetails", changes: { name: `Session ${i} (renamed)`, language: "fr" } });
  }
  return ids;
}
