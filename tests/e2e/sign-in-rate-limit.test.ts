/**
 * Sign-in rate limits through the HTTP API: after SIGN_IN_MAX_FAILURES_PER_EMAIL
 * failures an e-mail is refused with RATE_LIMITED (even with the right password), whether or not
 * the e-mail exists; every attempt counts per client IP (SIGN_IN_MAX_ATTEMPTS_PER_IP); refused
 * attempts append nothing to the event store.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addMember, createOrganization, ok, refused, startTestServer, type TestServer } from "../support/test-server.js";

const SIGN_IN = `mutation ($input: SignInInput!) { signIn(input: $input) { token user { id } } }`;
const WRONG = "definitely wrong password 9";

const signIn = (test: TestServer, email: string, password: string) => test.gql(SIGN_IN, { input: { email, password } });

function expectRateLimited(error: ReturnType<typeof refused>, windowSeconds: number) {
  expect(error.code).toBe("RATE_LIMITED");
  expect(error.extensions.retryAfterSeconds).toBeGreaterThan(0);
  expect(error.extensions.retryAfterSeconds).toBeLessThanOrEqual(windowSeconds);
  expect(error.message).toMatch(/too many/i);
}

describe("per e-mail: SIGN_IN_MAX_FAILURES_PER_EMAIL=3 in 60 s", () => {
  let test: TestServer;
  let admin: Awaited<ReturnType<typeof createOrganization>>;

  beforeAll(async () => {
    test = await startTestServer({ SIGN_IN_MAX_FAILURES_PER_EMAIL: "3", SIGN_IN_EMAIL_WINDOW_SECONDS: "60" });
    admin = await createOrganization(test);
  });
  afterAll(() => test.stop());

  it("after 3 failures the 4th attempt, even with the right password, is RATE_LIMITED; nothing is appended", async () => {
    const member = await addMember(test, admin.token, ["TRAINER"]);
    const head = await test.app.store.headPosition();
    for (let i = 0; i < 3; i++) expect(refused(await signIn(test, member.email, WRONG)).code).toBe("UNAUTHENTICATED");
    expectRateLimited(refused(await signIn(test, member.email, member.password)), 60);
    // Still refused: the limit does not let a right guess through.
    expectRateLimited(refused(await signIn(test, member.email, member.password)), 60);
    expect(await test.app.store.headPosition()).toBe(head);
  });

  it("counts the e-mail case-insensitively", async () => {
    const member = await addMember(test, admin.token, ["EMPLOYEE"]);
    const [local, domain] = member.email.split("@") as [string, string];
    for (const variant of [member.email.toUpperCase(), `${local}@${domain.toUpperCase()}`, ` ${member.email} `]) {
      expect(refused(await signIn(test, variant, WRONG)).code).toBe("UNAUTHENTICATED");
    }
    expectRateLimited(refused(await signIn(test, member.email, member.password)), 60);
  });

  it("other e-mails still work", async () => {
    const blocked = await addMember(test, admin.token, ["LEARNER"]);
    for (let i = 0; i < 3; i++) refused(await signIn(test, blocked.email, WRONG));
    expectRateLimited(refused(await signIn(test, blocked.email, blocked.password)), 60);
    expect(ok(await signIn(test, admin.email, admin.password)).signIn.user.id).toBe(admin.userId);
  });

  it("counts failures only: a successful sign-in clears them", async () => {
    const member = await addMember(test, admin.token, ["MANAGER"]);
    for (let i = 0; i < 2; i++) refused(await signIn(test, member.email, WRONG));
    ok(await signIn(test, member.email, member.password));
    for (let i = 0; i < 2; i++) expect(refused(await signIn(test, member.email, WRONG)).code).toBe("UNAUTHENTICATED");
    expect(ok(await signIn(test, member.email, member.password)).signIn.user.id).toBe(member.userId);
  });

  it("an unknown e-mail behaves exactly the same (3 failures, then RATE_LIMITED): nothing tells it does not exist", async () => {
    const known = await addMember(test, admin.token, ["HOST"]);
    const unknown = `nobody-${Date.now()}@nowhere.test`;
    const head = await test.app.store.headPosition();
    const knownAnswers = [];
    const unknownAnswers = [];
    for (let i = 0; i < 3; i++) {
      knownAnswers.push(refused(await signIn(test, known.email, WRONG)));
      unknownAnswers.push(refused(await signIn(test, unknown, WRONG)));
    }
    expect(unknownAnswers).toEqual(knownAnswers);
    expect(unknownAnswers.map((answer) => answer.code)).toEqual(["UNAUTHENTICATED", "UNAUTHENTICATED", "UNAUTHENTICATED"]);

    const knownLimited = refused(await signIn(test, known.email, known.password));
    const unknownLimited = refused(await signIn(test, unknown, WRONG));
    expectRateLimited(knownLimited, 60);
    expectRateLimited(unknownLimited, 60);
    expect(Object.keys(unknownLimited.extensions).sort()).toEqual(Object.keys(knownLimited.extensions).sort());
    expect(await test.app.store.headPosition()).toBe(head);
  });
});

describe("per IP: SIGN_IN_MAX_ATTEMPTS_PER_IP=5", () => {
  let test: TestServer;
  let admin: Awaited<ReturnType<typeof createOrganization>>;

  beforeAll(async () => {
    // The organization is created by an unlimited server on the same data directory, so that
    // only the attempts below count against the limited server's budget.
    const setup = await startTestServer();
    admin = await createOrganization(setup);
    await setup.stop();
    test = await startTestServer({ DATA_DIR: setup.dataDir, SIGN_IN_MAX_ATTEMPTS_PER_IP: "5", SIGN_IN_IP_WINDOW_SECONDS: "60" });
  });
  afterAll(() => test.stop());

  it("the 6th attempt from the same client is RATE_LIMITED, whatever the e-mail, and appends nothing", async () => {
    // 5 attempts of every kind: right, wrong, unknown e-mails (each e-mail below its own limit).
    expect(ok(await signIn(test, admin.email, admin.password)).signIn.user.id).toBe(admin.userId);
    expect(refused(await signIn(test, admin.email, WRONG)).code).toBe("UNAUTHENTICATED");
    expect(refused(await signIn(test, `a-${Date.now()}@nowhere.test`, WRONG)).code).toBe("UNAUTHENTICATED");
    expect(refused(await signIn(test, `b-${Date.now()}@nowhere.test`, WRONG)).code).toBe("UNAUTHENTICATED");
    expect(ok(await signIn(test, admin.email, admin.password)).signIn.user.id).toBe(admin.userId);

    const head = await test.app.store.headPosition();
    expectRateLimited(refused(await signIn(test, admin.email, admin.password)), 60);
    expectRateLimited(refused(await signIn(test, `c-${Date.now()}@nowhere.test`, WRONG)), 60);
    expect(await test.app.store.headPosition()).toBe(head);

    // Signed-in work is not limited: the admin's token still works.
    expect(ok(await test.gql(`{ me { id } }`, {}, admin.token)).me.id).toBe(admin.userId);
  });
});
