/**
 * S6 attendance through the real HTTP API: who sees a session's signed attendance link and its QR
 * codes (the PNG is decoded here and compared module by module with the QR code of the URL);
 * `confirmAttendance` marks a registered participant inside the window, once, and refuses (writing
 * nothing) outside it, for another session's or a tampered token, for non-participants, anonymous
 * callers, API keys and people who cannot see the session; `markAttendance` lets staff, the
 * assignee and the trainer mark participants from the start on, even after the end.
 *
 * Time is the test server's clock (it starts at TEST_NOW whatever the day): sessions are scheduled
 * minutes after the clock's now, and the clock is moved forward into the window and past the end.
 */
import { inflateSync } from "node:zlib";
import QRCode from "qrcode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createReadySession } from "../support/session-setup.js";
import { DAY, HOUR, MINUTE } from "../support/test-clock.js";
import {
  type GraphQLResponse,
  type Member,
  type TestServer,
  addMember,
  createOrganization,
  ok,
  refused,
  startTestServer,
} from "../support/test-server.js";

type Org = Awaited<ReturnType<typeof createOrganization>>;
interface Link {
  url: string;
  token: string;
  validFrom: string;
  validUntil: string;
  qrCodeSvg: string;
  qrCodePngDataUrl: string;
}
interface Registration {
  id: string;
  userId: string;
  status: string;
  attended: boolean;
  attendedAt: string | null;
  attendanceMethod: string | null;
}

const REGISTRATION_FIELDS = "id userId status attended attendedAt attendanceMethod";
const SESSION_WITH_LINK = `query ($id: ID!) {
  session(id: $id) { id attendedCount registeredCount attendanceLink { url token validFrom validUntil qrCodeSvg qrCodePngDataUrl } }
}`;
const SCHEDULE = `mutation ($input: SetSessionScheduleInput!) { setSessionSchedule(input: $input) { id } }`;
const FORMAT = `mutation ($input: SetSessionFormatInput!) { setSessionFormat(input: $input) { id } }`;
const EDIT = `mutation ($input: EditSessionDetailsInput!) { editSessionDetails(input: $input) { id assigneeId } }`;
const PLAN = `mutation ($input: ChangeSessionStatusInput!) { planSession(input: $input) { status } }`;
const REGISTER = `mutation ($input: RegisterForSessionInput!) { registerForSession(input: $input) { ${REGISTRATION_FIELDS} } }`;
const CANCEL_REGISTRATION = `mutation ($input: CancelRegistrationInput!) { cancelRegistration(input: $input) { id status } }`;
const CONFIRM = `mutation ($input: ConfirmAttendanceInput!) { confirmAttendance(input: $input) { ${REGISTRATION_FIELDS} } }`;
const MARK = `mutation ($input: MarkAttendanceInput!) { markAttendance(input: $input) { ${REGISTRATION_FIELDS} } }`;
const CREATE_KEY = `mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret } }`;

let test: TestServer;
let admin: Org;
let employee: Member;
let manager: Member; // the assignee of the sessions below
let otherManager: Member;
let trainer: Member; // the trainer of the sessions below
let otherTrainer: Member;
let auditor: Member;
let learners: Member[];
let apiKey: string; // sessions:read + sessions:write

beforeAll(async () => {
  // The file moves the clock forward by hours in all: the members' access tokens must outlive that.
  test = await startTestServer({ ACCESS_TOKEN_TTL_SECONDS: String(7 * DAY / 1000) });
  admin = await createOrganization(test);
  [employee, manager, otherManager, trainer, otherTrainer, auditor] = await Promise.all([
    addMember(test, admin.token, ["EMPLOYEE"]),
    addMember(test, admin.token, ["MANAGER"]),
    addMember(test, admin.token, ["MANAGER"]),
    addMember(test, admin.token, ["TRAINER"]),
    addMember(test, admin.token, ["TRAINER"]),
    addMember(test, admin.token, ["AUDITOR"]),
  ]);
  learners = await Promise.all(Array.from({ length: 6 }, () => addMember(test, admin.token, ["LEARNER"])));
  apiKey = ok(await test.gql(CREATE_KEY, { input: { name: "Front desk", scopes: ["SESSIONS_READ", "SESSIONS_WRITE"] } }, admin.token))
    .createApiKey.secret;
});

