/**
 * Who may do what with sessions, through the HTTP API and WebSocket (authorization table, §0, S3, S5):
 * only an ADMIN plans; an ADMIN or the session's assignee edits it and changes its status; a
 * MANAGER who names no assignee becomes it; other roles create nothing. LEARNERs never see DRAFT
 * or LEAD sessions, private notes or the assignee; private sessions are seen only by the users,
 * teams and e-mails they target (with no target, by no learner), and so are their status changes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { collectStatusChanges, sleep, until } from "../support/status-changes.js";
import { addMember, createOrganization, ok, refused, startTestServer, type Member, type TestServer } from "../support/test-server.js";

const CREATE = `mutation ($input: CreateSessionInput!) { createSession(input: $input) { id status assigneeId } }`;
const EDIT = `mutation ($input: EditSessionDetailsInput!) { editSessionDetails(input: $input) { id name assigneeId } }`;
const SCHEDULE = `mutation ($input: SetSessionScheduleInput!) { setSessionSchedule(input: $input) { id } }`;
const FORMAT = `mutation ($input: SetSessionFormatInput!) { setSessionFormat(input: $input) { id } }`;
const AUDIENCE = `mutation ($input: SetSessionAudienceInput!) { setSessionAudience(input: $input) { id } }`;
const MARK_LEAD = `mutation ($input: ChangeSessionStatusInput!) { markSessionAsLead(input: $input) { status } }`;
const TO_DRAFT = `mutation ($input: ChangeSessionStatusInput!) { returnSessionToDraft(input: $input) { status } }`;
const PLAN = `mutation ($input: ChangeSessionStatusInput!) { planSession(input: $input) { status } }`;
const CONFIRM = `mutation ($input: ConfirmSessionInput!) { confirmSession(input: $input) { status } }`;
const CANCEL = `mutation ($input: CancelSessionInput!) { cancelSession(input: $input) { status } }`;
const SESSION = `query ($id: ID!) {
  session(id: $id) {
    id status name privateNote assigneeId assignee { id }
    audience { __typename ... on PrivateAudience { targetUserIds targetTeamIds invitedEmails } }
  }
}`;
const SESSIONS = `query ($search: String) {
  sessions(first: 100, filter: { search: $search }) { totalCount nodes { id status privateNote assignee { id } } }
}`;
const STATUS_CHANGED = `subscription { sessionStatusChanged { sessionId previousStatus status } }`;

type Org = Awaited<ReturnType<typeof createOrganization>>;


let test: TestServer;
let admin: Org;
let manager: Member;
let otherManager: Member;
let trainer: Member;
let others: Record<string, Member>;

const gql = (query: string, input: Record<string, unknown>, token: string) => test.gql(query, { input }, token);

/** A session with everything planning needs; created by `token`, optionally with an assignee. */
async function readySession(
  token: string,
  input: { name: string; mode?: "PUBLIC" | "PRIVATE"; assigneeId?: string; privateNote?: string; audience?: Record<string, unknown> },
): Promise<string> {
  const mode = input.mode ?? "PUBLIC";
  const audience = input.audience ?? (mode === "PUBLIC" ? { minParticipants: 1, maxParticipants: 30 } : {});
  const id = ok(
    await gql(
      CREATE,
      {
        name: input.name,
        mode,
        ...(input.assigneeId ? { assigneeId: input.assigneeId } : {}),
        ...(input.privateNote ? { privateNote: input.privateNote } : {}),
        audience: { mode, ...audience },
      },
      token,
    ),
  ).createSession.id as string;
  ok(await gql(SCHEDULE, { sessionId: id, startsAt: "2027-02-01T09:00:00Z", endsAt: "2027-02-01T12:00:00Z" }, token));
  ok(await gql(FORMAT, { sessionId: id, kind: "WEBINAR", link: "https://meet.example.com/x", trainerId: trainer.userId }, token));
  return id;
}

