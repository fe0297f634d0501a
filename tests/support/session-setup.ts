import { ok, SESSION_FIELDS, type TestServer } from "./test-server.js";

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
          startsAt: overrides.startsAt ?? "2026-12-01T09:00:00Z",
          endsAt: overrides.endsAt ?? "2026-12-01T17:00:00Z",
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