afterAll(async () => {
  await test?.stop();
});

const iso = (ms: number) => new Date(ms).toISOString();

/** `minutes` after the test clock's now, on a whole minute. */
function minutesFromNow(minutes: number): number {
  return Math.ceil(test.clock.now().getTime() / MINUTE) * MINUTE + minutes * MINUTE;
}


async function setSchedule(sessionId: string, startsAt: number, endsAt: number, offset = 15): Promise<void> {
  ok(
    await test.gql(
      SCHEDULE,
      { input: { sessionId, startsAt: iso(startsAt), endsAt: iso(endsAt), attendanceConfirmationOffsetMinutes: offset } },
      admin.token,
    ),
  );
}

/** A planned public session whose trainer is the TRAINER member and whose assignee is the MANAGER. */
async function staffedSession(options: { min?: number; max?: number; startsAt?: number; endsAt?: number } = {}): Promise<string> {
  const startsAt = options.startsAt ?? test.clock.now().getTime() + 10 * DAY;
  const endsAt = options.endsAt ?? startsAt + 8 * HOUR;
  const sessionId = await createReadySession(test, admin.token, {
    min: options.min ?? 1,
    max: options.max ?? 20,
    startsAt: iso(startsAt),
    endsAt: iso(endsAt),
  });
  ok(await test.gql(FORMAT, { input: { sessionId, kind: "WEBINAR", link: "https://meet.example.com/s6", trainerId: trainer.userId } }, admin.token));
  ok(await test.gql(EDIT, { input: { sessionId, assigneeId: manager.userId } }, admin.token));
  ok(await test.gql(PLAN, { input: { sessionId } }, admin.token));
  return sessionId;
}

async function register(sessionId: string, who: Member): Promise<Registration> {
  return ok(await test.gql(REGISTER, { input: { sessionId } }, who.token)).registerForSession as Registration;
}

async function sessionLink(sessionId: string, token: string) {
  return ok(await test.gql(SESSION_WITH_LINK, { id: sessionId }, token)).session as {
    attendedCount: number;
    registeredCount: number;
    attendanceLink: Link | null;
  };
}

async function linkToken(sessionId: string): Promise<string> {
  const link = (await sessionLink(sessionId, admin.token)).attendanceLink;
  if (!link) throw new Error(`No attendance link for ${sessionId}`);
  return link.token;
}

function confirm(sessionId: string, token: string, bearer?: string): Promise<GraphQLResponse> {
  return test.gql(CONFIRM, { input: { sessionId, token } }, bearer);
}

function mark(registrationId: string, bearer: string): Promise<GraphQLResponse> {
  return test.gql(MARK, { input: { registrationId } }, bearer);
}

async function eventCount(): Promise<number> {
  return (await test.app.store.readAll()).length;
}

/** Runs `call`, expects it refused with `code`, and that nothing was appended to the log. */
async function expectRefusedWithoutWrite(call: () => Promise<GraphQLResponse>, code: string): Promise<{ message: string }> {
  const before = await eventCount();
  const result = await call();
  const error = refused(result);
  expect(error.code, error.message).toBe(code);
  expect(result.data ?? null).toBeNull();
  expect(await eventCount()).toBe(before);
  return error;
}

// --- A tiny PNG reader (8-bit, non-interlaced, greyscale/RGB/RGBA) to check what the QR code encodes.