const statusOf = async (id: string) => ok(await test.gql(SESSION, { id }, admin.token)).session.status as string;

beforeAll(async () => {
  test = await startTestServer();
  admin = await createOrganization(test);
  // In parallel: password hashing dominates, and it runs on the thread pool.
  const roles = ["MANAGER", "MANAGER", "TRAINER", "HOST", "EMPLOYEE", "AUDITOR", "LEARNER"];
  const [m1, m2, t, host, employee, auditor, learner] = await Promise.all(roles.map((role) => addMember(test, admin.token, [role])));
  manager = m1!;
  otherManager = m2!;
  trainer = t!;
  others = { HOST: host!, EMPLOYEE: employee!, AUDITOR: auditor!, LEARNER: learner!, TRAINER: trainer };
});
afterAll(() => test.stop());

describe("planning is the ADMIN's (S3)", () => {
  it("the MANAGER assignee cannot plan DRAFT→PLANNED nor LEAD→PLANNED (FORBIDDEN); the ADMIN plans both", async () => {
    const fromDraft = await readySession(manager.token, { name: "Plan from draft" });
    const fromLead = await readySession(manager.token, { name: "Plan from lead" });
    expect(ok(await gql(MARK_LEAD, { sessionId: fromLead }, manager.token)).markSessionAsLead.status).toBe("LEAD");

    const draftRefusal = refused(await gql(PLAN, { sessionId: fromDraft }, manager.token));
    expect(draftRefusal.code).toBe("FORBIDDEN");
    expect(draftRefusal.message).toMatch(/planSession/);
    expect(refused(await gql(PLAN, { sessionId: fromLead }, manager.token)).code).toBe("FORBIDDEN");
    expect(await statusOf(fromDraft)).toBe("DRAFT");
    expect(await statusOf(fromLead)).toBe("LEAD");

    for (const [role, member] of Object.entries(others)) {
      expect(refused(await gql(PLAN, { sessionId: fromDraft }, member.token)).code, role).toBe(
        role === "LEARNER" ? "NOT_FOUND" : "FORBIDDEN",
      );
    }

    expect(ok(await gql(PLAN, { sessionId: fromDraft, reason: "Validated" }, admin.token)).planSession.status).toBe("PLANNED");
    expect(ok(await gql(PLAN, { sessionId: fromLead }, admin.token)).planSession.status).toBe("PLANNED");
  });
});

