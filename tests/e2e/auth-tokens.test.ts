/**
 * Sign-in tokens through the HTTP API: sign-in returns an access token that expires
 * (default 1 h) and a single-use refresh token (30 days); refresh rotates the pair and a reused
 * refresh token ends the whole sign-in; signOut, changePassword and deactivation end what they
 * should; and no error tells whether an e-mail exists.
 */
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TokenService } from "../../src/adapters/auth/tokens.js";
import { addMember, createOrganization, ok, refused, startTestServer, type TestServer } from "../support/test-server.js";

const SIGN_IN = `mutation ($input: SignInInput!) {
  signIn(input: $input) { token expiresAt refreshToken refreshTokenExpiresAt user { id email } organization { id } }
}`;
const REFRESH = `mutation ($input: RefreshAccessTokenInput!) {
  refreshAccessToken(input: $input) { token expiresAt refreshToken refreshTokenExpiresAt user { id } }
}`;
const ME = `{ me { id email } }`;
const SIGN_OUT = `mutation { signOut }`;
const CHANGE_PASSWORD = `mutation ($input: ChangePasswordInput!) { changePassword(input: $input) }`;
const DEACTIVATE = `mutation ($input: DeactivateUserInput!) { deactivateUser(input: $input) { id status } }`;

interface Pair {
  token: string;
  expiresAt: string;
  refreshToken: string;
  refreshTokenExpiresAt: string;
}

let test: TestServer;
let admin: Awaited<ReturnType<typeof createOrganization>>;

const signIn = (email: string, password: string, organizationId?: string) =>
  test.gql(SIGN_IN, { input: { email, password, ...(organizationId ? { organizationId } : {}) } });
const refresh = (refreshToken: string) => test.gql(REFRESH, { input: { refreshToken } });

beforeAll(async () => {
  test = await startTestServer();
  admin = await createOrganization(test);
});
afterAll(() => test.stop());