function readPng(png: Buffer): { width: number; height: number; dark(x: number, y: number): boolean } {
  let offset = 8;
  let width = 0;
  let height = 0;
  let colorType = 0;
  const data: Buffer[] = [];
  while (offset < png.length) {
    const length = png.readUInt32BE(offset);
    const type = png.toString("latin1", offset + 4, offset + 8);
    const body = png.subarray(offset + 8, offset + 8 + length);
    if (type === "IHDR") {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      expect(body[8], "bit depth").toBe(8);
      colorType = body[9]!;
      expect(body[12], "interlace").toBe(0);
    } else if (type === "IDAT") data.push(body);
    offset += 12 + length;
  }
  const channels = { 0: 1, 2: 3, 4: 2, 6: 4 }[colorType as 0 | 2 | 4 | 6];
  if (!channels) throw new Error(`Unsupported PNG colour type ${colorType}`);
  const raw = inflateSync(Buffer.concat(data));
  const stride = width * channels;
  const pixels = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? pixels[y * stride + x - channels]! : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + x]! : 0;
      const c = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels]! : 0;
      const paeth = () => {
        const p = a + b - c;
        const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      };
      const predictor = [0, a, b, (a + b) >> 1, paeth()][filter]!;
      pixels[y * stride + x] = (line[x]! + predictor) & 0xff;
    }
  }
  return {
    width,
    height,
    dark: (x, y) => pixels[y * stride + x * channels]! < 128,
  };
}

/** The QR modules drawn in a PNG: finds the symbol's box and module size from the top-left finder pattern. */
function modulesOfPng(png: Buffer): boolean[][] {
  const image = readPng(png);
  let top = -1;
  let left = -1;
  for (let y = 0; y < image.height && top < 0; y++) {
    for (let x = 0; x < image.width; x++) {
      if (image.dark(x, y)) {
        top = y;
        left = x;
        break;
      }
    }
  }
  if (top < 0) throw new Error("The PNG has no dark pixel");
  let run = 0;
  while (image.dark(left + run, top)) run++; // the finder pattern's top edge: 7 modules
  const moduleSize = run / 7;
  let right = image.width - 1;
  while (!image.dark(right, top)) right--; // the top-right finder pattern's edge
  const size = Math.round((right - left + 1) / moduleSize);
  return Array.from({ length: size }, (_, row) =>
    Array.from({ length: size }, (_, col) =>
      image.dark(Math.floor(left + (col + 0.5) * moduleSize), Math.floor(top + (row + 0.5) * moduleSize)),
    ),
  );
}

function expectedModules(text: string): boolean[][] {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: "M" });
  return Array.from({ length: modules.size }, (_, row) =>
    Array.from({ length: modules.size }, (_, col) => modules.get(row, col) === 1),
  );
}

