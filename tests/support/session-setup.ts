import type { Clock } from "../../src/domain/shared/clock.js";
import { localTime } from "./test-clock.js";
import { ok, SESSION_FIELDS, type TestServer } from "./test-server.js";

/** Where a ready session sits unless told otherwise: four weeks after the clock's day, 09:00–17:00 UTC. */
export function defaultSchedule(clock: Clock): { startsAt: string; endsAt: string } {
  return { startsAt: localTime(clock, 29, "09:00"), endsAt: localTime(clock, 29, "17:00") };
}

/** Creates a public session with schedule and format, ready to be planned. */
export async function createReadySession(
  test: TestServer,
  token: string,
  overrides: { name?: string; startsAt?: string; endsAt?: string; min?: number; max?: number } = {},
): Promise<string> {
  const created = ok(
    await test.gql(
      `mutation ($input: CreateSessionInput!) { createSession(input: $input) { id } }`,
      {
        input: {
          name: overrides.name ?? "TypeScript for teams",
          summary: "A hands-on day",
          audience: { mode: "PUBLIC", minParticipants: overrides.min ?? 2, maxParticipants: overrides.max ?? 20 },
        },
      },
      token,
    ),
  );
  const sessionId = created.createSession.id as string;
  const trainerId = ok(await test.gql(`{ me { id } }`, {}, token)).me.id as string;
  ok(
    await test.gql(
      `mutation ($input: SetSessionScheduleInput!) { setSessionSchedule(input: $input) { id } }`,
      {
        input: {
          sessionId,
          startsAt: overrides.startsAt ?? defaultSchedule(test.clock).startsAt,
          endsAt: overrides.endsAt ?? defaultSchedule(test.clock).endsAt,
          attendanceConfirmationOffsetMinutes: 15,
        },
      },
      token,
    ),
  );
  ok(
    await test.gql(
      `mutation ($input: SetSessionFormatInput!) { setSessionFormat(input: $input) { id } }`,
      { input: { sessionId, kind: "WEBINAR", link: "https://meet.example.com/ts", trainerId } },
      token,
    ),
  );
  return sessionId;
}

export const SESSION_QUERY = `query ($id: ID!) { session(id: $id) { ${SESSION_FIELDS} } }`;