describe("signIn: access and refresh tokens", () => {
  it("returns an access token valid for ACCESS_TOKEN_TTL_SECONDS (default 1 h) and a refresh token valid for 30 days", async () => {
    const before = test.clock.now().getTime();
    const payload = ok(await signIn(admin.email, admin.password)).signIn;
    const after = test.clock.now().getTime();
    expect(payload.token).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(payload.refreshToken).toEqual(expect.any(String));
    expect(payload.refreshToken).not.toBe(payload.token);
    expect(payload.user).toEqual({ id: admin.userId, email: admin.email });
    expect(payload.organization.id).toBe(admin.organizationId);

    const expiresAt = Date.parse(payload.expiresAt);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 3600_000 - 2000);
    expect(expiresAt).toBeLessThanOrEqual(after + 3600_000 + 2000);
    const refreshExpiresAt = Date.parse(payload.refreshTokenExpiresAt);
    expect(refreshExpiresAt).toBeGreaterThanOrEqual(before + 30 * 24 * 3600_000 - 2000);
    expect(refreshExpiresAt).toBeLessThanOrEqual(after + 30 * 24 * 3600_000 + 2000);

    expect(ok(await test.gql(ME, {}, payload.token)).me.id).toBe(admin.userId);
  });

  it("honours ACCESS_TOKEN_TTL_SECONDS", async () => {
    const short = await startTestServer({ ACCESS_TOKEN_TTL_SECONDS: "120" });
    try {
      const org = await createOrganization(short);
      const before = short.clock.now().getTime();
      const payload = ok(await short.gql(SIGN_IN, { input: { email: org.email, password: org.password } })).signIn;
      const expiresAt = Date.parse(payload.expiresAt);
      expect(expiresAt).toBeGreaterThanOrEqual(before + 120_000 - 2000);
      expect(expiresAt).toBeLessThanOrEqual(short.clock.now().getTime() + 120_000 + 2000);

      // Time passes on the server's clock: the token works until its expiry, then is refused as expired.
      short.clock.advance(100_000);
      expect(ok(await short.gql(ME, {}, payload.token)).me.id).toBe(org.userId);
      short.clock.advance(30_000);
      const error = refused(await short.gql(ME, {}, payload.token));
      expect(error.code).toBe("UNAUTHENTICATED");
      expect(error.message).toMatch(/expired/i);
      const refreshed = ok(await short.gql(REFRESH, { input: { refreshToken: payload.refreshToken } })).refreshAccessToken;
      expect(ok(await short.gql(ME, {}, refreshed.token)).me.id).toBe(org.userId);
    } finally {
      await short.stop();
    }
  });

  it("a refresh token works until REFRESH_TOKEN_TTL_SECONDS have passed on the clock, then the person signs in again", async () => {
    const later = await startTestServer({ REFRESH_TOKEN_TTL_SECONDS: String(2 * 24 * 3600) });
    try {
      const org = await createOrganization(later);
      const first = ok(await later.gql(SIGN_IN, { input: { email: org.email, password: org.password } })).signIn;
      later.clock.advance(47 * 3600_000);
      const second = ok(await later.gql(REFRESH, { input: { refreshToken: first.refreshToken } })).refreshAccessToken;
      // Each refresh gives the sign-in another full lifetime from then.
      expect(Date.parse(second.refreshTokenExpiresAt)).toBeGreaterThanOrEqual(later.clock.now().getTime() + 47 * 3600_000);
      later.clock.advance(48 * 3600_000 + 1000);
      const error = refused(await later.gql(REFRESH, { input: { refreshToken: second.refreshToken } }));
      expect(error.code).toBe("UNAUTHENTICATED");
      expect(error.message).toMatch(/sign in again/);
      expect(ok(await later.gql(SIGN_IN, { input: { email: org.email, password: org.password } })).signIn.token).toEqual(expect.any(String));
    } finally {
      await later.stop();
    }
  });

  it("refuses an expired access token with UNAUTHENTICATED, telling to refresh it", async () => {
    const secret = fs.readFileSync(path.join(test.dataDir, "jwt-secret"), "utf8").trim();
    const tokens = new TokenService(secret, 60, test.clock);
    const { token: expired } = await tokens.issue(
      { userId: admin.userId, organizationId: admin.organizationId, signInId: null },
      new Date(test.clock.now().getTime() - 2 * 3600_000),
    );
    const error = refused(await test.gql(ME, {}, expired));
    expect(error.code).toBe("UNAUTHENTICATED");
    expect(error.message).toMatch(/expired/i);
    expect(error.message).toMatch(/refreshAccessToken/);

    // The same token, still valid: the server accepts it, so the refusal above is about expiry.
    const { token: fresh } = await tokens.issue(
      { userId: admin.userId, organizationId: admin.organizationId, signInId: null },
      test.clock.now(),
    );
    expect(ok(await test.gql(ME, {}, fresh)).me.id).toBe(admin.userId);
  });

  it("refuses a token signed with another secret as not valid (not as expired)", async () => {
    const { token } = await new TokenService("x".repeat(48), 3600, test.clock).issue(
      { userId: admin.userId, organizationId: admin.organizationId, signInId: null },
      test.clock.now(),
    );
    const error = refused(await test.gql(ME, {}, token));
    expect(error.code).toBe("UNAUTHENTICATED");
    expect(error.message).not.toMatch(/expired/i);
  });
});