describe("Session.attendanceLink (S6)", () => {
  let startsAt: number;
  let endsAt: number;
  let sessionId: string;

  beforeAll(async () => {
    startsAt = minutesFromNow(60);
    endsAt = startsAt + 8 * HOUR;
    sessionId = await staffedSession({ startsAt, endsAt });
  });

  it.each([
    ["ADMIN", () => admin.token],
    ["EMPLOYEE", () => employee.token],
    ["AUDITOR", () => auditor.token],
    ["the MANAGER who is the assignee", () => manager.token],
    ["the TRAINER who is the session's trainer", () => trainer.token],
    ["an API key with sessions:write", () => apiKey],
  ])("%s gets the signed link: URL with the session id and token, valid from start + offset until end", async (_who, token) => {
    const link = (await sessionLink(sessionId, token())).attendanceLink;
    expect(link).not.toBeNull();
    const url = new URL(link!.url);
    expect(url.pathname).toContain(sessionId);
    expect(url.searchParams.get("token")).toBe(link!.token);
    expect(Date.parse(link!.validFrom)).toBe(startsAt + 15 * MINUTE);
    expect(Date.parse(link!.validUntil)).toBe(endsAt);
    // One link per session, whoever shows it.
    expect(link!.token).toBe(await linkToken(sessionId));
  });

  it("the SVG QR code is SVG markup encoding the URL", async () => {
    const link = (await sessionLink(sessionId, admin.token)).attendanceLink!;
    expect(link.qrCodeSvg.trimStart()).toMatch(/^<svg[\s>]/);
    expect(link.qrCodeSvg.trimEnd()).toMatch(/<\/svg>$/);
    expect(link.qrCodeSvg).toBe(await QRCode.toString(link.url, { type: "svg", errorCorrectionLevel: "M", margin: 2 }));
  });

  it("the PNG QR code is a PNG data URL whose modules are those of the URL's QR code", async () => {
    const link = (await sessionLink(sessionId, admin.token)).attendanceLink!;
    const match = /^data:image\/png;base64,([A-Za-z0-9+/=]+)$/.exec(link.qrCodePngDataUrl);
    expect(match).not.toBeNull();
    const png = Buffer.from(match![1]!, "base64");
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const drawn = modulesOfPng(png);
    expect(drawn).toEqual(expectedModules(link.url));
    // …and not those of another URL (the comparison can fail).
    expect(drawn).not.toEqual(expectedModules(link.url.replace(sessionId, "another-session")));
  });

  it.each([
    ["a LEARNER", () => learners[0]!.token],
    ["a MANAGER who is not the assignee", () => otherManager.token],
    ["a TRAINER who does not train the session", () => otherTrainer.token],
  ])("%s gets null", async (_who, token) => {
    const session = await sessionLink(sessionId, token());
    expect(session.attendanceLink).toBeNull();
  });

  it("an API key with sessions:read only gets null", async () => {
    const readOnly = ok(await test.gql(CREATE_KEY, { input: { name: "Reader", scopes: ["SESSIONS_READ"] } }, admin.token)).createApiKey
      .secret as string;
    expect((await sessionLink(sessionId, readOnly)).attendanceLink).toBeNull();
  });

  it("null for a session without a schedule, even for the ADMIN", async () => {
    const created = ok(
      await test.gql(
        `mutation ($input: CreateSessionInput!) { createSession(input: $input) { id } }`,
        { input: { name: "Not scheduled yet", audience: { mode: "PUBLIC", minParticipants: 1, maxParticipants: 5 } } },
        admin.token,
      ),
    ).createSession.id as string;
    expect((await sessionLink(created, admin.token)).attendanceLink).toBeNull();
  });

  it("a reschedule moves the window; the token stays the session's", async () => {
    const before = await linkToken(sessionId);
    await setSchedule(sessionId, startsAt + 60 * MINUTE, endsAt + 60 * MINUTE, 30);
    const link = (await sessionLink(sessionId, admin.token)).attendanceLink!;
    expect(Date.parse(link.validFrom)).toBe(startsAt + 90 * MINUTE);
    expect(Date.parse(link.validUntil)).toBe(endsAt + 60 * MINUTE);
    expect(link.token).toBe(before);
    // The clock confirms it: when the old window would be open, the new one is not yet…
    const participant = learners[0]!;
    await register(sessionId, participant);
    test.clock.advanceTo(startsAt + 20 * MINUTE);
    await expectRefusedWithoutWrite(() => confirm(sessionId, before, participant.token), "OUTSIDE_ATTENDANCE_WINDOW");
    // …and after the old end, the new window is still open.
    test.clock.advanceTo(endsAt + 30 * MINUTE);
    expect(ok(await confirm(sessionId, before, participant.token)).confirmAttendance).toMatchObject({ attended: true, attendanceMethod: "LINK" });
  });
});

