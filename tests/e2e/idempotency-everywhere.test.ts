/**
 * Every mutation takes one input with an optional idempotencyKey. For the people, teams, API key,
 * webhook and organization mutations: a retry with the same key and input answers the same object
 * and records nothing more; the same key with another input is IDEMPOTENCY_KEY_REUSED and records
 * nothing; a creation retried with its key creates nothing new.
 */
import { getNamedType, isInputObjectType, isNonNullType, type GraphQLSchema } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildAppSchema } from "../../src/graphql/schema.js";
import { addMember, createOrganization, ok, refused, startTestServer, type TestServer } from "../support/test-server.js";

let test: TestServer;
let admin: Awaited<ReturnType<typeof createOrganization>>;

beforeAll(async () => {
  test = await startTestServer();
  admin = await createOrganization(test);
});
afterAll(() => test.stop());

const head = () => test.app.store.headPosition();

/**
 * Sends `input` with `key` twice (the answers must be equal and the second must record nothing),
 * then `otherInput` with the same key (IDEMPOTENCY_KEY_REUSED, nothing recorded).
 */
async function expectIdempotent(
  mutation: string,
  field: string,
  input: Record<string, unknown>,
  otherInput: Record<string, unknown>,
  key: string,
  token = admin.token,
): Promise<any> {
  const first = ok(await test.gql(mutation, { input: { ...input, idempotencyKey: key } }, token))[field];
  const after = await head();
  const again = ok(await test.gql(mutation, { input: { ...input, idempotencyKey: key } }, token))[field];
  expect(await head()).toBe(after);
  const reused = refused(await test.gql(mutation, { input: { ...otherInput, idempotencyKey: key } }, token));
  expect(reused.code).toBe("IDEMPOTENCY_KEY_REUSED");
  expect(await head()).toBe(after);
  return { first, again };
}

