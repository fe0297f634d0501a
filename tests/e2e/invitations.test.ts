/**
 * §0 invitations over real HTTP: inviteUser e-mails a single-use link that expires (7 days by
 * default); acceptInvitation sets the password and signs in; a used, replaced, expired or
 * tampered link is INVALID_INVITATION with its reason; a weak password leaves the link usable.
 * And S5: an e-mail invited to a private session lets the person who signs up with it see it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createReadySession } from "../support/session-setup.js";
import { DAY, HOUR } from "../support/test-clock.js";
import {
  addMember,
  createOrganization,
  type Member,
  ok,
  refused,
  startTestServer,
  type TestServer,
} from "../support/test-server.js";

type Org = Awaited<ReturnType<typeof createOrganization>>;

const USER_FIELDS = "id email displayName roles status hasPassword invitationExpiresAt";
const INVITE = `mutation ($input: InviteUserInput!) { inviteUser(input: $input) { ${USER_FIELDS} } }`;
const SEND = `mutation ($id: ID!) { sendInvitation(input: { userId: $id }) { ${USER_FIELDS} } }`;
const ACCEPT = `mutation ($input: AcceptInvitationInput!) {
  acceptInvitation(input: $input) { token refreshToken user { id email displayName status hasPassword } organization { id } }
}`;
const USER = `query ($id: ID!) { user(id: $id) { ${USER_FIELDS} } }`;
const SIGN_IN = `mutation ($input: SignInInput!) { signIn(input: $input) { token user { id } } }`;
const ME = `{ me { id email displayName status roles } }`;
const PASSWORD = "correct horse battery 5";

let test: TestServer;
let admin: Org;
let unique = 0;

const address = (label: string) => `${label}-${++unique}-${Date.now()}@invited.test`;

/** The tokens of the links e-mailed to `to`, oldest first. */
function linksTo(to: string): string[] {
  return test.outbox
    .filter((mail) => mail.to === to)
    .map((mail) => {
      const match = /accept-invitation\?token=([^\s]+)/.exec(mail.text);
      if (!match) throw new Error(`No invitation link in: ${mail.text}`);
      return decodeURIComponent(match[1]!);
    });
}

async function invite(input: Record<string, unknown>, token = admin.token) {
  return ok(await test.gql(INVITE, { input }, token)).inviteUser;
}

const accept = (token: string, password = PASSWORD, displayName?: string) =>
  test.gql(ACCEPT, { input: { token, password, ...(displayName ? { displayName } : {}) } });

beforeAll(async () => {
  test = await startTestServer();
  admin = await createOrganization(test);
});
afterAll(() => test.stop());