describe("confirmAttendance (S6): a registered participant opening the link while it is valid", () => {
  let sessionId: string;
  let token: string;
  let attendee: Member;
  let canceled: Member;
  let waitlisted: Member;
  let stranger: Member;
  let attendeeRegistration: Registration;

  beforeAll(async () => {
    [attendee, canceled, waitlisted, stranger] = learners;
    // One seat: the canceled person frees it, the attendee takes it, the next one waits (all before the start).
    const startsAt = minutesFromNow(10);
    sessionId = await staffedSession({ min: 1, max: 1, startsAt, endsAt: startsAt + 3 * HOUR });
    const toCancel = await register(sessionId, canceled!);
    ok(await test.gql(CANCEL_REGISTRATION, { input: { registrationId: toCancel.id } }, canceled!.token));
    attendeeRegistration = await register(sessionId, attendee!);
    expect(attendeeRegistration.status).toBe("REGISTERED");
    expect((await register(sessionId, waitlisted!)).status).toBe("WAITLISTED");
    // Then the clock moves into the window: started 30 min ago, link open since 15 min, ends in 2.5 hours.
    test.clock.advanceTo(startsAt + 30 * MINUTE);
    token = await linkToken(sessionId);
  });

  it("marks the participant attended by LINK, and the session counts one attended", async () => {
    const before = (await test.app.store.readStream(`session-${sessionId}`)).length;
    const calledAt = test.clock.now().getTime();
    const registration = ok(await confirm(sessionId, token, attendee.token)).confirmAttendance as Registration;
    expect(registration).toMatchObject({
      id: attendeeRegistration.id,
      userId: attendee.userId,
      status: "REGISTERED",
      attended: true,
      attendanceMethod: "LINK",
    });
    expect(Date.parse(registration.attendedAt!)).toBeGreaterThanOrEqual(calledAt);
    expect(Date.parse(registration.attendedAt!)).toBeLessThanOrEqual(test.clock.now().getTime());
    const appended = (await test.app.store.readStream(`session-${sessionId}`)).slice(before);
    expect(appended.map((e) => e.type)).toEqual(["AttendanceConfirmed"]);
    expect(appended[0]!.data).toMatchObject({ registrationId: attendeeRegistration.id, userId: attendee.userId, method: "LINK" });
    expect((await sessionLink(sessionId, admin.token)).attendedCount).toBe(1);
  });

  it("opening it again gives the same result and appends nothing", async () => {
    const first = ok(await test.gql(`query ($id: ID!) { registration(id: $id) { ${REGISTRATION_FIELDS} } }`, { id: attendeeRegistration.id }, attendee.token))
      .registration as Registration;
    const before = await eventCount();
    const again = ok(await confirm(sessionId, ` ${token} `, attendee.token)).confirmAttendance as Registration;
    expect(again).toEqual(first);
    expect(again.attended).toBe(true);
    expect(await eventCount()).toBe(before);
    expect((await sessionLink(sessionId, admin.token)).attendedCount).toBe(1);
  });

  it.each([
    ["a signed-in person who never registered", () => stranger],
    ["a person on the waitlist", () => waitlisted],
    ["a person whose registration was canceled", () => canceled],
  ])("refuses %s with NOT_A_PARTICIPANT, writing nothing", async (_who, person) => {
    const error = await expectRefusedWithoutWrite(() => confirm(sessionId, token, person().token), "NOT_A_PARTICIPANT");
    expect(error.message).toMatch(/participant/i);
  });

  it("refuses a token of another session with INVALID_ATTENDANCE_LINK", async () => {
    const other = await staffedSession();
    const otherToken = await linkToken(other);
    expect(otherToken).not.toBe(token);
    await expectRefusedWithoutWrite(() => confirm(sessionId, otherToken, attendee.token), "INVALID_ATTENDANCE_LINK");
    // …and this session's token sent for the other session is refused as well.
    await expectRefusedWithoutWrite(() => confirm(other, token, attendee.token), "INVALID_ATTENDANCE_LINK");
  });

  it.each([
    ["its signature altered", (t: string) => t.slice(0, -2) + (t.endsWith("AA") ? "BB" : "AA")],
    ["its signature removed", (t: string) => t.slice(0, t.lastIndexOf("."))],
    ["another session id under this signature", (t: string) => t.replace(/^att_[^.]+/, "att_00000000-0000-4000-8000-000000000000")],
    ["another purpose's prefix", (t: string) => t.replace(/^att_/, "inv_")],
    ["garbage", () => "not-a-token"],
  ])("refuses a token with %s with INVALID_ATTENDANCE_LINK", async (_what, tamper) => {
    const tampered = tamper(token);
    expect(tampered).not.toBe(token);
    await expectRefusedWithoutWrite(() => confirm(sessionId, tampered, waitlisted.token), "INVALID_ATTENDANCE_LINK");
  });

  it("refuses a caller without a token with UNAUTHENTICATED", async () => {
    await expectRefusedWithoutWrite(() => confirm(sessionId, token), "UNAUTHENTICATED");
  });

  it("refuses an API key (even with sessions:write) with FORBIDDEN", async () => {
    await expectRefusedWithoutWrite(() => confirm(sessionId, token, apiKey), "FORBIDDEN");
  });

  it("a learner who cannot see the (private) session gets NOT_FOUND, as for a missing session", async () => {
    const created = ok(
      await test.gql(
        `mutation ($input: CreateSessionInput!) { createSession(input: $input) { id } }`,
        { input: { name: "Private class", mode: "PRIVATE", audience: { mode: "PRIVATE", targetUserIds: [attendee.userId] } } },
        admin.token,
      ),
    ).createSession.id as string;
    const startsAt = minutesFromNow(10);
    await setSchedule(created, startsAt, startsAt + 90 * MINUTE, 15);
    ok(await test.gql(FORMAT, { input: { sessionId: created, kind: "WEBINAR", link: "https://meet.example.com/p", trainerId: trainer.userId } }, admin.token));
    ok(await test.gql(PLAN, { input: { sessionId: created } }, admin.token));
    const privateToken = await linkToken(created);
    test.clock.advanceTo(startsAt + 30 * MINUTE); // the link is open
    const error = await expectRefusedWithoutWrite(() => confirm(created, privateToken, stranger.token), "NOT_FOUND");
    expect(error.message).not.toMatch(/private|audience/i);
    // The targeted learner can register and confirm with the same link.
    await register(created, attendee);
    expect(ok(await confirm(created, privateToken, attendee.token)).confirmAttendance).toMatchObject({ attended: true, attendanceMethod: "LINK" });
  });
});

