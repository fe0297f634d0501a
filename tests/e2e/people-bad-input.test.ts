/**
 * Bad input to the people, organization, API-key and team operations (§0), through
 * real HTTP: each refused call answers with a stable `extensions.code` (and `extensions.field`
 * for invalid input), a readable message, and writes NOTHING — the event log's head is where it
 * was (a refused createUser/signUp appends no e-mail claim either) and what the API shows is
 * unchanged. Controls next to the refusals show the same calls succeed with good input.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

let test: TestServer;
let admin: Org;
let other: Org;
/** A user of `admin`'s organization whose e-mail is "ann@x.test" (no password: invited later). */
let annId: string;
/** A LEARNER of `admin`'s organization who can sign in. */
let learner: Member;
let teamId: string;
let foreignTeamId: string;

const UNKNOWN_ID = "00000000-0000-4000-8000-000000000000";
const GOOD_PASSWORD = "correct horse battery 9";

const CREATE_USER = `mutation ($input: CreateUserInput!) { createUser(input: $input) { id email roles } }`;
const INVITE_USER = `mutation ($input: InviteUserInput!) { inviteUser(input: $input) { id email status } }`;
const UPDATE_USER = `mutation ($input: UpdateUserInput!) { updateUser(input: $input) { id country } }`;
const CHANGE_ROLES = `mutation ($input: ChangeUserRolesInput!) { changeUserRoles(input: $input) { id roles } }`;
const SIGN_UP = `mutation ($input: SignUpInput!) { signUp(input: $input) { token user { id } } }`;
const SIGN_IN = `mutation ($input: SignInInput!) { signIn(input: $input) { token user { id } } }`;
const ACCEPT = `mutation ($input: AcceptInvitationInput!) { acceptInvitation(input: $input) { token user { id status } } }`;
const CHANGE_PASSWORD = `mutation ($input: ChangePasswordInput!) { changePassword(input: $input) }`;
const UPDATE_SETTINGS = `mutation ($input: UpdateOrganizationSettingsInput!) { updateOrganizationSettings(input: $input) { id } }`;
const ORGANIZATION = `{ organization { id name timezone currency settings {
  timezone defaultCurrency paymentMethods clientCancellationWindowHours reminderLeadTimeHours
  accessCodesEnabled personalSessionsEnabled vatCategories { name ratePercent } } } }`;
const CREATE_API_KEY = `mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id scopes } } }`;
const API_KEYS = `{ apiKeys { id name scopes revokedAt } }`;
const CREATE_TEAM = `mutation ($input: CreateTeamInput!) { createTeam(input: $input) { id name } }`;
const RENAME_TEAM = `mutation ($input: RenameTeamInput!) { renameTeam(input: $input) { id name } }`;
const ADD_MEMBER = `mutation ($input: TeamMemberInput!) { addTeamMember(input: $input) { id memberCount } }`;
const TEAMS = `{ teams(first: 100) { totalCount nodes { id name memberCount members { nodes { id } } } } }`;
const USER = `query ($id: ID!) { user(id: $id) { id email displayName roles country status hasPassword isMember } }`;

/** The single error of a refused call: its code, its field when given, a readable message, no stack trace. */
function expectRefused(result: GraphQLResponse, code: string | RegExp, field?: string) {
  const error = refused(result);
  expect(result.errors).toHaveLength(1);
  if (typeof code === "string") expect(error.code).toBe(code);
  else expect(error.code).toMatch(code);
  if (field !== undefined) expect(error.extensions.field).toBe(field);
  expect(error.extensions).not.toHaveProperty("stacktrace");
  expect(JSON.stringify(result)).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
  expect(error.message.length).toBeGreaterThan(10);
  expect(error.message).not.toMatch(/Internal server error|\[object Object\]|undefined/i);
  if (result.data) for (const value of Object.values(result.data)) expect(value).toBeNull();
  return error;
}

/** Runs `call` and checks that no event was appended and that `view()` reads the same before and after. */
async function expectNothingWritten<T>(call: () => Promise<T>, view: () => Promise<unknown> = async () => null): Promise<T> {
  const head = await test.app.store.headPosition();
  const before = await view();
  const outbox = test.outbox.length;
  const result = await call();
  expect(await test.app.store.headPosition()).toBe(head);
  expect(await view()).toEqual(before);
  expect(test.outbox.length).toBe(outbox);
  return result;
}

/** Users of the admin's organization whose name or e-mail holds `search`. */
const usersMatching = async (search: string) =>
  ok(await test.gql(`query ($filter: UserFilterInput) { users(filter: $filter, first: 100) { totalCount nodes { id email } } }`, { filter: { search } }, admin.token)).users;