describe("§0 inviting a person by e-mail", () => {
  it("inviteUser creates an INVITED user without a password, expiring in 7 days, and e-mails one link", async () => {
    const email = address("Invitee");
    const before = test.clock.now().getTime();
    const user = await invite({ email, roles: ["LEARNER"] });
    const after = test.clock.now().getTime();
    expect(user).toMatchObject({ email: email.toLowerCase(), status: "INVITED", hasPassword: false, roles: ["LEARNER"] });
    // Defaults to the part of the e-mail before @.
    expect(user.displayName).toBe(email.toLowerCase().split("@")[0]);
    const expiresAt = new Date(user.invitationExpiresAt).getTime();
    expect(expiresAt).toBeGreaterThanOrEqual(before + 7 * DAY - 1000);
    expect(expiresAt).toBeLessThanOrEqual(after + 7 * DAY + 1000);

    const mails = test.outbox.filter((mail) => mail.to === email.toLowerCase());
    expect(mails).toHaveLength(1);
    const [token] = linksTo(email.toLowerCase());
    expect(token).toMatch(/^inv_/);
    expect(mails[0]!.text).toContain(encodeURIComponent(token!));
    expect(ok(await test.gql(USER, { id: user.id }, admin.token)).user).toEqual(user);
  });

  it("an invited person cannot sign in before accepting", async () => {
    const email = address("early");
    await invite({ email });
    const attempt = refused(await test.gql(SIGN_IN, { input: { email, password: PASSWORD } }));
    expect(attempt.code).toBe("UNAUTHENTICATED");
  });

  it("acceptInvitation sets the password and the name, makes the user ACTIVE and returns working tokens; the link then is USED", async () => {
    const email = address("accepter");
    const user = await invite({ email, displayName: "Typed By Inviter", roles: ["LEARNER"] });
    const [token] = linksTo(email);

    const accepted = ok(await accept(token!, PASSWORD, "Chosen Name")).acceptInvitation;
    expect(accepted.organization.id).toBe(admin.organizationId);
    expect(accepted.user).toMatchObject({ id: user.id, status: "ACTIVE", hasPassword: true, displayName: "Chosen Name" });
    expect(ok(await test.gql(ME, {}, accepted.token)).me).toMatchObject({ id: user.id, status: "ACTIVE", displayName: "Chosen Name" });
    expect(ok(await test.gql(USER, { id: user.id }, admin.token)).user).toMatchObject({ status: "ACTIVE", invitationExpiresAt: null });

    // The password chosen works at sign-in.
    expect(ok(await test.gql(SIGN_IN, { input: { email, password: PASSWORD } })).signIn.user.id).toBe(user.id);

    const again = refused(await accept(token!, "another password 77"));
    expect(again.code).toBe("INVALID_INVITATION");
    expect(again.extensions.reason).toBe("USED");
    // The second attempt changed nothing: the first password still works, the other does not.
    expect(refused(await test.gql(SIGN_IN, { input: { email, password: "another password 77" } })).code).toBe("UNAUTHENTICATED");
    ok(await test.gql(SIGN_IN, { input: { email, password: PASSWORD } }));
  });

  it("sendInvitation e-mails a new link; the older one is then REPLACED", async () => {
    const email = address("resent");
    const user = await invite({ email });
    const resent = ok(await test.gql(SEND, { id: user.id }, admin.token)).sendInvitation;
    expect(resent.status).toBe("INVITED");
    const links = linksTo(email);
    expect(links).toHaveLength(2);
    const [oldLink, newLink] = links as [string, string];
    expect(newLink).not.toBe(oldLink);

    const stale = refused(await accept(oldLink));
    expect(stale.code).toBe("INVALID_INVITATION");
    expect(stale.extensions.reason).toBe("REPLACED");
    expect(ok(await test.gql(USER, { id: user.id }, admin.token)).user.status).toBe("INVITED");

    expect(ok(await accept(newLink)).acceptInvitation.user.status).toBe("ACTIVE");
  });

  describe("on the server's clock moved days ahead", () => {
    // These tests move the clock more than a week forward: they get a server of their own (the
    // file's shared server and its one-hour tokens stay where they are), whose access tokens
    // outlive the jumps. The helpers above use it while these tests run.
    let shared: { test: TestServer; admin: Org };
    beforeAll(async () => {
      shared = { test, admin };
      test = await startTestServer({ ACCESS_TOKEN_TTL_SECONDS: String((30 * DAY) / 1000) });
      admin = await createOrganization(test);
    });
    afterAll(async () => {
      await test.stop();
      ({ test, admin } = shared);
    });

    it("an invitation accepted after its expiry is EXPIRED and changes nothing; a new one works", async () => {
      const email = address("late");
      const user = await invite({ email });
      const [token] = linksTo(email);
      expect(Date.parse(user.invitationExpiresAt)).toBeLessThan(test.clock.now().getTime() + 8 * DAY);

      test.clock.advance(8 * DAY);
      const late = refused(await accept(token!));
      expect(late.code).toBe("INVALID_INVITATION");
      expect(late.extensions.reason).toBe("EXPIRED");
      expect(ok(await test.gql(USER, { id: user.id }, admin.token)).user).toMatchObject({ status: "INVITED", hasPassword: false });

      ok(await test.gql(SEND, { id: user.id }, admin.token));
      const fresh = linksTo(email).at(-1)!;
      expect(ok(await accept(fresh)).acceptInvitation.user.status).toBe("ACTIVE");
    });

    it("an invitation is still good just before its expiry", async () => {
      const email = address("justintime");
      const user = await invite({ email });
      const [token] = linksTo(email);
      test.clock.advance(7 * DAY - HOUR);
      expect(test.clock.now().getTime()).toBeLessThan(Date.parse(user.invitationExpiresAt));
      const accepted = ok(await accept(token!)).acceptInvitation;
      expect(accepted.user.status).toBe("ACTIVE");
    });
  });

  it("a tampered token is INVALID_INVITATION with reason UNKNOWN", async () => {
    const email = address("tampered");
    const user = await invite({ email });
    const [token] = linksTo(email) as [string];
    const macStart = token.lastIndexOf(".") + 1;
    const at = macStart + 5;
    const tampered = `${token.slice(0, at)}${token[at] === "A" ? "B" : "A"}${token.slice(at + 1)}`;
    const otherUser = token.replace(user.id, admin.userId);
    for (const bad of [tampered, otherUser, "inv_nonsense", "not-a-token-at-all", ""]) {
      const denied = refused(await accept(bad));
      expect(denied.code, bad).toBe("INVALID_INVITATION");
      expect(denied.extensions.reason, bad).toBe("UNKNOWN");
    }
    expect(ok(await test.gql(USER, { id: user.id }, admin.token)).user.status).toBe("INVITED");
    // The real link still works.
    ok(await accept(token));
  });

  it("a weak password is BAD_USER_INPUT (field password) and the invitation stays usable", async () => {
    const email = address("weak");
    const user = await invite({ email });
    const [token] = linksTo(email) as [string];
    for (const weak of ["short1", "onlyletterslong", "1234567890123"]) {
      const denied = refused(await accept(token, weak));
      expect(denied.code, weak).toBe("BAD_USER_INPUT");
      expect(denied.extensions.field).toBe("password");
    }
    expect(ok(await test.gql(USER, { id: user.id }, admin.token)).user).toMatchObject({ status: "INVITED", hasPassword: false });
    expect(ok(await accept(token)).acceptInvitation.user.status).toBe("ACTIVE");
  });

  it("sendInvitation for a user who already has a password is BAD_USER_INPUT and sends nothing", async () => {
    const member = await addMember(test, admin.token, ["LEARNER"]);
    const sentBefore = test.outbox.length;
    const denied = refused(await test.gql(SEND, { id: member.userId }, admin.token));
    expect(denied.code).toBe("BAD_USER_INPUT");
    expect(test.outbox.length).toBe(sentBefore);
  });

  it("inviting an e-mail already used in the organization is ALREADY_EXISTS and sends nothing", async () => {
    const email = address("dup");
    await invite({ email });
    const sentBefore = test.outbox.length;
    const denied = refused(await test.gql(INVITE, { input: { email: email.toUpperCase() } }, admin.token));
    expect(denied.code).toBe("ALREADY_EXISTS");
    expect(denied.extensions.field).toBe("email");
    expect(test.outbox.length).toBe(sentBefore);
  });

  it("the link of a user deactivated meanwhile is INVALID_INVITATION and no new one can be sent", async () => {
    const email = address("gone");
    const user = await invite({ email });
    const [token] = linksTo(email) as [string];
    ok(await test.gql(`mutation ($id: ID!) { deactivateUser(input: { userId: $id }) { id } }`, { id: user.id }, admin.token));
    const denied = refused(await accept(token));
    expect(denied.code).toBe("INVALID_INVITATION");
    expect(ok(await test.gql(USER, { id: user.id }, admin.token)).user).toMatchObject({ status: "DEACTIVATED", hasPassword: false });
    expect(refused(await test.gql(SEND, { id: user.id }, admin.token)).code).toBe("BAD_USER_INPUT");
    expect(linksTo(email)).toHaveLength(1);
  });

  it("a MANAGER cannot re-send a staff member's invitation (FORBIDDEN)", async () => {
    const manager = await addMember(test, admin.token, ["MANAGER"]);
    const email = address("staff-invitee");
    const user = await invite({ email, roles: ["TRAINER"] });
    expect(refused(await test.gql(SEND, { id: user.id }, manager.token)).code).toBe("FORBIDDEN");
    expect(linksTo(email)).toHaveLength(1);
  });

  it("a MANAGER invites LEARNERs only; a LEARNER cannot invite (FORBIDDEN)", async () => {
    const manager = await addMember(test, admin.token, ["MANAGER"]);
    const learner = await addMember(test, admin.token, ["LEARNER"]);
    expect((await invite({ email: address("by-manager") }, manager.token)).roles).toEqual(["LEARNER"]);
    const sentBefore = test.outbox.length;
    expect(refused(await test.gql(INVITE, { input: { email: address("staff"), roles: ["TRAINER"] } }, manager.token)).code).toBe(
      "FORBIDDEN",
    );
    expect(refused(await test.gql(INVITE, { input: { email: address("by-learner") } }, learner.token)).code).toBe("FORBIDDEN");
    expect(test.outbox.length).toBe(sentBefore);
  });
});

