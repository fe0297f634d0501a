import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createReadySession, SESSION_QUERY } from "../support/session-setup.js";
import { sessionStreamName } from "../../src/domain/sessions/events.js";
import { SCHEMA_VERSION } from "../../src/domain/shared/event-metadata.js";
import { HOUR, localTime, MINUTE } from "../support/test-clock.js";
import {
  addMember,
  createOrganization,
  type Member,
  ok,
  refused,
  SESSION_FIELDS,
  startTestServer,
  type TestServer,
} from "../support/test-server.js";

describe("session lifecycle through the HTTP API (S1–S7)", () => {
  let test: TestServer;
  let admin: Awaited<ReturnType<typeof createOrganization>>;
  /** A session names only people of its organization (S2 trainer and host). */
  let trainer: Member;
  let host: Member;

  beforeAll(async () => {
    test = await startTestServer();
    admin = await createOrganization(test, { timezone: "Europe/Brussels" });
    // A session's VAT category is one of the organization's (P2).
    ok(
      await test.gql(
        `mutation ($input: UpdateOrganizationSettingsInput!) { updateOrganizationSettings(input: $input) { id } }`,
        { input: { vatCategories: [{ name: "STANDARD", ratePercent: 21 }] } },
        admin.token,
      ),
    );
    trainer = await addMember(test, admin.token, ["TRAINER"]);
    host = await addMember(test, admin.token, ["HOST"]);
  });
  afterAll(() => test.stop());

  const mutate = (name: string, inputType: string, input: Record<string, unknown>) =>
    test.gql(`mutation ($input: ${inputType}!) { ${name}(input: $input) { ${SESSION_FIELDS} } }`, { input }, admin.token);

  it("creates, plans, confirms and cancels a session; every step is an event with who and why (S3)", async () => {
    const created = ok(
      await mutate("createSession", "CreateSessionInput", {
        name: "  Leading remote teams  ",
        summary: "Two hours on async habits",
        language: "en",
        availableCountries: ["BE", "NL"],
        currency: "EUR",
        price: 4900,
        promotionalPrice: 3900,
        promoStartsAt: "2026-11-01T00:00:00Z",
        promoEndsAt: "2026-11-30T00:00:00+01:00",
        vatCategory: "STANDARD",
        privateNote: "Trainer asked for a projector",
        audience: { mode: "PUBLIC", minParticipants: 3, maxParticipants: 12 },
      }),
    ).createSession;
    expect(created).toMatchObject({
      status: "DRAFT",
      mode: "PUBLIC",
      name: "Leading remote teams",
      isFree: false,
      price: { amount: 4900, currency: "EUR", formatted: "€49.00" },
      promotionalPrice: { amount: 3900, currency: "EUR" },
      promoEndsAt: "2026-11-29T23:00:00.000Z",
      availableCountries: ["BE", "NL"],
      audience: { __typename: "PublicAudience", minParticipants: 3, maxParticipants: 12 },
      createdBy: admin.userId,
      revision: 0,
    });
    const id = created.id;

    const scheduled = ok(
      await mutate("setSessionSchedule", "SetSessionScheduleInput", {
        sessionId: id,
        startsAt: "2026-12-01T09:00:00Z",
        endsAt: "2026-12-01T11:00:00Z",
        attendanceConfirmationOffsetMinutes: 30,
      }),
    ).setSessionSchedule;
    expect(scheduled.schedule).toEqual({
      startsAt: "2026-12-01T09:00:00.000Z",
      endsAt: "2026-12-01T11:00:00.000Z",
      timezone: "Europe/Brussels",
      startsAtLocal: "2026-12-01T10:00:00+01:00",
      endsAtLocal: "2026-12-01T12:00:00+01:00",
      durationMinutes: 120,
      attendanceConfirmationOffsetMinutes: 30,
      attendanceConfirmationOpensAt: "2026-12-01T09:30:00.000Z",
    });

    const formatted = ok(
      await mutate("setSessionFormat", "SetSessionFormatInput", {
        sessionId: id,
        kind: "CLASSROOM",
        trainerId: trainer.userId,
        hostId: host.userId,
        place: "Room 4",
        address: "Rue de la Loi 16, Brussels",
        courseIds: ["course-1"],
      }),
    ).setSessionFormat;
    expect(formatted.format).toEqual({
      __typename: "ClassroomFormat",
      trainerId: trainer.userId,
      hostId: host.userId,
      place: "Room 4",
      address: "Rue de la Loi 16, Brussels",
      notes: null,
      helpfulLink: null,
      courseIds: ["course-1"],
    });

    const withDocument = ok(
      await mutate("attachSessionDocument", "AttachSessionDocumentInput", {
        sessionId: id,
        name: "Slides",
        url: "https://files.example.com/slides.pdf",
      }),
    ).attachSessionDocument;
    expect(withDocument.documents).toHaveLength(1);
    const documentId = withDocument.documents[0].id;
    const withSurvey = ok(
      await mutate("setSessionSurvey", "SetSessionSurveyInput", {
        sessionId: id,
        survey: { title: "How was it?", url: "https://survey.example.com/s/1" },
      }),
    ).setSessionSurvey;
    expect(withSurvey.survey).toEqual({ title: "How was it?", url: "https://survey.example.com/s/1" });
    expect(
      ok(await mutate("removeSessionDocument", "RemoveSessionDocumentInput", { sessionId: id, documentId }))
        .removeSessionDocument.documents,
    ).toEqual([]);

    const lead = ok(await mutate("markSessionAsLead", "ChangeSessionStatusInput", { sessionId: id, reason: "Client asked" }));
    expect(lead.markSessionAsLead).toMatchObject({ status: "LEAD", statusReason: "Client asked" });
    const planned = ok(await mutate("planSession", "ChangeSessionStatusInput", { sessionId: id }));
    expect(planned.planSession.status).toBe("PLANNED");
    // Every status change but cancelling takes an optional reason; a confirmation keeps it as its comment.
    const confirmed = ok(await mutate("confirmSession", "ConfirmSessionInput", { sessionId: id, reason: "Trainer booked" }));
    expect(confirmed.confirmSession).toMatchObject({ status: "CONFIRMED", statusReason: "VALIDATED_BY_OWNER" });
    const recorded = await test.app.store.readStream(sessionStreamName(id));
    expect(recorded.find((event) => event.type === "SessionConfirmed")?.data).toMatchObject({
      reason: "VALIDATED_BY_OWNER",
      comment: "Trainer booked",
    });
    const canceled = ok(await mutate("cancelSession", "CancelSessionInput", { sessionId: id, reason: "Trainer is ill" }));
    expect(canceled.cancelSession).toMatchObject({ status: "CANCELED", statusReason: "Trainer is ill" });

    // Read-your-writes: the query shows the last mutation at once.
    const read = ok(await test.gql(SESSION_QUERY, { id }, admin.token)).session;
    expect(read).toEqual(canceled.cancelSession);

    const events = await test.app.store.readStream(`session-${id}`);
    expect(events.map((e) => e.type)).toEqual([
      "SessionCreated",
      "SessionScheduleSet",
      "SessionFormatSet",
      "SessionDocumentAttached",
      "SessionSurveySet",
      "SessionDocumentRemoved",
      "SessionMarkedAsLead",
      "SessionPlanned",
      "SessionConfirmed",
      "SessionCanceled",
    ]);
    expect(events.at(-1)!.data).toMatchObject({ from: "CONFIRMED", to: "CANCELED", reason: "Trainer is ill", changedBy: admin.userId });
    for (const event of events) {
      expect(event.metadata).toMatchObject({
        tenantId: admin.organizationId,
        actorId: admin.userId,
        schemaVersion: SCHEMA_VERSION,
      });
      expect(event.metadata.correlationId).toEqual(expect.any(String));
      expect(event.metadata.causationId).toEqual(expect.any(String));
      expect(Date.parse(String(event.metadata.occurredAt))).not.toBeNaN();
    }
    expect(read.revision).toBe(events.length - 1);
  });

  it("refuses transitions outside the S3 table, naming both states, and writes nothing", async () => {
    const id = await createReadySession(test, admin.token);
    ok(await mutate("planSession", "ChangeSessionStatusInput", { sessionId: id }));
    const before = await test.app.store.headPosition();

    for (const [mutation, input, to] of [
      ["returnSessionToDraft", "ChangeSessionStatusInput", "DRAFT"],
      ["markSessionAsLead", "ChangeSessionStatusInput", "LEAD"],
    ] as const) {
      const error = refused(await mutate(mutation, input, { sessionId: id }));
      expect(error.code).toBe("INVALID_TRANSITION");
      expect(error.extensions).toMatchObject({ from: "PLANNED", to });
      expect(error.message).toContain("PLANNED");
      expect(error.message).toContain(to);
    }
    ok(await mutate("cancelSession", "CancelSessionInput", { sessionId: id, reason: "Venue closed" }));
    const afterCancel = await test.app.store.headPosition();
    const error = refused(await mutate("planSession", "ChangeSessionStatusInput", { sessionId: id }));
    expect(error).toMatchObject({ code: "INVALID_TRANSITION", extensions: { from: "CANCELED", to: "PLANNED" } });
    expect(await test.app.store.headPosition()).toBe(afterCancel);
    expect(afterCancel! - before!).toBe(1n);
  });

  it("applies a retried mutation with the same idempotency key once", async () => {
    const input = { name: "Retried creation", idempotencyKey: "create-once-42" };
    const first = ok(await test.gql(`mutation ($input: CreateSessionInput!) { createSession(input: $input) { id revision } }`, { input }, admin.token));
    const headAfterFirst = await test.app.store.headPosition();
    const second = ok(await test.gql(`mutation ($input: CreateSessionInput!) { createSession(input: $input) { id revision } }`, { input }, admin.token));
    expect(second.createSession).toEqual(first.createSession);
    expect(await test.app.store.headPosition()).toBe(headAfterFirst);

    const cancel = { sessionId: first.createSession.id, reason: "Duplicate", idempotencyKey: "cancel-1" };
    ok(await mutate("cancelSession", "CancelSessionInput", cancel));
    ok(await mutate("cancelSession", "CancelSessionInput", cancel));
    const events = await test.app.store.readStream(`session-${first.createSession.id}`);
    expect(events.map((e) => e.type)).toEqual(["SessionCreated", "SessionCanceled"]);
  });

  it("serialises concurrent transitions on one session: exactly one cancel is recorded", async () => {
    const id = await createReadySession(test, admin.token);
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        mutate("cancelSession", "CancelSessionInput", { sessionId: id, reason: `reason ${i}` }),
      ),
    );
    expect(results.every((r) => !r.errors)).toBe(true);
    const events = await test.app.store.readStream(`session-${id}`);
    expect(events.filter((e) => e.type === "SessionCanceled")).toHaveLength(1);
    expect(new Set(results.map((r) => r.data!.cancelSession.status))).toEqual(new Set(["CANCELED"]));
  });

  it("signs in with the e-mail in any case and the password, and reads only with a token", async () => {
    const signedIn = ok(
      await test.gql(
        `mutation ($input: SignInInput!) { signIn(input: $input) { token user { id email roles } organization { id timezone } } }`,
        { input: { email: admin.email.toUpperCase(), password: admin.password } },
      ),
    ).signIn;
    expect(signedIn.user).toEqual({ id: admin.userId, email: admin.email, roles: ["ADMIN"] });
    expect(signedIn.organization).toEqual({ id: admin.organizationId, timezone: "Europe/Brussels" });
    const me = ok(await test.gql(`{ me { id } organization { id name } }`, {}, signedIn.token));
    expect(me.me.id).toBe(admin.userId);
    expect(refused(await test.gql(`{ me { id } }`)).code).toBe("UNAUTHENTICATED");
  });
});