describe("editing and changing status: ADMIN or the session's assignee (S3)", () => {
  it("the assignee edits, marks as lead, returns to draft, confirms and cancels; the ADMIN too", async () => {
    const id = await readySession(manager.token, { name: "Assignee's session" });
    expect(ok(await gql(EDIT, { sessionId: id, name: "Renamed by assignee" }, manager.token)).editSessionDetails.name).toBe(
      "Renamed by assignee",
    );
    ok(await gql(AUDIENCE, { sessionId: id, mode: "PUBLIC", minParticipants: 2, maxParticipants: 10 }, manager.token));
    expect(ok(await gql(MARK_LEAD, { sessionId: id }, manager.token)).markSessionAsLead.status).toBe("LEAD");
    expect(ok(await gql(TO_DRAFT, { sessionId: id, reason: "Not yet" }, manager.token)).returnSessionToDraft.status).toBe("DRAFT");
    expect(ok(await gql(EDIT, { sessionId: id, name: "Renamed by admin" }, admin.token)).editSessionDetails.name).toBe("Renamed by admin");
    ok(await gql(PLAN, { sessionId: id }, admin.token));
    expect(ok(await gql(CONFIRM, { sessionId: id }, manager.token)).confirmSession.status).toBe("CONFIRMED");
    expect(ok(await gql(CANCEL, { sessionId: id, reason: "Venue closed" }, manager.token)).cancelSession.status).toBe("CANCELED");

    const adminOwn = await readySession(manager.token, { name: "Admin changes it" });
    expect(ok(await gql(MARK_LEAD, { sessionId: adminOwn }, admin.token)).markSessionAsLead.status).toBe("LEAD");
    expect(ok(await gql(TO_DRAFT, { sessionId: adminOwn }, admin.token)).returnSessionToDraft.status).toBe("DRAFT");
    ok(await gql(PLAN, { sessionId: adminOwn }, admin.token));
    expect(ok(await gql(CONFIRM, { sessionId: adminOwn }, admin.token)).confirmSession.status).toBe("CONFIRMED");
    expect(ok(await gql(CANCEL, { sessionId: adminOwn, reason: "Admin's call" }, admin.token)).cancelSession.status).toBe("CANCELED");
  });

  it("a MANAGER who is not the assignee is FORBIDDEN to edit or change the status, and nothing changes", async () => {
    const draft = await readySession(manager.token, { name: "Not yours (draft)" });
    const lead = await readySession(manager.token, { name: "Not yours (lead)" });
    ok(await gql(MARK_LEAD, { sessionId: lead }, manager.token));
    const planned = await readySession(manager.token, { name: "Not yours (planned)" });
    ok(await gql(PLAN, { sessionId: planned }, admin.token));
    const head = await test.app.store.headPosition();

    const attempts: [string, string, Record<string, unknown>][] = [
      ["editSessionDetails", EDIT, { sessionId: draft, name: "Hijacked" }],
      ["setSessionSchedule", SCHEDULE, { sessionId: draft, startsAt: "2027-05-01T09:00:00Z", endsAt: "2027-05-01T10:00:00Z" }],
      ["setSessionFormat", FORMAT, { sessionId: draft, kind: "WEBINAR", link: "https://evil.example.com", trainerId: trainer.userId }],
      ["setSessionAudience", AUDIENCE, { sessionId: draft, mode: "PUBLIC", minParticipants: 1, maxParticipants: 2 }],
      ["markSessionAsLead", MARK_LEAD, { sessionId: draft }],
      ["returnSessionToDraft", TO_DRAFT, { sessionId: lead }],
      ["confirmSession", CONFIRM, { sessionId: planned }],
      ["cancelSession", CANCEL, { sessionId: planned, reason: "Hijacked" }],
      ["editSessionDetails (take it over)", EDIT, { sessionId: draft, assigneeId: otherManager.userId }],
    ];
    for (const [what, query, input] of attempts) {
      const error = refused(await gql(query, input, otherManager.token));
      expect(error.code, what).toBe("FORBIDDEN");
    }
    // Nor the other staff roles.
    for (const [role, member] of Object.entries(others)) {
      if (role === "LEARNER") continue;
      expect(refused(await gql(EDIT, { sessionId: draft, name: "Hijacked" }, member.token)).code, role).toBe("FORBIDDEN");
      expect(refused(await gql(CANCEL, { sessionId: planned, reason: "Hijacked" }, member.token)).code, role).toBe("FORBIDDEN");
    }
    // A LEARNER does not even see the draft.
    expect(refused(await gql(EDIT, { sessionId: draft, name: "Hijacked" }, others.LEARNER!.token)).code).toBe("NOT_FOUND");

    expect(await test.app.store.headPosition()).toBe(head);
    expect([await statusOf(draft), await statusOf(lead), await statusOf(planned)]).toEqual(["DRAFT", "LEAD", "PLANNED"]);
  });

  it("reassigning moves the right: the new assignee may edit, the former one may not", async () => {
    const id = await readySession(manager.token, { name: "Handed over" });
    expect(ok(await gql(EDIT, { sessionId: id, assigneeId: otherManager.userId }, admin.token)).editSessionDetails.assigneeId).toBe(
      otherManager.userId,
    );
    expect(ok(await gql(EDIT, { sessionId: id, name: "Now mine" }, otherManager.token)).editSessionDetails.name).toBe("Now mine");
    expect(refused(await gql(EDIT, { sessionId: id, name: "Still mine?" }, manager.token)).code).toBe("FORBIDDEN");
  });
});