describe("confirmAttendance outside the window (S6): OUTSIDE_ATTENDANCE_WINDOW, nothing written", () => {
  let sessionId: string;
  let token: string;
  let participant: Member;

  beforeAll(async () => {
    participant = learners[4]!;
    sessionId = await staffedSession({ min: 1, max: 5 });
    await register(sessionId, participant);
    token = await linkToken(sessionId);
  });

  // Each case schedules the session minutes after the clock's now, then moves the clock where it needs it.
  it("before the session starts", async () => {
    const startsAt = minutesFromNow(60);
    await setSchedule(sessionId, startsAt, startsAt + 60 * MINUTE, 15);
    const error = await expectRefusedWithoutWrite(() => confirm(sessionId, token, participant.token), "OUTSIDE_ATTENDANCE_WINDOW");
    expect(error.message.length).toBeGreaterThan(0);
  });

  it("after the start but before start + offset", async () => {
    const startsAt = minutesFromNow(10);
    await setSchedule(sessionId, startsAt, startsAt + 65 * MINUTE, 15);
    test.clock.advanceTo(startsAt + 5 * MINUTE);
    await expectRefusedWithoutWrite(() => confirm(sessionId, token, participant.token), "OUTSIDE_ATTENDANCE_WINDOW");
  });

  it("after the session ended", async () => {
    const startsAt = minutesFromNow(10);
    await setSchedule(sessionId, startsAt, startsAt + 2 * HOUR, 15);
    test.clock.advanceTo(startsAt + 3 * HOUR); // ended an hour ago
    await expectRefusedWithoutWrite(() => confirm(sessionId, token, participant.token), "OUTSIDE_ATTENDANCE_WINDOW");
    const registration = ok(await test.gql(`{ mySessions(timeframe: PAST) { nodes { sessionId attended } } }`, {}, participant.token))
      .mySessions.nodes.find((r: { sessionId: string }) => r.sessionId === sessionId);
    expect(registration).toEqual({ sessionId, attended: false });
  });

  it("the same link works once the window is open (the window follows the schedule)", async () => {
    const startsAt = minutesFromNow(10);
    await setSchedule(sessionId, startsAt, startsAt + 80 * MINUTE, 15);
    test.clock.advanceTo(startsAt + 20 * MINUTE);
    expect(ok(await confirm(sessionId, token, participant.token)).confirmAttendance).toMatchObject({ attended: true });
  });
});

