/**
 * N1, S9 and S10 notifications through the real HTTP API (e-mails are side effects, claimed on
 * `effect-<key>` and sent once per cause, after the change is recorded).
 * - N1: every registration is confirmed once ("Registered: …" for a seat, "On the waiting list: …"),
 *   and the registration shows when (`confirmationSentAt`); a retried registration sends nothing more.
 * - S5: a private session, once planned, invites each invited e-mail address once; an address
 *   added while it is open is invited then (the others not again); a draft invites nobody.
 * - S9: when a seat frees, the first waiting person is promoted and e-mailed ("You have a seat…",
 *   the session's name in the subject, its start time in the session's own time zone in the
 *   body); nobody else is e-mailed — not the person who canceled, not those still waiting.
 * - S10: canceling a session e-mails every registered and every waitlisted person once
 *   ("Canceled: …", with the reason), and nobody who had canceled before.
 * A mail's absence is checked once the runner has handled a later event (it handles the log in
 * order, claiming each effect before moving on), against both the outbox and the claims in the log.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { MailMessage } from "../../src/adapters/mail/mailer.js";
import { createReadySession } from "../support/session-setup.js";
import { localTime } from "../support/test-clock.js";
import { addMember, createOrganization, type Member, ok, startTestServer, type TestServer } from "../support/test-server.js";

const REGISTER = `mutation ($input: RegisterForSessionInput!) { registerForSession(input: $input) { id status waitlistPosition } }`;
const CANCEL_REGISTRATION = `mutation ($input: CancelRegistrationInput!) { cancelRegistration(input: $input) { id status } }`;
const REGISTRATION = `query ($id: ID!) { registration(id: $id) { id status } }`;
const SCHEDULE = `mutation ($input: SetSessionScheduleInput!) { setSessionSchedule(input: $input) { id schedule { timezone } } }`;
const PLAN = `mutation ($input: ChangeSessionStatusInput!) { planSession(input: $input) { id status } }`;
const CANCEL_SESSION = `mutation ($input: CancelSessionInput!) { cancelSession(input: $input) { id status } }`;

let test: TestServer;
let admin: Awaited<ReturnType<typeof createOrganization>>;

beforeAll(async () => {
  test = await startTestServer();
  admin = await createOrganization(test);
});

afterAll(async () => {
  await test?.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until<T>(what: string, probe: () => T | Promise<T>, timeoutMs = 10_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

const mailsTo = (member: Member): MailMessage[] => test.outbox.filter((m) => m.to === member.email);
const subjectsTo = (member: Member): string[] => mailsTo(member).map((m) => m.subject);

/** Effects claimed in the log for this person (e-mails target the user id). */
async function claimsFor(member: Member): Promise<unknown[]> {
  const events = await test.app.store.readAll({ filter: { streamCategories: ["effect"], eventTypes: ["SideEffectClaimed"] } });
  return events.filter((e) => e.data.targetId === member.userId);
}

/** A mail to `member` whose subject starts with `prefix`, once its effect is recorded as done. */
async function mailArrives(member: Member, prefix: string): Promise<MailMessage> {
  return until(`an e-mail "${prefix}…" to ${member.email}`, () => mailsTo(member).find((m) => m.subject.startsWith(prefix)));
}

let sessionCounter = 0;

/** A PUBLIC session open for registration (PLANNED), in `timezone`, starting at 15:30 UTC three weeks after the server's day. */
async function openSession(max: number, timezone?: string): Promise<{ id: string; name: string; startsAt: string }> {
  sessionCounter += 1;
  const name = `Negotiation clinic ${sessionCounter}`;
  const startsAt = localTime(test.clock, 21, "15:30");
  const endsAt = localTime(test.clock, 21, "17:00");
  const id = await createReadySession(test, admin.token, { name, min: 1, max, startsAt, endsAt });
  if (timezone) {
    const scheduled = ok(
      await test.gql(SCHEDULE, { input: { sessionId: id, startsAt, endsAt, timezone, attendanceConfirmationOffsetMinutes: 15 } }, admin.token),
    );
    expect(scheduled.setSessionSchedule.schedule.timezone).toBe(timezone);
  }
  expect(ok(await test.gql(PLAN, { input: { sessionId: id } }, admin.token)).planSession.status).toBe("PLANNED");
  return { id, name, startsAt };
}