const organizationView = async (token = admin.token) => ok(await test.gql(ORGANIZATION, {}, token)).organization;
const apiKeysView = async () => ok(await test.gql(API_KEYS, {}, admin.token)).apiKeys;
const teamsView = async () => ok(await test.gql(TEAMS, {}, admin.token)).teams;
const userView = async (id: string, token = admin.token) => ok(await test.gql(USER, { id }, token)).user;

/** The token in the last invitation e-mail sent to `email`. */
function invitationToken(email: string): string {
  const mail = [...test.outbox].reverse().find((m) => m.to === email);
  const match = mail?.text.match(/accept-invitation\?token=([^\s]+)/);
  if (!match) throw new Error(`no invitation e-mail to ${email}`);
  return decodeURIComponent(match[1]!);
}

beforeAll(async () => {
  test = await startTestServer();
  admin = await createOrganization(test);
  other = await createOrganization(test);
  annId = ok(await test.gql(CREATE_USER, { input: { email: "ann@x.test", displayName: "Ann", roles: ["LEARNER"] } }, admin.token)).createUser.id;
  learner = await addMember(test, admin.token, ["LEARNER"]);
  teamId = ok(await test.gql(CREATE_TEAM, { input: { name: "Sales team" } }, admin.token)).createTeam.id;
  foreignTeamId = ok(await test.gql(CREATE_TEAM, { input: { name: "Other academy's team" } }, other.token)).createTeam.id;
});

afterAll(async () => {
  await test?.stop();
});

describe("§0 e-mail addresses are unique per organization, compared case-insensitively: ALREADY_EXISTS field email", () => {
  it.each([
    { title: "createUser with Ann@X.test", query: CREATE_USER, input: { email: "Ann@X.test", displayName: "Ann again", roles: ["LEARNER"] } },
    { title: "createUser with a password and ANN@X.TEST", query: CREATE_USER, input: { email: "ANN@X.TEST", displayName: "Ann", password: GOOD_PASSWORD } },
    { title: "createUser with spaces around the address", query: CREATE_USER, input: { email: "  ann@x.test ", displayName: "Ann" } },
    { title: "inviteUser with Ann@X.test", query: INVITE_USER, input: { email: "Ann@X.test", roles: ["TRAINER"] } },
  ])("$title", async ({ query, input }) => {
    const result = await expectNothingWritten(() => test.gql(query, { input }, admin.token), () => usersMatching("x.test"));
    expect(expectRefused(result, "ALREADY_EXISTS", "email").message).toContain("ann@x.test");
    expect((await usersMatching("x.test")).nodes).toEqual([{ id: annId, email: "ann@x.test" }]);
  });

  it("createUser with the admin's own address in upper case", async () => {
    const result = await expectNothingWritten(() =>
      test.gql(CREATE_USER, { input: { email: admin.email.toUpperCase(), displayName: "Twin", roles: ["LEARNER"] } }, admin.token),
    );
    expectRefused(result, "ALREADY_EXISTS", "email");
  });

  it("signUp with Ann@X.test into the same organization; the existing user is untouched", async () => {
    const before = await userView(annId);
    const result = await expectNothingWritten(() =>
      test.gql(SIGN_UP, { input: { organizationId: admin.organizationId, email: "Ann@X.test", displayName: "Impostor", password: GOOD_PASSWORD } }),
    );
    expectRefused(result, "ALREADY_EXISTS", "email");
    expect(await userView(annId)).toEqual(before);
  });

  it("control: the same address is free in another organization", async () => {
    const created = ok(await test.gql(CREATE_USER, { input: { email: "Ann@X.test", displayName: "Other Ann" } }, other.token)).createUser;
    expect(created.email).toBe("ann@x.test");
    expect(created.id).not.toBe(annId);
  });
});

