/**
 * S9 and S10 notifications through the real HTTP API (N1: e-mails are side effects,
 * claimed on `effect-mail:<eventId>` and sent once, after the change is recorded).
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
    expect(mailsTo(next)).toHaveLength(1);
    expect(mailsTo(holder)).toEqual([]);
    expect(mailsTo(later)).toEqual([]);
    expect(await claimsFor(holder)).toEqual([]);
    expect(await claimsFor(later)).toEqual([]);
    expect(await claimsFor(next)).toHaveLength(1);
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

    expect(mailsTo(first)).toEqual([]);
    expect(mailsTo(second)).toHaveLength(1);
    expect(mailsTo(third)).toHaveLength(1);
    expect(await claimsFor(first)).toEqual([]);
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
    expect(mailsTo(gone)).toEqual([]);
    expect(mailsTo(leftQueue)).toEqual([]);
    expect(await claimsFor(gone)).toEqual([]);
    expect(await claimsFor(leftQueue)).toEqual([]);
    expect(test.outbox.filter((m) => m.to === admin.email && m.subject.includes(session.name))).toEqual([]);
    // Pia: the seat, then the cancellation.
    expect(mailsTo(promoted).map((m) => m.subject)).toEqual([`You have a seat: ${session.name}`, `Canceled: ${session.name}`]);
  });
});