async function register(member: Member, sessionId: string): Promise<{ id: string; status: string }> {
  return ok(await test.gql(REGISTER, { input: { sessionId } }, member.token)).registerForSession;
}

async function cancelOwn(member: Member, registrationId: string): Promise<void> {
  expect(ok(await test.gql(CANCEL_REGISTRATION, { input: { registrationId } }, member.token)).cancelRegistration.status).toBe("CANCELED");
}

async function learners(...names: string[]): Promise<Member[]> {
  const members: Member[] = [];
  for (const name of names) members.push(await addMember(test, admin.token, ["LEARNER"], { displayName: name }));
  return members;
}

describe("S9: the person promoted from the waitlist is e-mailed, and only them", () => {
  it("a seat frees → one 'You have a seat' e-mail to the first waiting person, with the start time in the session's time zone", async () => {
    // Asia/Kolkata is UTC+5:30 all year: 15:30 UTC is 21:00 there (and 16:30 or 17:30 in the organization's Brussels).
    const session = await openSession(1, "Asia/Kolkata");
    const [holder, next, later] = await learners("Hannah Holder", "Noah Next", "Lena Later");
    const seat = await register(holder, session.id);
    expect(seat.status).toBe("REGISTERED");
    const nextInLine = await register(next, session.id);
    const laterInLine = await register(later, session.id);
    expect([nextInLine.status, laterInLine.status]).toEqual(["WAITLISTED", "WAITLISTED"]);

    await cancelOwn(holder, seat.id);
    expect(ok(await test.gql(REGISTRATION, { id: nextInLine.id }, next.token)).registration.status).toBe("REGISTERED");

    const mail = await mailArrives(next, "You have a seat");
    expect(mail.subject).toContain(session.name);
    expect(mail.text).toContain(session.name);
    expect(mail.text).toContain("Noah Next");
    expect(mail.text).toContain("21:00");
    expect(mail.text).not.toContain("15:30");
    expect(mail.text).toContain(session.id);

    // The promotion was the last event: the runner has handled the cancellation before it.
    expect(subjectsTo(next)).toEqual([`On the waiting list: ${session.name}`, `You have a seat: ${session.name}`]);
    expect(subjectsTo(holder)).toEqual([`Registered: ${session.name}`]);
    expect(subjectsTo(later)).toEqual([`On the waiting list: ${session.name}`]);
    expect(await claimsFor(holder)).toHaveLength(1);
    expect(await claimsFor(later)).toHaveLength(1);
    expect(await claimsFor(next)).toHaveLength(2);
  });

  it("promotions in turn: each promoted person gets their own one e-mail", async () => {
    const session = await openSession(1);
    const [first, second, third] = await learners("First Person", "Second Person", "Third Person");
    const seat = await register(first, session.id);
    const secondInLine = await register(second, session.id);
    await register(third, session.id);

    await cancelOwn(first, seat.id);
    await mailArrives(second, "You have a seat");
    await cancelOwn(second, secondInLine.id);
    const mail = await mailArrives(third, "You have a seat");
    expect(mail.subject).toContain(session.name);

    expect(subjectsTo(first)).toEqual([`Registered: ${session.name}`]);
    for (const member of [second, third]) {
      expect(subjectsTo(member)).toEqual([`On the waiting list: ${session.name}`, `You have a seat: ${session.name}`]);
    }
    expect(await claimsFor(first)).toHaveLength(1);
  });
});