describe("roles: an unknown role is a GraphQL validation error, an empty list is BAD_USER_INPUT field roles", () => {
  it.each([
    { title: "createUser", query: CREATE_USER, input: () => ({ email: "root@people.test", displayName: "Root", roles: ["LEARNER", "SUPERUSER"] }) },
    { title: "inviteUser", query: INVITE_USER, input: () => ({ email: "root@people.test", roles: ["SUPERUSER"] }) },
    { title: "changeUserRoles", query: CHANGE_ROLES, input: () => ({ userId: annId, roles: ["SUPERUSER"] }) },
  ])("$title with role SUPERUSER (variables): BAD_USER_INPUT naming the value, nothing written", async ({ query, input }) => {
    const result = await expectNothingWritten(() => test.gql(query, { input: input() }, admin.token), () => usersMatching("people.test"));
    expect(expectRefused(result, "BAD_USER_INPUT").message).toMatch(/SUPERUSER/);
  });

  it("createUser with role SUPERUSER written inline: GRAPHQL_VALIDATION_FAILED naming the value", async () => {
    const result = await expectNothingWritten(() =>
      test.gql(`mutation { createUser(input: { email: "root@people.test", displayName: "Root", roles: [SUPERUSER] }) { id } }`, {}, admin.token),
    );
    expect(expectRefused(result, "GRAPHQL_VALIDATION_FAILED").message).toMatch(/SUPERUSER/);
  });

  it.each([
    { title: "createUser", query: CREATE_USER, input: () => ({ email: "nobody@people.test", displayName: "Nobody", roles: [] }) },
    { title: "createUser with a password", query: CREATE_USER, input: () => ({ email: "nobody@people.test", displayName: "Nobody", roles: [], password: GOOD_PASSWORD }) },
    { title: "inviteUser", query: INVITE_USER, input: () => ({ email: "nobody@people.test", roles: [] }) },
    { title: "changeUserRoles", query: CHANGE_ROLES, input: () => ({ userId: annId, roles: [] }) },
  ])("$title with no role: BAD_USER_INPUT field roles, nothing written", async ({ query, input }) => {
    const result = await expectNothingWritten(
      () => test.gql(query, { input: input() }, admin.token),
      async () => [await usersMatching("people.test"), await userView(annId)],
    );
    expect(expectRefused(result, "BAD_USER_INPUT", "roles").message).toMatch(/at least one role/);
  });
});

describe("weak passwords: BAD_USER_INPUT field password / newPassword, nothing written", () => {
  const weak = [
    { title: "9 characters", password: "abcdefg12" },
    { title: "letters only", password: "abcdefghijklmnop" },
    { title: "digits only", password: "12345678901234" },
  ];

  it.each(weak)("createUser with a password of $title: no user, the address stays free", async ({ password }) => {
    const email = `weak-${password}@people.test`;
    const result = await expectNothingWritten(
      () => test.gql(CREATE_USER, { input: { email, displayName: "Weak", roles: ["LEARNER"], password } }, admin.token),
      () => usersMatching(email),
    );
    expectRefused(result, "BAD_USER_INPUT", "password");
    expect((await usersMatching(email)).totalCount).toBe(0);
  });

  it("control: after a refused createUser the same address is accepted with a good password", async () => {
    const email = "weak-abcdefg12@people.test";
    const created = ok(await test.gql(CREATE_USER, { input: { email, displayName: "Strong", password: GOOD_PASSWORD } }, admin.token)).createUser;
    expect(created.email).toBe(email);
  });

  it.each(weak)("signUp with a password of $title: no account, cannot sign in", async ({ password }) => {
    const email = `signup-${password}@people.test`;
    const result = await expectNothingWritten(() =>
      test.gql(SIGN_UP, { input: { organizationId: admin.organizationId, email, displayName: "Weak", password } }),
    );
    expectRefused(result, "BAD_USER_INPUT", "password");
    expect((await usersMatching(email)).totalCount).toBe(0);
  });

  it("acceptInvitation with a weak password: still INVITED, and the same link then works with a good password", async () => {
    const email = "invitee@people.test";
    const invited = ok(await test.gql(INVITE_USER, { input: { email, roles: ["LEARNER"] } }, admin.token)).inviteUser;
    const token = invitationToken(email);
    for (const { password } of weak) {
      const result = await expectNothingWritten(
        () => test.gql(ACCEPT, { input: { token, password } }),
        () => userView(invited.id),
      );
      expectRefused(result, "BAD_USER_INPUT", "password");
    }
    expect(await userView(invited.id)).toMatchObject({ status: "INVITED", hasPassword: false });
    const accepted = ok(await test.gql(ACCEPT, { input: { token, password: GOOD_PASSWORD } })).acceptInvitation;
    expect(accepted.user).toEqual({ id: invited.id, status: "ACTIVE" });
  });

  it("changePassword to a weak password: the old password still signs in, the weak one does not", async () => {
    for (const { password } of weak) {
      const result = await expectNothingWritten(() =>
        test.gql(CHANGE_PASSWORD, { input: { currentPassword: learner.password, newPassword: password } }, learner.token),
      );
      expectRefused(result, "BAD_USER_INPUT", "newPassword");
    }
    const signIn = (password: string) => test.gql(SIGN_IN, { input: { email: learner.email, password, organizationId: admin.organizationId } });
    expect(ok(await signIn(learner.password)).signIn.user.id).toBe(learner.userId);
    expectRefused(await signIn(weak[0]!.password), "UNAUTHENTICATED");
  });
});