describe("creating sessions (§0 roles)", () => {
  it("a MANAGER who names no assignee becomes it; one who names another MANAGER leaves it to them; an ADMIN's has none", async () => {
    const own = ok(await gql(CREATE, { name: "Manager's own" }, manager.token)).createSession;
    expect(own.assigneeId).toBe(manager.userId);

    const forOther = ok(await gql(CREATE, { name: "For a colleague", assigneeId: otherManager.userId }, manager.token)).createSession;
    expect(forOther.assigneeId).toBe(otherManager.userId);
    expect(ok(await gql(EDIT, { sessionId: forOther.id, summary: "Colleague edits" }, otherManager.token)).editSessionDetails.id).toBe(
      forOther.id,
    );

    expect(ok(await gql(CREATE, { name: "Admin's own" }, admin.token)).createSession.assigneeId).toBeNull();
  });

  it("TRAINER, HOST, EMPLOYEE, AUDITOR and LEARNER cannot create sessions (FORBIDDEN) and nothing is appended", async () => {
    const head = await test.app.store.headPosition();
    for (const [role, member] of Object.entries(others)) {
      const error = refused(await gql(CREATE, { name: `By a ${role}` }, member.token));
      expect(error.code, role).toBe("FORBIDDEN");
      expect(error.message, role).toMatch(/createSession/);
    }
    expect(refused(await gql(CREATE, { name: "Anonymous" }, "")).code).toBe("UNAUTHENTICATED");
    expect(await test.app.store.headPosition()).toBe(head);
  });
});