describe("markAttendance (S6): staff mark participants from the start on", () => {
  let startsAt: number;
  let endsAt: number;
  let sessionId: string;
  let registrations: Registration[];
  let waiting: Registration;

  // The session starts minutes after the clock's now; the cases below move the clock to its start, then past its end.
  beforeAll(async () => {
    startsAt = minutesFromNow(10);
    endsAt = startsAt + 65 * MINUTE;
    sessionId = await staffedSession({ min: 1, max: 5, startsAt, endsAt });
    registrations = [];
    for (const learner of learners.slice(0, 5)) registrations.push(await register(sessionId, learner));
    waiting = await register(sessionId, learners[5]!);
    expect(registrations.map((r) => r.status)).toEqual(Array(5).fill("REGISTERED"));
    expect(waiting.status).toBe("WAITLISTED");
  });

  it("before the start: OUTSIDE_ATTENDANCE_WINDOW, even for the ADMIN", async () => {
    const error = await expectRefusedWithoutWrite(() => mark(registrations[0]!.id, admin.token), "OUTSIDE_ATTENDANCE_WINDOW");
    expect(error.message.length).toBeGreaterThan(0);
  });

  it("from the start (before the link opens): the ADMIN marks a participant, method STAFF", async () => {
    test.clock.advanceTo(startsAt + 5 * MINUTE);
    const marked = ok(await mark(registrations[0]!.id, admin.token)).markAttendance as Registration;
    expect(marked).toMatchObject({ id: registrations[0]!.id, status: "REGISTERED", attended: true, attendanceMethod: "STAFF" });
    const [event] = (await test.app.store.readStream(`session-${sessionId}`)).slice(-1);
    expect(event).toMatchObject({ type: "AttendanceConfirmed", data: { method: "STAFF", confirmedBy: admin.userId } });
  });

  it("marking the same person again changes nothing", async () => {
    const before = await eventCount();
    expect(ok(await mark(registrations[0]!.id, employee.token)).markAttendance).toMatchObject({ attended: true, attendanceMethod: "STAFF" });
    expect(await eventCount()).toBe(before);
  });

  it.each([
    ["a LEARNER (even for their own registration)", () => learners[1]!.token, 1],
    ["another LEARNER", () => learners[5]!.token, 1],
    ["a MANAGER who is not the assignee", () => otherManager.token, 1],
    ["a TRAINER who does not train the session", () => otherTrainer.token, 1],
    ["an AUDITOR", () => auditor.token, 1],
  ])("%s is FORBIDDEN", async (_who, token, index) => {
    await expectRefusedWithoutWrite(() => mark(registrations[index]!.id, token()), "FORBIDDEN");
  });

  it("after the session ended: EMPLOYEE, the session's trainer and its assignee mark participants", async () => {
    test.clock.advanceTo(endsAt + HOUR);
    for (const [index, who] of [[1, employee], [2, trainer], [3, manager]] as const) {
      const marked = ok(await mark(registrations[index]!.id, who.token)).markAttendance as Registration;
      expect(marked).toMatchObject({ id: registrations[index]!.id, attended: true, attendanceMethod: "STAFF" });
    }
  });

  it("a waitlisted person is NOT_A_PARTICIPANT", async () => {
    await expectRefusedWithoutWrite(() => mark(waiting.id, admin.token), "NOT_A_PARTICIPANT");
  });

  it("participants(attended: true) lists those marked; attended: false the others; the count follows", async () => {
    const session = ok(
      await test.gql(
        `query ($id: ID!) { session(id: $id) {
          attendedCount registeredCount
          attended: participants(attended: true) { totalCount nodes { id attended attendanceMethod } }
          absent: participants(attended: false) { totalCount nodes { id attended } }
        } }`,
        { id: sessionId },
        admin.token,
      ),
    ).session;
    expect(session.attendedCount).toBe(4);
    expect(session.registeredCount).toBe(5);
    expect(session.attended.totalCount).toBe(4);
    expect(new Set(session.attended.nodes.map((r: Registration) => r.id))).toEqual(new Set(registrations.slice(0, 4).map((r) => r.id)));
    expect(session.attended.nodes.every((r: Registration) => r.attended && r.attendanceMethod === "STAFF")).toBe(true);
    expect(session.absent).toEqual({ totalCount: 1, nodes: [{ id: registrations[4]!.id, attended: false }] });
  });
});