describe("refreshAccessToken: single-use refresh tokens", () => {
  it("returns a new pair; the new access token works", async () => {
    const first: Pair = ok(await signIn(admin.email, admin.password)).signIn;
    const before = test.clock.now().getTime();
    const second: Pair = ok(await refresh(first.refreshToken)).refreshAccessToken;
    // (The access token carries second-precision times, so within one second it may equal the first.)
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(Date.parse(second.expiresAt)).toBeGreaterThanOrEqual(before + 3600_000 - 2000);
    expect(Date.parse(second.refreshTokenExpiresAt)).toBeGreaterThanOrEqual(before + 30 * 24 * 3600_000 - 2000);
    expect(ok(await test.gql(ME, {}, second.token)).me.id).toBe(admin.userId);

    // And the next one again: rotation goes on.
    const third: Pair = ok(await refresh(second.refreshToken)).refreshAccessToken;
    expect(third.refreshToken).not.toBe(second.refreshToken);
    expect(ok(await test.gql(ME, {}, third.token)).me.id).toBe(admin.userId);
  });

  it("a reused refresh token is UNAUTHENTICATED and ends the whole sign-in (reuse detection)", async () => {
    const first: Pair = ok(await signIn(admin.email, admin.password)).signIn;
    const second: Pair = ok(await refresh(first.refreshToken)).refreshAccessToken;

    const reused = refused(await refresh(first.refreshToken));
    expect(reused.code).toBe("UNAUTHENTICATED");
    expect(reused.message).toMatch(/sign in again/i);

    // The newest refresh token of that sign-in stops working too.
    const newest = refused(await refresh(second.refreshToken));
    expect(newest.code).toBe("UNAUTHENTICATED");

    // The sign-in's end is recorded, with why.
    const ended = (await test.app.store.readAll()).filter(
      (event) => event.type === "SignInEnded" && event.data.reason === "REFRESH_TOKEN_REUSED",
    );
    expect(ended.length).toBeGreaterThanOrEqual(1);

    // Another sign-in of the same user is not affected.
    const other: Pair = ok(await signIn(admin.email, admin.password)).signIn;
    expect(ok(await refresh(other.refreshToken)).refreshAccessToken.token).toEqual(expect.any(String));
  });

  it("refuses a tampered, truncated or foreign refresh token with UNAUTHENTICATED", async () => {
    const pair: Pair = ok(await signIn(admin.email, admin.password)).signIn;
    const parts = pair.refreshToken.split(".");
    const mac = parts[3]!;
    // The MAC's first character: all of its bits count (the last one's low bits are padding).
    const tampered = [parts[0], parts[1], parts[2], (mac[0] === "A" ? "B" : "A") + mac.slice(1)].join(".");
    const otherGeneration = [parts[0], parts[1], "7", parts[3]].join(".");
    for (const token of [tampered, pair.refreshToken.slice(0, -5), otherGeneration, pair.token, "rt_garbage", ""]) {
      const error = refused(await refresh(token));
      expect(error.code, token).toBe("UNAUTHENTICATED");
    }
    // None of those attempts spent the genuine token.
    expect(ok(await refresh(pair.refreshToken)).refreshAccessToken.token).toEqual(expect.any(String));
  });

  it("refuses a refresh token whose last character was altered, even where base64url decodes it to the same MAC", async () => {
    const pair: Pair = ok(await signIn(admin.email, admin.password)).signIn;
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const last = alphabet.indexOf(pair.refreshToken.at(-1)!);
    // Flipping the lowest bit keeps the bits that count: the decoded bytes are the same.
    const altered = pair.refreshToken.slice(0, -1) + alphabet[last ^ 1];
    const mac = (token: string) => Buffer.from(token.split(".")[3]!, "base64url");
    expect(mac(altered).equals(mac(pair.refreshToken))).toBe(true);
    expect(refused(await refresh(altered)).code).toBe("UNAUTHENTICATED");
    expect(ok(await refresh(pair.refreshToken)).refreshAccessToken.token).toEqual(expect.any(String));
  });

  it("signOut ends the sign-in: its access and refresh tokens stop working, other sign-ins go on", async () => {
    const pair: Pair = ok(await signIn(admin.email, admin.password)).signIn;
    const other: Pair = ok(await signIn(admin.email, admin.password)).signIn;
    expect(ok(await test.gql(SIGN_OUT, {}, pair.token)).signOut).toBe(true);
    const error = refused(await refresh(pair.refreshToken));
    expect(error.code).toBe("UNAUTHENTICATED");
    const access = refused(await test.gql(ME, {}, pair.token));
    expect(access.code).toBe("UNAUTHENTICATED");
    expect(access.message).toMatch(/signed out/);
    expect(ok(await test.gql(ME, {}, other.token)).me.id).toBe(admin.userId);
  });

  it("a reused refresh token also ends the access tokens of its sign-in", async () => {
    const first: Pair = ok(await signIn(admin.email, admin.password)).signIn;
    const second: Pair = ok(await refresh(first.refreshToken)).refreshAccessToken;
    expect(refused(await refresh(first.refreshToken)).code).toBe("UNAUTHENTICATED");
    expect(refused(await test.gql(ME, {}, second.token)).code).toBe("UNAUTHENTICATED");
  });

  it("signOut without a token is UNAUTHENTICATED", async () => {
    expect(refused(await test.gql(SIGN_OUT)).code).toBe("UNAUTHENTICATED");
  });

  it("a deactivated user cannot refresh (UNAUTHENTICATED)", async () => {
    const learner = await addMember(test, admin.token, ["LEARNER"]);
    const pair: Pair = ok(await signIn(learner.email, learner.password)).signIn;
    expect(ok(await test.gql(DEACTIVATE, { input: { userId: learner.userId, reason: "Left" } }, admin.token)).deactivateUser.status).toBe(
      "DEACTIVATED",
    );
    const error = refused(await refresh(pair.refreshToken));
    expect(error.code).toBe("UNAUTHENTICATED");
    expect(error.message).toMatch(/deactivated/i);
    // Their access token no longer works either.
    expect(refused(await test.gql(ME, {}, pair.token)).code).toBe("UNAUTHENTICATED");
  });
});