describe("what LEARNERs see (S3, S5)", () => {
  const WORD = "Kestrelvis"; // in every name below, to list only these sessions
  let learnerByUser: Member;
  let learnerByTeam: Member;
  let learnerByEmail: Member;
  let learnerUntargeted: Member;
  let teamId: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    [learnerByUser, learnerByTeam, learnerByEmail] = await Promise.all(
      [1, 2, 3].map(() => addMember(test, admin.token, ["LEARNER"])),
    ) as [Member, Member, Member];
    learnerUntargeted = others.LEARNER!;
    teamId = ok(
      await test.gql(
        `mutation ($input: CreateTeamInput!) { createTeam(input: $input) { id } }`,
        { input: { name: "Visibility team", memberIds: [learnerByTeam.userId] } },
        admin.token,
      ),
    ).createTeam.id;

    const note = (name: string) => `Private note of ${name}`;
    const make = async (key: string, mode: "PUBLIC" | "PRIVATE", audience?: Record<string, unknown>) => {
      ids[key] = await readySession(admin.token, {
        name: `${WORD} ${key}`,
        mode,
        assigneeId: manager.userId,
        privateNote: note(key),
        ...(audience ? { audience } : {}),
      });
    };
    await make("draft", "PUBLIC");
    await make("lead", "PUBLIC");
    ok(await gql(MARK_LEAD, { sessionId: ids.lead! }, admin.token));
    await make("planned", "PUBLIC");
    await make("confirmed", "PUBLIC");
    await make("canceled", "PUBLIC");
    await make("privateUser", "PRIVATE", { targetUserIds: [learnerByUser.userId] });
    await make("privateTeam", "PRIVATE", { targetTeamIds: [teamId] });
    await make("privateEmail", "PRIVATE", { invitedEmails: [learnerByEmail.email.toUpperCase(), "outsider@elsewhere.test"] });
    await make("privateNobody", "PRIVATE");
    await make("privateUserDraft", "PRIVATE", { targetUserIds: [learnerByUser.userId] });
    for (const key of ["planned", "confirmed", "canceled", "privateUser", "privateTeam", "privateEmail", "privateNobody"]) {
      ok(await gql(PLAN, { sessionId: ids[key]! }, admin.token));
    }
    ok(await gql(CONFIRM, { sessionId: ids.confirmed! }, admin.token));
    ok(await gql(CANCEL, { sessionId: ids.canceled!, reason: "Too few" }, admin.token));
  });

  const PUBLIC_VISIBLE = ["planned", "confirmed", "canceled"];

  async function expectSees(member: Member, visible: string[]) {
    const listed = ok(await test.gql(SESSIONS, { search: WORD }, member.token)).sessions;
    const expectedIds = visible.map((key) => ids[key]!).sort();
    expect(listed.nodes.map((node: { id: string }) => node.id).sort()).toEqual(expectedIds);
    expect(listed.totalCount).toBe(visible.length);
    for (const [key, id] of Object.entries(ids)) {
      const result = await test.gql(SESSION, { id }, member.token);
      if (visible.includes(key)) {
        expect(ok(result).session.id, key).toBe(id);
      } else {
        expect(refused(result).code, key).toBe("NOT_FOUND");
      }
    }
  }

  it("a LEARNER never sees DRAFT or LEAD sessions: session(id) is NOT_FOUND, the list and its totalCount leave them out", async () => {
    await expectSees(learnerUntargeted, PUBLIC_VISIBLE);
    // Without a search filter too: no DRAFT or LEAD anywhere in a learner's list.
    const all = ok(await test.gql(`{ sessions(first: 100) { totalCount nodes { status } } }`, {}, learnerUntargeted.token)).sessions;
    expect(all.nodes.length).toBe(all.totalCount);
    for (const node of all.nodes) expect(["PLANNED", "CONFIRMED", "CANCELED"]).toContain(node.status);
  });

  it("private sessions (S5): seen by the targeted user, by members of a targeted team and by invited e-mails only", async () => {
    await expectSees(learnerByUser, [...PUBLIC_VISIBLE, "privateUser"]);
    await expectSees(learnerByTeam, [...PUBLIC_VISIBLE, "privateTeam"]);
    await expectSees(learnerByEmail, [...PUBLIC_VISIBLE, "privateEmail"]);
  });

  it("staff (and no learner) see a private session without targets, and every DRAFT and LEAD session", async () => {
    const everything = Object.keys(ids);
    for (const member of [trainer, others.HOST!, others.EMPLOYEE!, others.AUDITOR!, otherManager]) {
      await expectSees(member, everything);
    }
    for (const learner of [learnerByUser, learnerByTeam, learnerByEmail, learnerUntargeted]) {
      expect(refused(await test.gql(SESSION, { id: ids.privateNobody }, learner.token)).code).toBe("NOT_FOUND");
    }
  });

  it("a LEARNER never gets the private note nor the assignee; staff do", async () => {
    for (const learner of [learnerByUser, learnerUntargeted]) {
      const one = ok(await test.gql(SESSION, { id: ids.planned }, learner.token)).session;
      expect(one.privateNote).toBeNull();
      expect(one.assignee).toBeNull();
      const listed = ok(await test.gql(SESSIONS, { search: WORD }, learner.token)).sessions.nodes;
      for (const node of listed) {
        expect(node.privateNote).toBeNull();
        expect(node.assignee).toBeNull();
      }
    }
    for (const member of [trainer, others.AUDITOR!, otherManager, admin]) {
      const one = ok(await test.gql(SESSION, { id: ids.planned }, member.token)).session;
      expect(one.privateNote).toBe("Private note of planned");
      expect(one.assignee).toEqual({ id: manager.userId });
      const listed = ok(await test.gql(SESSIONS, { search: WORD }, member.token)).sessions.nodes;
      expect(listed.every((node: { privateNote: string | null }) => node.privateNote?.startsWith("Private note of"))).toBe(true);
    }
  });

  it("a LEARNER does not get the assignee's id either (the assignee is staff-only)", async () => {
    const one = ok(await test.gql(SESSION, { id: ids.planned }, learnerUntargeted.token)).session;
    expect(one.assigneeId).toBeNull();
  });

  it("a learner invited to a private session does not see who else is targeted (other people's ids and e-mails)", async () => {
    const seen = ok(await test.gql(SESSION, { id: ids.privateEmail }, learnerByEmail.token)).session;
    expect(JSON.stringify(seen)).not.toContain("outsider@elsewhere.test");
    expect(seen.audience.__typename).toBe("PrivateAudience");
    // Staff see the whole audience.
    const staffView = ok(await test.gql(SESSION, { id: ids.privateEmail }, admin.token)).session;
    expect(staffView.audience.invitedEmails).toEqual([learnerByEmail.email, "outsider@elsewhere.test"]);
  });

  it("a learner who joins a targeted team sees its private session from then on", async () => {
    // Last of this group: it changes what this learner sees.
    const joiner = learnerUntargeted;
    await expectSees(joiner, PUBLIC_VISIBLE);
    ok(
      await test.gql(
        `mutation ($input: TeamMemberInput!) { addTeamMember(input: $input) { id } }`,
        { input: { teamId, userId: joiner.userId } },
        admin.token,
      ),
    );
    await expectSees(joiner, [...PUBLIC_VISIBLE, "privateTeam"]);
  });
});