describe("idempotency keys on every mutation", () => {
  it("createTeam: a retry answers the same team, with its members added once", async () => {
    const member = await addMember(test, admin.token, ["LEARNER"]);
    const CREATE = `mutation ($input: CreateTeamInput!) { createTeam(input: $input) { id name members { nodes { id } } } }`;
    const { first, again } = await expectIdempotent(
      CREATE,
      "createTeam",
      { name: "Night shift", memberIds: [member.userId] },
      { name: "Day shift", memberIds: [member.userId] },
      "team-1",
    );
    expect(again).toEqual(first);
    expect(first.members.nodes).toEqual([{ id: member.userId }]);
    const teams = ok(await test.gql(`{ teams(search: "shift") { nodes { id } } }`, {}, admin.token)).teams.nodes;
    expect(teams).toEqual([{ id: first.id }]);
    // Without a key, each request creates a team.
    const a = ok(await test.gql(CREATE, { input: { name: "No key" } }, admin.token)).createTeam;
    const b = ok(await test.gql(CREATE, { input: { name: "No key" } }, admin.token)).createTeam;
    expect(a.id).not.toBe(b.id);
  });

  it("createUser: a retry answers the same user; another e-mail under the key is refused before it is claimed", async () => {
    const CREATE = `mutation ($input: CreateUserInput!) { createUser(input: $input) { id email displayName } }`;
    const { first, again } = await expectIdempotent(
      CREATE,
      "createUser",
      { email: "retry.me@people.test", displayName: "Retry Me", password: "correct horse battery 9" },
      { email: "someone.else@people.test", displayName: "Someone Else" },
      "user-1",
    );
    expect(again).toEqual(first);
    // The other e-mail was not claimed: it can be used with a new key.
    ok(await test.gql(CREATE, { input: { email: "someone.else@people.test", displayName: "Someone Else", idempotencyKey: "user-2" } }, admin.token));
  });

  it("createApiKey: a retry answers the same key with secret null (only its hash is kept)", async () => {
    const CREATE = `mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id name prefix } } }`;
    const { first, again } = await expectIdempotent(
      CREATE,
      "createApiKey",
      { name: "CRM sync", scopes: ["SESSIONS_READ"] },
      { name: "CRM sync", scopes: ["PEOPLE_READ"] },
      "api-key-1",
    );
    expect(first.secret).toMatch(/^sk_/);
    expect(again).toEqual({ ...first, secret: null });
    const keys = ok(await test.gql(`{ apiKeys { id } }`, {}, admin.token)).apiKeys;
    expect(keys.filter((key: { id: string }) => key.id === first.apiKey.id)).toHaveLength(1);
  });

  it("registerWebhook and rotateWebhookSecret: a retry answers the same webhook and the same secret", async () => {
    const REGISTER = `mutation ($input: RegisterWebhookInput!) { registerWebhook(input: $input) { secret webhook { id url } } }`;
    const input = { url: "https://hooks.example.com/sessions", eventTypes: ["TeamCreated"] };
    const { first, again } = await expectIdempotent(REGISTER, "registerWebhook", input, { ...input, eventTypes: ["SessionConfirmed"] }, "hook-1");
    expect(again).toEqual(first);

    const ROTATE = `mutation ($input: WebhookIdInput!) { rotateWebhookSecret(input: $input) { secret webhook { id } } }`;
    const other = ok(await test.gql(REGISTER, { input }, admin.token)).registerWebhook.webhook.id;
    const rotated = await expectIdempotent(ROTATE, "rotateWebhookSecret", { webhookId: first.webhook.id }, { webhookId: other }, "rotate-1");
    expect(rotated.again).toEqual(rotated.first);
    expect(rotated.first.secret).not.toBe(first.secret);
  });

  it("updateUser: a retry answers the same user; another name under the key is refused", async () => {
    const person = await addMember(test, admin.token, ["LEARNER"]);
    const UPDATE = `mutation ($input: UpdateUserInput!) { updateUser(input: $input) { id displayName } }`;
    const { first, again } = await expectIdempotent(
      UPDATE,
      "updateUser",
      { userId: person.userId, displayName: "First name" },
      { userId: person.userId, displayName: "Second name" },
      "update-1",
    );
    expect(again).toEqual(first);
    expect(first.displayName).toBe("First name");
  });

  it("reactivateUser takes an input: a retry answers the same user; another user under the key is refused", async () => {
    const [one, two] = await Promise.all([addMember(test, admin.token, ["LEARNER"]), addMember(test, admin.token, ["LEARNER"])]);
    const DEACTIVATE = `mutation ($input: DeactivateUserInput!) { deactivateUser(input: $input) { status } }`;
    for (const person of [one, two]) ok(await test.gql(DEACTIVATE, { input: { userId: person.userId } }, admin.token));
    const REACTIVATE = `mutation ($input: ReactivateUserInput!) { reactivateUser(input: $input) { id status } }`;
    const { first, again } = await expectIdempotent(REACTIVATE, "reactivateUser", { userId: one.userId }, { userId: two.userId }, "reactivate-1");
    expect(again).toEqual(first);
    expect(first.status).toBe("ACTIVE");
  });

  it("sendInvitation takes an input: a retry sends no second e-mail; another user under the key is refused", async () => {
    const CREATE = `mutation ($input: CreateUserInput!) { createUser(input: $input) { id } }`;
    const one = ok(await test.gql(CREATE, { input: { email: "invite.one@people.test", displayName: "One" } }, admin.token)).createUser.id;
    const two = ok(await test.gql(CREATE, { input: { email: "invite.two@people.test", displayName: "Two" } }, admin.token)).createUser.id;
    const SEND = `mutation ($input: SendInvitationInput!) { sendInvitation(input: $input) { id status } }`;
    const mailsBefore = test.outbox.length;
    const { first, again } = await expectIdempotent(SEND, "sendInvitation", { userId: one }, { userId: two }, "invite-1");
    expect(again).toEqual(first);
    expect(test.outbox.length - mailsBefore).toBe(1);
  });

  it("updateOrganizationSettings: a retry answers the same settings; other settings under the key are refused", async () => {
    const UPDATE = `mutation ($input: UpdateOrganizationSettingsInput!) { updateOrganizationSettings(input: $input) { id name } }`;
    const { first, again } = await expectIdempotent(
      UPDATE,
      "updateOrganizationSettings",
      { name: "Renamed academy" },
      { name: "Another name" },
      "settings-1",
    );
    expect(again).toEqual(first);
    expect(first.name).toBe("Renamed academy");
  });

  it("createOrganization: one organization per key and e-mail; a retry signs in only with the same password", async () => {
    const CREATE = `mutation ($input: CreateOrganizationInput!) { createOrganization(input: $input) { token organization { id } user { id } } }`;
    const input = {
      name: "Keyed academy",
      timezone: "Europe/Brussels",
      currency: "EUR",
      adminEmail: `keyed-${Date.now()}@academy.test`,
      password: "correct horse battery 7",
      idempotencyKey: "org-1",
    };
    const first = ok(await test.gql(CREATE, { input })).createOrganization;
    const again = ok(await test.gql(CREATE, { input })).createOrganization;
    expect(again.organization).toEqual(first.organization);
    expect(again.user).toEqual(first.user);
    const wrongPassword = refused(await test.gql(CREATE, { input: { ...input, password: "another horse battery 8" } }));
    expect(wrongPassword.code).toBe("ALREADY_EXISTS");
    expect(JSON.stringify(wrongPassword)).not.toContain("token\":\"ey");
  });

  it("signUp: one account per key and e-mail; a retry signs in only with the same password", async () => {
    const SIGN_UP = `mutation ($input: SignUpInput!) { signUp(input: $input) { token user { id } } }`;
    const input = {
      organizationId: admin.organizationId,
      email: `learner-${Date.now()}@people.test`,
      password: "correct horse battery 5",
      displayName: "Keyed learner",
      idempotencyKey: "sign-up-1",
    };
    const first = ok(await test.gql(SIGN_UP, { input })).signUp;
    // The retry records no second account (only the new sign-in it answers with).
    const again = ok(await test.gql(SIGN_UP, { input })).signUp;
    expect(again.user).toEqual(first.user);
    expect(again.token).toEqual(expect.any(String));
    const before = await head();
    const refusedRetry = refused(await test.gql(SIGN_UP, { input: { ...input, password: "another horse battery 6" } }));
    expect(refusedRetry.code).toBe("ALREADY_EXISTS");
    expect(await head()).toBe(before);
    // Without a key, the same e-mail is refused as before.
    expect(refused(await test.gql(SIGN_UP, { input: { ...input, idempotencyKey: null } })).code).toBe("ALREADY_EXISTS");
    const users = ok(await test.gql(`query ($search: String) { users(filter: { search: $search }) { nodes { id } } }`, { search: input.email }, admin.token)).users.nodes;
    expect(users).toEqual([first.user]);
  });

  it("changePassword: a retry with the key answers true once the new password is set; without a key it is refused", async () => {
    const person = await addMember(test, admin.token, ["LEARNER"]);
    const CHANGE = `mutation ($input: ChangePasswordInput!) { changePassword(input: $input) }`;
    const input = { currentPassword: person.password, newPassword: "brand new horse 42", idempotencyKey: "password-1" };
    expect(ok(await test.gql(CHANGE, { input }, person.token)).changePassword).toBe(true);
    const after = await head();
    expect(ok(await test.gql(CHANGE, { input }, person.token)).changePassword).toBe(true);
    expect(await head()).toBe(after);
    expect(refused(await test.gql(CHANGE, { input: { ...input, idempotencyKey: null } }, person.token)).code).toBe("BAD_USER_INPUT");
  });
});

describe("the schema", () => {
  let schema: GraphQLSchema;
  beforeAll(async () => {
    schema = await buildAppSchema();
  });

  it("every mutation takes exactly one argument, input, whose type has an optional idempotencyKey: String", () => {
    const mutations = Object.values(schema.getMutationType()!.getFields());
    expect(mutations.length).toBeGreaterThan(40);
    const wrong = mutations.flatMap((mutation) => {
      if (mutation.args.length !== 1 || mutation.args[0]!.name !== "input") return [`${mutation.name}: arguments ${mutation.args.map((a) => a.name)}`];
      const type = getNamedType(mutation.args[0]!.type);
      if (!isInputObjectType(type)) return [`${mutation.name}: input is not an input object`];
      const key = type.getFields().idempotencyKey;
      if (!key || isNonNullType(key.type) || getNamedType(key.type).name !== "String") return [`${mutation.name}: ${type.name} has no idempotencyKey: String`];
      return [];
    });
    expect(wrong).toEqual([]);
  });
});