describe("invalid e-mail addresses and country codes: BAD_USER_INPUT naming the field, nothing written", () => {
  it.each([
    { title: "createUser: e-mail without @", query: CREATE_USER, input: () => ({ email: "not-an-email", displayName: "X" }), field: "email" },
    { title: "createUser: e-mail without domain", query: CREATE_USER, input: () => ({ email: "ann@", displayName: "X" }), field: "email" },
    { title: "inviteUser: e-mail with spaces inside", query: INVITE_USER, input: () => ({ email: "ann smith@x.test" }), field: "email" },
    {
      title: "signUp: e-mail without @",
      query: SIGN_UP,
      input: () => ({ organizationId: admin.organizationId, email: "nobody.x.test", displayName: "X", password: GOOD_PASSWORD }),
      field: "email",
    },
    { title: "createUser: country ZZ", query: CREATE_USER, input: () => ({ email: "zz@people.test", displayName: "X", country: "ZZ" }), field: "country" },
    { title: "createUser: country BEL (alpha-3)", query: CREATE_USER, input: () => ({ email: "bel@people.test", displayName: "X", country: "BEL" }), field: "country" },
    { title: "inviteUser: country be (lower case)", query: INVITE_USER, input: () => ({ email: "be@people.test", country: "be" }), field: "country" },
    {
      title: "signUp: country ZZ",
      query: SIGN_UP,
      input: () => ({ organizationId: admin.organizationId, email: "zz-signup@people.test", displayName: "X", password: GOOD_PASSWORD, country: "ZZ" }),
      field: "country",
    },
    { title: "updateUser: country XX", query: UPDATE_USER, input: () => ({ userId: annId, country: "XX" }), field: "country" },
  ])("$title", async ({ query, input, field }) => {
    const result = await expectNothingWritten(
      () => test.gql(query, { input: input() }, admin.token),
      async () => [await usersMatching("people.test"), await userView(annId)],
    );
    expect(expectRefused(result, "BAD_USER_INPUT", field).message).toMatch(/must be/);
  });
});

describe("§0 organization settings: BAD_USER_INPUT naming the setting, settings unchanged", () => {
  it.each([
    { title: "timezone Mars/Base", input: { timezone: "Mars/Base" }, field: "timezone" },
    { title: "defaultCurrency EURO", input: { defaultCurrency: "EURO" }, field: "defaultCurrency" },
    { title: "negative client cancellation window", input: { clientCancellationWindowHours: -1 }, field: "clientCancellationWindowHours" },
    { title: "reminder lead time 0", input: { reminderLeadTimeHours: 0 }, field: "reminderLeadTimeHours" },
    { title: "VAT rate 150", input: { vatCategories: [{ name: "STANDARD", ratePercent: 150 }] }, field: "vatCategories.0.ratePercent" },
    { title: "negative VAT rate", input: { vatCategories: [{ name: "STANDARD", ratePercent: -1 }] }, field: "vatCategories.0.ratePercent" },
    {
      title: "VAT rate 5.555 (three decimals)",
      input: { vatCategories: [{ name: "STANDARD", ratePercent: 21 }, { name: "REDUCED", ratePercent: 5.555 }] },
      field: "vatCategories.1.ratePercent",
    },
    {
      title: "duplicate VAT names (Standard / STANDARD)",
      input: { vatCategories: [{ name: "STANDARD", ratePercent: 21 }, { name: "Standard", ratePercent: 6 }] },
      field: "vatCategories",
    },
    { title: "empty VAT name", input: { vatCategories: [{ name: "  ", ratePercent: 6 }] }, field: "vatCategories.0.name" },
    { title: "blank organization name", input: { name: "   " }, field: "name" },
    { title: "clearing the time zone with null", input: { timezone: null }, field: "timezone" },
    { title: "clearing the default currency with null", input: { defaultCurrency: null }, field: "defaultCurrency" },
    { title: "clearing the VAT categories with null", input: { vatCategories: null }, field: "vatCategories" },
    { title: "clearing the cancellation window with null", input: { clientCancellationWindowHours: null }, field: "clientCancellationWindowHours" },
    // A valid change next to an invalid one is not applied either.
    { title: "a good time zone with a bad currency", input: { timezone: "America/New_York", defaultCurrency: "EURO" }, field: "defaultCurrency" },
  ])("$title", async ({ input, field }) => {
    const result = await expectNothingWritten(() => test.gql(UPDATE_SETTINGS, { input }, admin.token), () => organizationView());
    expect(expectRefused(result, "BAD_USER_INPUT", field).message).toMatch(/must|cannot|is not/);
  });

  it("control: valid settings (5.5 and 21 %) are applied, so the checks above could see a change", async () => {
    ok(
      await test.gql(
        UPDATE_SETTINGS,
        { input: { timezone: "America/New_York", vatCategories: [{ name: "standard", ratePercent: 21 }, { name: "REDUCED", ratePercent: 5.5 }] } },
        admin.token,
      ),
    );
    expect((await organizationView()).settings).toMatchObject({
      timezone: "America/New_York",
      vatCategories: [
        { name: "STANDARD", ratePercent: 21 },
        { name: "REDUCED", ratePercent: 5.5 },
      ],
    });
  });
});