describe("changePassword", () => {
  it("needs the current password: a wrong one is BAD_USER_INPUT on currentPassword and changes nothing", async () => {
    const member = await addMember(test, admin.token, ["TRAINER"]);
    const error = refused(
      await test.gql(CHANGE_PASSWORD, { input: { currentPassword: "not my password 1", newPassword: "brand new secret 42" } }, member.token),
    );
    expect(error.code).toBe("BAD_USER_INPUT");
    expect(error.extensions.field).toBe("currentPassword");
    expect(ok(await signIn(member.email, member.password)).signIn.user.id).toBe(member.userId);
    expect(refused(await signIn(member.email, "brand new secret 42")).code).toBe("UNAUTHENTICATED");
  });

  it("refuses a weak new password with BAD_USER_INPUT on newPassword", async () => {
    const member = await addMember(test, admin.token, ["TRAINER"]);
    const error = refused(
      await test.gql(CHANGE_PASSWORD, { input: { currentPassword: member.password, newPassword: "short" } }, member.token),
    );
    expect(error.code).toBe("BAD_USER_INPUT");
    expect(error.extensions.field).toBe("newPassword");
  });

  it("afterwards the old password fails and the new one works", async () => {
    const member = await addMember(test, admin.token, ["MANAGER"]);
    const newPassword = "a much better secret 7";
    expect(
      ok(await test.gql(CHANGE_PASSWORD, { input: { currentPassword: member.password, newPassword } }, member.token)).changePassword,
    ).toBe(true);
    expect(refused(await signIn(member.email, member.password)).code).toBe("UNAUTHENTICATED");
    expect(ok(await signIn(member.email, newPassword)).signIn.user.id).toBe(member.userId);
  });

  it("is for a signed-in person only", async () => {
    const error = refused(await test.gql(CHANGE_PASSWORD, { input: { currentPassword: "a", newPassword: "brand new secret 42" } }));
    expect(error.code).toBe("UNAUTHENTICATED");
  });
});

describe("errors never reveal whether an e-mail exists", () => {
  it("an unknown e-mail and a known e-mail with a wrong password get the same code and message", async () => {
    const member = await addMember(test, admin.token, ["EMPLOYEE"]);
    const unknown = refused(await signIn(`nobody-${Date.now()}@nowhere.test`, "whatever password 1"));
    const wrongPassword = refused(await signIn(member.email, "whatever password 1"));
    const wrongPasswordInOrg = refused(await signIn(member.email, "whatever password 1", admin.organizationId));
    expect(unknown.code).toBe("UNAUTHENTICATED");
    expect(wrongPassword).toEqual(unknown);
    expect(wrongPasswordInOrg).toEqual(unknown);
  });

  it("a deactivated account with its right password gets that same answer", async () => {
    const member = await addMember(test, admin.token, ["LEARNER"]);
    ok(await test.gql(DEACTIVATE, { input: { userId: member.userId } }, admin.token));
    const deactivated = refused(await signIn(member.email, member.password));
    const unknown = refused(await signIn(`nobody2-${Date.now()}@nowhere.test`, member.password));
    expect(deactivated.code).toBe("UNAUTHENTICATED");
    expect(deactivated).toEqual(unknown);
  });
});