describe("S10: canceling a session e-mails every registered and waitlisted person once", () => {
  it("one 'Canceled:' e-mail per registered and waitlisted person, none to those who had canceled before", async () => {
    const session = await openSession(2);
    const [gone, seated, promoted, waiting, leftQueue] = await learners(
      "Gina Gone",
      "Sam Seated",
      "Pia Promoted",
      "Walt Waiting",
      "Lou Left",
    );
    const goneSeat = await register(gone, session.id);
    await register(seated, session.id);
    expect((await register(promoted, session.id)).status).toBe("WAITLISTED");
    expect((await register(waiting, session.id)).status).toBe("WAITLISTED");
    const leftEntry = await register(leftQueue, session.id);
    expect(leftEntry.status).toBe("WAITLISTED");

    // Gina frees her seat (Pia is promoted, S9), Lou leaves the waitlist.
    await cancelOwn(gone, goneSeat.id);
    await cancelOwn(leftQueue, leftEntry.id);
    await mailArrives(promoted, "You have a seat");

    const reason = "The trainer is ill";
    const canceled = ok(await test.gql(CANCEL_SESSION, { input: { sessionId: session.id, reason } }, admin.token));
    expect(canceled.cancelSession.status).toBe("CANCELED");

    // Registered (Sam, Pia) and waitlisted (Walt): one each.
    for (const member of [seated, promoted, waiting]) {
      const mail = await mailArrives(member, "Canceled:");
      expect(mail.subject).toBe(`Canceled: ${session.name}`);
      expect(mail.text).toContain(session.name);
      expect(mail.text).toContain(reason);
    }
    const sessionEvents = await test.app.store.readStream(`session-${session.id}`);
    expect(sessionEvents.filter((e) => e.type === "RegistrationCanceled" && e.data.reason === "SESSION_CANCELED")).toHaveLength(3);

    // All three cancellations were handled: nobody who had already canceled was e-mailed.
    const canceledMails = (member: Member) => mailsTo(member).filter((m) => m.subject.startsWith("Canceled:"));
    for (const member of [seated, promoted, waiting]) expect(canceledMails(member)).toHaveLength(1);
    // Those who had left were confirmed once, and told nothing more.
    expect(subjectsTo(gone)).toEqual([`Registered: ${session.name}`]);
    expect(subjectsTo(leftQueue)).toEqual([`On the waiting list: ${session.name}`]);
    expect(await claimsFor(gone)).toHaveLength(1);
    expect(await claimsFor(leftQueue)).toHaveLength(1);
    expect(test.outbox.filter((m) => m.to === admin.email && m.subject.includes(session.name))).toEqual([]);
    // Pia: on the waiting list, the seat, then the cancellation.
    expect(subjectsTo(promoted)).toEqual([
      `On the waiting list: ${session.name}`,
      `You have a seat: ${session.name}`,
      `Canceled: ${session.name}`,
    ]);
  });
});

describe("N1: every registration is confirmed once, and shows when", () => {
  const CONFIRMATION = `query ($id: ID!) { registration(id: $id) { id status confirmationSentAt } }`;

  it("a seat: 'Registered:' once, confirmationSentAt set once it is sent; a retried registration sends nothing more", async () => {
    const session = await openSession(1);
    const [seated, waiting] = await learners("Rita Registered", "Will Waiting");
    const seat = await register(seated, session.id);
    const mail = await mailArrives(seated, "Registered:");
    expect(mail.subject).toBe(`Registered: ${session.name}`);
    expect(mail.text).toContain("Rita Registered");
    const confirmed = await until("confirmationSentAt", async () => {
      const registration = ok(await test.gql(CONFIRMATION, { id: seat.id }, seated.token)).registration;
      return registration.confirmationSentAt ? registration : null;
    });
    expect(Date.parse(confirmed.confirmationSentAt)).toBeGreaterThanOrEqual(Date.parse(test.clock.now().toISOString()) - 60_000);

    // The same person asking again holds the same seat: no second confirmation.
    expect((await register(seated, session.id)).id).toBe(seat.id);
    const line = await register(waiting, session.id);
    expect(line.status).toBe("WAITLISTED");
    await mailArrives(waiting, "On the waiting list:");
    expect(subjectsTo(seated)).toEqual([`Registered: ${session.name}`]);
    expect(ok(await test.gql(CONFIRMATION, { id: line.id }, waiting.token)).registration.confirmationSentAt).not.toBeNull();
  });
});