describe("API keys: BAD_USER_INPUT, no key created", () => {
  it.each([
    { title: "no scope", input: { name: "Zapier", scopes: [] }, field: "scopes" },
    { title: "blank name", input: { name: "  ", scopes: ["SESSIONS_READ"] }, field: "name" },
  ])("createApiKey with $title: field $field", async ({ input, field }) => {
    const result = await expectNothingWritten(() => test.gql(CREATE_API_KEY, { input }, admin.token), apiKeysView);
    expectRefused(result, "BAD_USER_INPUT", field);
  });

  it("createApiKey with an unknown scope: refused by GraphQL, naming the value", async () => {
    const result = await expectNothingWritten(
      () => test.gql(CREATE_API_KEY, { input: { name: "Zapier", scopes: ["EVERYTHING"] } }, admin.token),
      apiKeysView,
    );
    expect(expectRefused(result, "BAD_USER_INPUT").message).toMatch(/EVERYTHING/);
  });

  it("control: one scope is enough", async () => {
    const created = ok(await test.gql(CREATE_API_KEY, { input: { name: "Zapier", scopes: ["SESSIONS_READ"] } }, admin.token)).createApiKey;
    expect(created.apiKey.scopes).toEqual(["SESSIONS_READ"]);
  });
});

describe("teams: empty names are BAD_USER_INPUT; unknown members NOT_FOUND; nothing written", () => {
  it.each([
    { title: "createTeam with an empty name", query: CREATE_TEAM, input: () => ({ name: "" }) },
    { title: "createTeam with a blank name", query: CREATE_TEAM, input: () => ({ name: "  \t " }) },
    { title: "renameTeam to an empty name", query: RENAME_TEAM, input: () => ({ teamId, name: "" }) },
  ])("$title: field name", async ({ query, input }) => {
    const result = await expectNothingWritten(() => test.gql(query, { input: input() }, admin.token), teamsView);
    expect(expectRefused(result, "BAD_USER_INPUT", "name").message).toMatch(/empty/);
  });

  it("addTeamMember with an unknown user and with another organization's user: the same NOT_FOUND, the team unchanged", async () => {
    const unknown = await expectNothingWritten(
      () => test.gql(ADD_MEMBER, { input: { teamId, userId: UNKNOWN_ID } }, admin.token),
      teamsView,
    );
    const a = expectRefused(unknown, "NOT_FOUND");
    expect(a.message).toContain(UNKNOWN_ID);
    const foreign = await expectNothingWritten(
      () => test.gql(ADD_MEMBER, { input: { teamId, userId: other.userId } }, admin.token),
      teamsView,
    );
    const b = expectRefused(foreign, "NOT_FOUND");
    expect(b.message.replace(other.userId, "<id>")).toBe(a.message.replace(UNKNOWN_ID, "<id>"));
    expect(JSON.stringify(foreign)).not.toContain(other.email);
  });

  it("addTeamMember of a user to another organization's team: NOT_FOUND, that team unchanged", async () => {
    const otherTeams = async () => ok(await test.gql(TEAMS, {}, other.token)).teams;
    const result = await expectNothingWritten(
      () => test.gql(ADD_MEMBER, { input: { teamId: foreignTeamId, userId: learner.userId } }, admin.token),
      otherTeams,
    );
    expectRefused(result, "NOT_FOUND");
  });

  it("createTeam with an unknown member: NOT_FOUND, no team created", async () => {
    const result = await expectNothingWritten(
      () => test.gql(CREATE_TEAM, { input: { name: "Ghost team", memberIds: [learner.userId, UNKNOWN_ID] } }, admin.token),
      teamsView,
    );
    expectRefused(result, "NOT_FOUND");
  });

  it("control: a user of the organization is added", async () => {
    const team = ok(await test.gql(ADD_MEMBER, { input: { teamId, userId: learner.userId } }, admin.token)).addTeamMember;
    expect(team).toEqual({ id: teamId, memberCount: 1 });
  });
});