describe("S5 a private session inviting an e-mail", () => {
  let sessionId: string;
  const invitedEmail = `guest-${Date.now()}@outside.test`;
  let other: Member;

  const SESSION = `query ($id: ID!) { session(id: $id) { id status mode } }`;
  const SESSIONS = `{ sessions(first: 100) { totalCount nodes { id } } }`;

  async function setStatus(mutation: "planSession" | "markSessionAsLead") {
    ok(await test.gql(`mutation ($input: ChangeSessionStatusInput!) { ${mutation}(input: $input) { id } }`, { input: { sessionId } }, admin.token));
  }

  async function sees(token: string): Promise<boolean> {
    const listed = ok(await test.gql(SESSIONS, {}, token)).sessions.nodes.some((s: { id: string }) => s.id === sessionId);
    const single = await test.gql(SESSION, { id: sessionId }, token);
    if (single.errors) expect(refused(single).code).toBe("NOT_FOUND");
    expect(!single.errors, "session(id) and sessions agree").toBe(listed);
    return listed;
  }

  beforeAll(async () => {
    sessionId = await createReadySession(test, admin.token, { name: "Private masterclass" });
    ok(
      await test.gql(
        `mutation ($input: SetSessionAudienceInput!) { setSessionAudience(input: $input) { id } }`,
        { input: { sessionId, mode: "PRIVATE", invitedEmails: [invitedEmail.toUpperCase()] } },
        admin.token,
      ),
    );
    other = await addMember(test, admin.token, ["LEARNER"]);
  });

  it("the person who signs up with the invited e-mail (any casing) sees it once PLANNED; another learner does not", async () => {
    const signedUp = ok(
      await test.gql(
        `mutation ($input: SignUpInput!) { signUp(input: $input) { token user { id email } } }`,
        {
          input: {
            organizationId: admin.organizationId,
            email: `  ${invitedEmail.replace("guest", "GuEsT")}`,
            displayName: "Guest",
            password: PASSWORD,
          },
        },
      ),
    ).signUp;
    expect(signedUp.user.email).toBe(invitedEmail);

    await setStatus("markSessionAsLead");
    expect(await sees(signedUp.token)).toBe(false); // LEAD: not open yet
    await setStatus("planSession");
    expect(await sees(signedUp.token)).toBe(true);
    expect(ok(await test.gql(SESSION, { id: sessionId }, signedUp.token)).session).toEqual({
      id: sessionId,
      status: "PLANNED",
      mode: "PRIVATE",
    });
    expect(await sees(other.token)).toBe(false);
    expect(await sees(admin.token)).toBe(true);
  });
});
