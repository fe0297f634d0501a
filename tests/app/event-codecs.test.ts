/**
 * Every stored event is read through its context's codec: upcast from the schema version it was
 * written with, then parsed with the event type's schema (no casts). Older shapes stay readable.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sessionEventCodec } from "../../src/domain/sessions/events.js";
import { EMPTY_DETAILS } from "../../src/domain/sessions/values.js";
import { EventDecodingError } from "../../src/domain/shared/event-codec.js";
import { SCHEMA_VERSION } from "../../src/domain/shared/event-metadata.js";
import { userEventCodec } from "../../src/domain/users/events.js";
import { DAY, HOUR } from "../support/test-clock.js";
import { addMember, createOrganization, ok, refused, startTestServer, type TestServer } from "../support/test-server.js";

const audienceOf = (data: Record<string, unknown>) => (data as { audience: Record<string, unknown> }).audience;

describe("event codecs", () => {
  const createdV1 = {
    type: "SessionCreated",
    metadata: { schemaVersion: 1 },
    data: {
      sessionId: "s1",
      organizationId: "o1",
      status: "DRAFT",
      mode: "PUBLIC",
      details: { ...EMPTY_DETAILS, name: "Old session" },
      // Recorded before the waitlist switch existed.
      audience: { mode: "PUBLIC", minParticipants: 1, maxParticipants: 2 },
      createdBy: "u1",
      createdAt: "2025-01-01T00:00:00.000Z",
    },
  };

  it("upcasts a version-1 public audience without waitlistEnabled to one with a waitlist (S9)", () => {
    expect(SCHEMA_VERSION).toBeGreaterThan(1);
    expect(audienceOf(sessionEventCodec.decode(createdV1).data)).toEqual({ mode: "PUBLIC", minParticipants: 1, maxParticipants: 2, waitlistEnabled: true });
    const audienceSetV1 = { type: "SessionAudienceSet", metadata: { schemaVersion: 1 }, data: { sessionId: "s1", audience: { mode: "PUBLIC", minParticipants: 3, maxParticipants: 4 } } };
    expect(audienceOf(sessionEventCodec.decode(audienceSetV1).data)).toMatchObject({ waitlistEnabled: true });
  });

  it("upcasts a version-2 SessionConfirmed, recorded before confirmations had a comment, to one without a comment", () => {
    const confirmedV2 = {
      type: "SessionConfirmed",
      metadata: { schemaVersion: 2 },
      data: { sessionId: "s1", from: "PLANNED", to: "CONFIRMED", reason: "VALIDATED_BY_OWNER", changedBy: "u1", changedAt: "2025-01-01T00:00:00.000Z" },
    };
    expect(sessionEventCodec.decode(confirmedV2).data).toMatchObject({ reason: "VALIDATED_BY_OWNER", comment: null });
    const currentWithoutComment = { ...confirmedV2, metadata: { schemaVersion: SCHEMA_VERSION } };
    expect(() => sessionEventCodec.decode(currentWithoutComment)).toThrow(EventDecodingError);
  });

  it("upcasts a version-3 SessionCreated, recorded before sessions had a member price, to one without a member price", () => {
    const { memberPrice: _none, ...detailsV3 } = createdV1.data.details;
    const audience = { mode: "PUBLIC", minParticipants: 1, maxParticipants: 2, waitlistEnabled: true };
    const createdV3 = { ...createdV1, metadata: { schemaVersion: 3 }, data: { ...createdV1.data, details: detailsV3, audience } };
    expect((sessionEventCodec.decode(createdV3).data as { details: Record<string, unknown> }).details).toMatchObject({ memberPrice: null, name: "Old session" });
    expect(() => sessionEventCodec.decode({ ...createdV3, metadata: { schemaVersion: SCHEMA_VERSION } })).toThrow(/details\.memberPrice/);
  });

  it("keeps what a current event says (a waitlist switched off stays off)", () => {
    const current = { ...createdV1, metadata: { schemaVersion: SCHEMA_VERSION }, data: { ...createdV1.data, audience: { mode: "PUBLIC", minParticipants: 1, maxParticipants: 2, waitlistEnabled: false } } };
    expect(audienceOf(sessionEventCodec.decode(current).data)).toMatchObject({ waitlistEnabled: false });
  });

  it("a current event missing a field is not read with a guess: it is refused, naming the field", () => {
    const broken = { ...createdV1, metadata: { schemaVersion: SCHEMA_VERSION } };
    expect(() => sessionEventCodec.decode(broken)).toThrow(EventDecodingError);
    expect(() => sessionEventCodec.decode(broken)).toThrow(/SessionCreated.*audience\.waitlistEnabled/);
    expect(() => sessionEventCodec.decode({ type: "SessionTeleported", data: {} })).toThrow(/unknown event type/);
  });

  it("upcasts a version-1 UserRegistered without country and membership (§0)", () => {
    const registered = userEventCodec.decode({
      type: "UserRegistered",
      metadata: { schemaVersion: 1 },
      data: { userId: "u1", organizationId: "o1", email: "a@b.test", displayName: "A", roles: ["LEARNER"], passwordHash: null, registeredBy: "u1", registeredAt: "2025-01-01T00:00:00.000Z" },
    });
    expect(registered.data).toMatchObject({ country: null, isMember: false });
  });
});

describe("a session recorded in the old shape, through the API", () => {
  let test: TestServer;
  let admin: Awaited<ReturnType<typeof createOrganization>>;

  beforeAll(async () => {
    test = await startTestServer();
    admin = await createOrganization(test);
  });
  afterAll(() => test.stop());

  it("shows its waitlist on, and puts the third person in line, as it did when it was recorded", async () => {
    const sessionId = randomUUID();
    const startsAt = test.clock.now().getTime() + 10 * DAY;
    const metadata = (at: number) => ({
      tenantId: admin.organizationId,
      actorId: admin.userId,
      correlationId: randomUUID(),
      causationId: randomUUID(),
      commandId: randomUUID(),
      occurredAt: new Date(at).toISOString(),
      schemaVersion: 1,
      previousEventHash: null,
    });
    const now = test.clock.now().getTime();
    const trainer = await addMember(test, admin.token, ["TRAINER"]);
    const events = [
      { ...createdV1Event(sessionId, admin.organizationId, admin.userId), metadata: metadata(now) },
      {
        type: "SessionScheduleSet",
        data: { sessionId, schedule: { startsAt: new Date(startsAt).toISOString(), endsAt: new Date(startsAt + 2 * HOUR).toISOString(), timezone: "Europe/Brussels", attendanceConfirmationOffsetMinutes: 15 } },
        metadata: metadata(now),
      },
      { type: "SessionFormatSet", data: { sessionId, format: { kind: "WEBINAR", link: "https://meet.example.com/old", trainerId: trainer.userId, hostId: null } }, metadata: metadata(now) },
      { type: "SessionPlanned", data: { sessionId, from: "DRAFT", to: "PLANNED", reason: null, changedBy: admin.userId, changedAt: new Date(now).toISOString() }, metadata: metadata(now) },
    ];
    const written = await test.app.store.appendToStream(
      `session-${sessionId}`,
      events.map((event) => ({ id: randomUUID(), ...event })),
      { expectedRevision: "no_stream" },
    );
    await test.app.caughtUp(written.position);

    const session = ok(await test.gql(`query ($id: ID!) { session(id: $id) { status audience { ... on PublicAudience { maxParticipants waitlistEnabled } } } }`, { id: sessionId }, admin.token)).session;
    expect(session).toEqual({ status: "PLANNED", audience: { maxParticipants: 2, waitlistEnabled: true } });

    const learners = await Promise.all([0, 1, 2].map(() => addMember(test, admin.token, ["LEARNER"])));
    const statuses: string[] = [];
    for (const learner of learners) {
      const registered = await test.gql(`mutation ($input: RegisterForSessionInput!) { registerForSession(input: $input) { status } }`, { input: { sessionId } }, learner.token);
      statuses.push(ok(registered).registerForSession.status);
    }
    expect(statuses).toEqual(["REGISTERED", "REGISTERED", "WAITLISTED"]);
    // The stream now mixes versions: events written today carry the current one.
    const stored = await test.app.store.readStream(`session-${sessionId}`);
    expect(stored.slice(4).every((event) => event.metadata.schemaVersion === SCHEMA_VERSION)).toBe(true);
    expect(refused(await test.gql(`{ session(id: "${randomUUID()}") { id } }`, {}, admin.token)).code).toBe("NOT_FOUND");
  });
});

function createdV1Event(sessionId: string, organizationId: string, createdBy: string) {
  return {
    type: "SessionCreated",
    data: {
      sessionId,
      organizationId,
      status: "DRAFT",
      mode: "PUBLIC",
      details: { ...EMPTY_DETAILS, name: "Recorded long ago" },
      audience: { mode: "PUBLIC", minParticipants: 1, maxParticipants: 2 },
      createdBy,
      createdAt: "2025-01-01T00:00:00.000Z",
    },
  };
}