describe("S5, N1: a private session invites each invited address once it is planned", () => {
  const CREATE = `mutation ($input: CreateSessionInput!) { createSession(input: $input) { id } }`;
  const AUDIENCE = `mutation ($input: SetSessionAudienceInput!) { setSessionAudience(input: $input) { id } }`;
  const FORMAT = `mutation ($input: SetSessionFormatInput!) { setSessionFormat(input: $input) { id } }`;
  const invitationsTo = (email: string) => test.outbox.filter((m) => m.to === email && m.subject.startsWith("You are invited"));

  async function privateSession(name: string, invitedEmails: string[]): Promise<string> {
    const id = ok(await test.gql(CREATE, { input: { name, mode: "PRIVATE" } }, admin.token)).createSession.id as string;
    ok(await test.gql(AUDIENCE, { input: { sessionId: id, mode: "PRIVATE", invitedEmails } }, admin.token));
    const startsAt = localTime(test.clock, 14, "09:00");
    const endsAt = localTime(test.clock, 14, "12:00");
    ok(await test.gql(SCHEDULE, { input: { sessionId: id, startsAt, endsAt, attendanceConfirmationOffsetMinutes: 0 } }, admin.token));
    const trainer = await addMember(test, admin.token, ["TRAINER"]);
    ok(await test.gql(FORMAT, { input: { sessionId: id, kind: "ONLINE", trainerId: trainer.userId, courseId: "course-1" } }, admin.token));
    return id;
  }

  it("nobody while it is a draft; each address once when planned; an address added while open is invited then, the others not again", async () => {
    const stamp = Date.now();
    const [ann, bob, cid, dan] = ["ann", "bob", "cid", "dan"].map((name) => `${name}-${stamp}@invited.test`);
    const sessionId = await privateSession("Board retreat", [ann, bob]);
    // Setting the audience of a draft invited nobody: the planning's invitations are the first.
    ok(await test.gql(PLAN, { input: { sessionId } }, admin.token));
    for (const email of [ann, bob]) {
      const invitation = await until(`an invitation to ${email}`, () => invitationsTo(email)[0]);
      expect(invitation.subject).toBe("You are invited: Board retreat");
      expect(invitation.text).toContain(sessionId);
    }
    expect(invitationsTo(ann)).toHaveLength(1);

    ok(await test.gql(AUDIENCE, { input: { sessionId, mode: "PRIVATE", invitedEmails: [ann, bob, cid] } }, admin.token));
    await until(`an invitation to ${cid}`, () => invitationsTo(cid)[0]);
    ok(await test.gql(AUDIENCE, { input: { sessionId, mode: "PRIVATE", invitedEmails: [ann, bob, cid, dan] } }, admin.token));
    await until(`an invitation to ${dan}`, () => invitationsTo(dan)[0]);
    for (const email of [ann, bob, cid, dan]) expect(invitationsTo(email)).toHaveLength(1);

    // A private session never planned invites nobody (checked once a later e-mail was sent).
    const elsewhere = `eve-${stamp}@invited.test`;
    await privateSession("Still a draft", [elsewhere]);
    const [marker] = await learners("Mark Marker");
    await register(marker!, (await openSession(1)).id);
    await mailArrives(marker!, "Registered:");
    expect(invitationsTo(elsewhere)).toEqual([]);
    // No address in the claims' stream names.
    const claims = await test.app.store.readAll({ filter: { streamCategories: ["effect"] } });
    for (const email of [ann, bob, cid, dan]) expect(claims.some((event) => event.streamName.includes(email))).toBe(false);
  });
});