describe("sessionStatusChanged for a LEARNER (S5)", () => {


  it("delivers only transitions of sessions the learner may see; an ADMIN control subscriber gets them all", async () => {
    const learner = others.LEARNER!;
    const publicSession = await readySession(admin.token, { name: "Streamed public" });
    const privateFor = (name: string, userId: string) =>
      readySession(admin.token, { name, mode: "PRIVATE", audience: { targetUserIds: [userId] } });
    const notForThem = await privateFor("Streamed private, other", trainer.userId);
    const forThem = await privateFor("Streamed private, theirs", learner.userId);

    const control = collectStatusChanges(test.ws(admin.token), STATUS_CHANGED);
    const learnerSubscriber = collectStatusChanges(test.ws(learner.token), STATUS_CHANGED);
    await sleep(300); // let both subscriptions register

    ok(await gql(MARK_LEAD, { sessionId: publicSession }, admin.token)); // DRAFT → LEAD: not for learners
    ok(await gql(PLAN, { sessionId: notForThem }, admin.token)); // private, not targeting them
    ok(await gql(PLAN, { sessionId: publicSession }, admin.token)); // LEAD → PLANNED, public: delivered
    ok(await gql(PLAN, { sessionId: forThem }, admin.token)); // private, targeting them: delivered
    ok(await gql(CANCEL, { sessionId: notForThem, reason: "Cancelled" }, admin.token)); // still not theirs
    ok(await gql(CANCEL, { sessionId: publicSession, reason: "Trainer ill" }, admin.token)); // CANCELED, public: delivered

    await until(() => control.changes.length >= 6 || control.errors.length > 0, "the control subscriber");
    expect(control.errors).toEqual([]);
    expect(control.changes.map((c) => [c.sessionId, c.status])).toEqual([
      [publicSession, "LEAD"],
      [notForThem, "PLANNED"],
      [publicSession, "PLANNED"],
      [forThem, "PLANNED"],
      [notForThem, "CANCELED"],
      [publicSession, "CANCELED"],
    ]);

    await until(() => learnerSubscriber.changes.length >= 3 || learnerSubscriber.errors.length > 0, "the learner's subscriber");
    await sleep(100); // anything extra would have arrived by now
    expect(learnerSubscriber.errors).toEqual([]);
    expect(learnerSubscriber.changes).toEqual([
      { sessionId: publicSession, previousStatus: "LEAD", status: "PLANNED" },
      { sessionId: forThem, previousStatus: "DRAFT", status: "PLANNED" },
      { sessionId: publicSession, previousStatus: "PLANNED", status: "CANCELED" },
    ]);
    control.unsubscribe();
    learnerSubscriber.unsubscribe();
  });
});