describe("S3: a session that has ended cannot be planned or confirmed (SESSION_ENDED), through the HTTP API", () => {
  let test: TestServer;
  let admin: Awaited<ReturnType<typeof createOrganization>>;

  beforeAll(async () => {
    // This suite moves its server's clock by hours: its tokens outlive the moves.
    test = await startTestServer({ ACCESS_TOKEN_TTL_SECONDS: String(7 * 24 * 3600) });
    admin = await createOrganization(test, { timezone: "Europe/Brussels" });
  });
  afterAll(() => test.stop());

  const transition = (mutation: string, sessionId: string) => {
    const inputType = mutation === "confirmSession" ? "ConfirmSessionInput" : "ChangeSessionStatusInput";
    return test.gql(`mutation ($input: ${inputType}!) { ${mutation}(input: $input) { id status } }`, { input: { sessionId } }, admin.token);
  };
  const statusOf = async (id: string) => ok(await test.gql(SESSION_QUERY, { id }, admin.token)).session.status as string;

  it("a DRAFT or LEAD session scheduled yesterday is refused on planSession, names its end, and nothing is written", async () => {
    for (const lead of [false, true]) {
      const id = await createReadySession(test, admin.token, {
        startsAt: localTime(test.clock, -1, "09:00", "Europe/Brussels"),
        endsAt: localTime(test.clock, -1, "17:00", "Europe/Brussels"),
      });
      if (lead) ok(await transition("markSessionAsLead", id));
      const before = await test.app.store.headPosition();
      const error = refused(await transition("planSession", id));
      expect(error.code).toBe("SESSION_ENDED");
      expect(error.message).toMatch(/ended.*can no longer be planned/);
      expect(error.extensions.endsAt).toBe(new Date(localTime(test.clock, -1, "17:00", "Europe/Brussels")).toISOString());
      expect(await test.app.store.headPosition()).toBe(before);
      expect(await statusOf(id)).toBe(lead ? "LEAD" : "DRAFT");
    }
  });

  it("a PLANNED session stays PLANNED when its end passes; confirming it then is refused; staff may still cancel it", async () => {
    const id = await createReadySession(test, admin.token, { startsAt: test.clock.iso(HOUR), endsAt: test.clock.iso(2 * HOUR) });
    expect(ok(await transition("planSession", id)).planSession.status).toBe("PLANNED");

    test.clock.advance(90 * MINUTE); // the session is running: it may still be confirmed… (shown on another session)
    const running = await createReadySession(test, admin.token, { startsAt: test.clock.iso(-MINUTE), endsAt: test.clock.iso(HOUR) });
    ok(await transition("planSession", running));
    expect(ok(await transition("confirmSession", running)).confirmSession.status).toBe("CONFIRMED");

    test.clock.advance(HOUR); // …but once it has ended, no longer
    expect(await statusOf(id)).toBe("PLANNED");
    const before = await test.app.store.headPosition();
    const error = refused(await transition("confirmSession", id));
    expect(error).toMatchObject({ code: "SESSION_ENDED" });
    expect(await test.app.store.headPosition()).toBe(before);
    expect(await statusOf(id)).toBe("PLANNED");

    const canceled = ok(
      await test.gql(
        `mutation ($input: CancelSessionInput!) { cancelSession(input: $input) { status statusReason } }`,
        { input: { sessionId: id, reason: "Nobody came" } },
        admin.token,
      ),
    ).cancelSession;
    expect(canceled).toEqual({ status: "CANCELED", statusReason: "Nobody came" });
  });
});
