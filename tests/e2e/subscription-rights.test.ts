/**
 * Open subscriptions keep the caller's CURRENT rights, over real WebSockets (graphql-ws):
 * - `sessionStatusChanged`: an AUDITOR made LEARNER stops receiving a DRAFT session's changes
 *   and sees `privateNote` as null from then on; the subscription goes on for what they may see;
 * - `registrationChanged`: an AUDITOR made LEARNER gets only their own registrations from then on;
 * - signOut, refresh-token reuse (the sign-in ends) and deactivation end subscriptions with
 *   UNAUTHENTICATED and a message saying why; an access token that expires while subscribed
 *   (the server's clock moved past its lifetime) ends them with UNAUTHENTICATED "expired";
 * - `events`: a role change that removes ADMIN/AUDITOR ends it with FORBIDDEN (operation
 *   `events`), a revoked API key with UNAUTHENTICATED.
 * Nothing after the end is delivered. No timing assertions: waits are bounded polls.
 */
import type { Client } from "graphql-ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Feed, openFeed } from "../support/feed-client.js";
import { createReadySession } from "../support/session-setup.js";
import { sleep, until } from "../support/status-changes.js";
import { DAY, HOUR } from "../support/test-clock.js";
import { type Member, type TestServer, addMember, createOrganization, ok, startTestServer } from "../support/test-server.js";

type Org = Awaited<ReturnType<typeof createOrganization>>;
interface GraphQLErrorShape {
  message: string;
  extensions?: Record<string, unknown>;
}

const STATUS = `subscription { sessionStatusChanged { sessionId previousStatus status session { id privateNote } } }`;
const REGISTRATIONS = (sessionId: string) =>
  `subscription { registrationChanged(sessionId: "${sessionId}") { change registration { id userId } } }`;
const EDIT = `mutation ($input: EditSessionDetailsInput!) { editSessionDetails(input: $input) { id } }`;
const MARK_LEAD = `mutation ($input: ChangeSessionStatusInput!) { markSessionAsLead(input: $input) { status } }`;
const TO_DRAFT = `mutation ($input: ChangeSessionStatusInput!) { returnSessionToDraft(input: $input) { status } }`;
const PLAN = `mutation ($input: ChangeSessionStatusInput!) { planSession(input: $input) { status } }`;
const CHANGE_ROLES = `mutation ($input: ChangeUserRolesInput!) { changeUserRoles(input: $input) { id roles } }`;
const DEACTIVATE = `mutation ($input: DeactivateUserInput!) { deactivateUser(input: $input) { id status } }`;
const SIGN_IN = `mutation ($input: SignInInput!) { signIn(input: $input) { token refreshToken } }`;
const SIGN_OUT = `mutation { signOut }`;
const REFRESH = `mutation ($input: RefreshAccessTokenInput!) { refreshAccessToken(input: $input) { token refreshToken } }`;
const REGISTER = `mutation ($input: RegisterForSessionInput!) { registerForSession(input: $input) { id } }`;
const CREATE_TEAM = `mutation ($input: CreateTeamInput!) { createTeam(input: $input) { id } }`;
const CREATE_KEY = `mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id } } }`;
const REVOKE_KEY = `mutation ($input: RevokeApiKeyInput!) { revokeApiKey(input: $input) { id } }`;

/** Everything one subscription delivered: data, errors (as results or as the sink's error), completion. */
interface Collector<T> {
  data: T[];
  errors: GraphQLErrorShape[];
  completed: boolean;
  unsubscribe(): void;
}

function collect<T>(client: Client, query: string, field: string): Collector<T> {
  const collector: Collector<T> = { data: [], errors: [], completed: false, unsubscribe: () => undefined };
  collector.unsubscribe = client.subscribe<Record<string, T>>(
    { query },
    {
      next: (result) => {
        if (result.errors) collector.errors.push(...(result.errors as GraphQLErrorShape[]));
        const value = result.data?.[field];
        if (value) collector.data.push(value);
      },
      error: (error) => void collector.errors.push(...((Array.isArray(error) ? error : [error]) as GraphQLErrorShape[])),
      complete: () => void (collector.completed = true),
    },
  );
  return collector;
}

type StatusChange = { sessionId: string; previousStatus: string; status: string; session: { id: string; privateNote: string | null } };

let test: TestServer;
let admin: Org;

beforeAll(async () => {
  test = await startTestServer();
  admin = await createOrganization(test);
});

afterAll(async () => {
  await test?.stop(); // disposes every client made with test.ws
});

async function signIn(member: { email: string; password: string }): Promise<{ token: string; refreshToken: string }> {
  return ok(await test.gql(SIGN_IN, { input: { email: member.email, password: member.password, organizationId: admin.organizationId } }))
    .signIn;
}

/** A DRAFT session with a private note. */
async function draftWithNote(note: string): Promise<string> {
  const sessionId = await createReadySession(test, admin.token, { name: "Rights session" });
  ok(await test.gql(EDIT, { input: { sessionId, privateNote: note } }, admin.token));
  return sessionId;
}

/** A session status change the subscribers of the organization are told of (DRAFT → LEAD of a new session). */
async function someStatusChange(): Promise<string> {
  const sessionId = await createReadySession(test, admin.token, { name: "Trigger" });
  ok(await test.gql(MARK_LEAD, { input: { sessionId } }, admin.token));
  return sessionId;
}

async function endedWith(collector: { errors: GraphQLErrorShape[] }, what: string): Promise<GraphQLErrorShape> {
  await until(() => collector.errors.length > 0, what);
  expect(collector.errors).toHaveLength(1);
  expect(collector.errors[0]!.extensions).not.toHaveProperty("stacktrace");
  return collector.errors[0]!;
}

describe("sessionStatusChanged follows the caller's current roles", () => {
  it("an AUDITOR made LEARNER no longer gets a DRAFT session's change, and sees privateNote as null from then on", async () => {
    const auditor = await addMember(test, admin.token, ["AUDITOR"]);
    const staff = collect<StatusChange>(test.ws(admin.token), STATUS, "sessionStatusChanged");
    const subscriber = collect<StatusChange>(test.ws(auditor.token), STATUS, "sessionStatusChanged");
    await sleep(300);
    const sessionId = await draftWithNote("Trainer fee negotiated at 900");

    ok(await test.gql(MARK_LEAD, { input: { sessionId } }, admin.token));
    await until(() => subscriber.data.length === 1, "the auditor's first change");
    expect(subscriber.data[0]).toMatchObject({ sessionId, status: "LEAD", session: { privateNote: "Trainer fee negotiated at 900" } });

    ok(await test.gql(CHANGE_ROLES, { input: { userId: auditor.userId, roles: ["LEARNER"] } }, admin.token));
    ok(await test.gql(TO_DRAFT, { input: { sessionId } }, admin.token)); // LEAD → DRAFT: not for learners
    ok(await test.gql(PLAN, { input: { sessionId } }, admin.token)); // DRAFT → PLANNED, public: for learners too
    await until(() => staff.data.length === 3, "the staff subscriber's three changes");
    await until(() => subscriber.data.length >= 2, "the learner's PLANNED change");
    await sleep(100); // anything extra would be here by now

    expect(subscriber.errors).toEqual([]);
    expect(subscriber.data.map((c) => [c.previousStatus, c.status])).toEqual([
      ["DRAFT", "LEAD"],
      ["DRAFT", "PLANNED"],
    ]);
    expect(subscriber.data[1]!.session.privateNote).toBeNull();
    expect(JSON.stringify(subscriber.data.slice(1))).not.toContain("Trainer fee");
    // The staff subscriber, unchanged, got all three with the note.
    expect(staff.data.map((c) => c.status)).toEqual(["LEAD", "DRAFT", "PLANNED"]);
    expect(staff.data.every((c) => c.session.privateNote === "Trainer fee negotiated at 900")).toBe(true);
  });

  it("a LEARNER made AUDITOR receives DRAFT changes with the note from then on", async () => {
    const learner = await addMember(test, admin.token, ["LEARNER"]);
    const subscriber = collect<StatusChange>(test.ws(learner.token), STATUS, "sessionStatusChanged");
    await sleep(300);
    const hidden = await draftWithNote("Hidden note");
    ok(await test.gql(MARK_LEAD, { input: { sessionId: hidden } }, admin.token));

    ok(await test.gql(CHANGE_ROLES, { input: { userId: learner.userId, roles: ["AUDITOR"] } }, admin.token));
    ok(await test.gql(TO_DRAFT, { input: { sessionId: hidden } }, admin.token));
    await until(() => subscriber.data.length === 1, "the change seen as an auditor");
    expect(subscriber.errors).toEqual([]);
    expect(subscriber.data[0]).toMatchObject({ sessionId: hidden, status: "DRAFT", session: { privateNote: "Hidden note" } });
  });
});

describe("registrationChanged follows the caller's current roles", () => {
  it("an AUDITOR made LEARNER gets only their own registrations from then on", async () => {
    const auditor = await addMember(test, admin.token, ["AUDITOR"]);
    const startsAt = test.clock.now().getTime() + 7 * DAY;
    const sessionId = await createReadySession(test, admin.token, {
      startsAt: new Date(startsAt).toISOString(),
      endsAt: new Date(startsAt + 2 * HOUR).toISOString(),
      min: 5,
      max: 10,
    });
    ok(await test.gql(PLAN, { input: { sessionId } }, admin.token));
    type Change = { change: string; registration: { id: string; userId: string } };
    const staff = collect<Change>(test.ws(admin.token), REGISTRATIONS(sessionId), "registrationChanged");
    const subscriber = collect<Change>(test.ws(auditor.token), REGISTRATIONS(sessionId), "registrationChanged");
    await sleep(300);

    const learners = await Promise.all([0, 1].map(() => addMember(test, admin.token, ["LEARNER"])));
    ok(await test.gql(REGISTER, { input: { sessionId } }, learners[0]!.token));
    await until(() => subscriber.data.length === 1, "the first registration, seen as staff");

    ok(await test.gql(CHANGE_ROLES, { input: { userId: auditor.userId, roles: ["LEARNER"] } }, admin.token));
    ok(await test.gql(REGISTER, { input: { sessionId } }, learners[1]!.token)); // someone else's: no longer theirs to see
    ok(await test.gql(REGISTER, { input: { sessionId } }, auditor.token)); // their own
    await until(() => staff.data.length === 3, "the staff subscriber's three registrations");
    await until(() => subscriber.data.length >= 2, "their own registration");
    await sleep(100);

    expect(subscriber.errors).toEqual([]);
    expect(subscriber.data.map((c) => c.registration.userId)).toEqual([learners[0]!.userId, auditor.userId]);
  });
});

describe("a sign-in that ends, a deactivation or an expired token ends the subscription", () => {
  it("signOut: UNAUTHENTICATED saying the sign-in ended; nothing is delivered after it", async () => {
    const auditor = await addMember(test, admin.token, ["AUDITOR"]);
    const subscriber = collect<StatusChange>(test.ws(auditor.token), STATUS, "sessionStatusChanged");
    await sleep(300);
    await someStatusChange();
    await until(() => subscriber.data.length === 1, "the change before signing out");

    ok(await test.gql(SIGN_OUT, {}, auditor.token));
    await someStatusChange();
    const error = await endedWith(subscriber, "the end of the subscription");
    expect(error.extensions?.code).toBe("UNAUTHENTICATED");
    expect(error.message).toMatch(/sign-in has ended|signed out/i);
    await someStatusChange();
    await sleep(150);
    expect(subscriber.data).toHaveLength(1);
  });

  it("refresh-token reuse ends the sign-in, and with it the subscriptions of its access tokens", async () => {
    const member = await addMember(test, admin.token, ["AUDITOR"]);
    const pair = await signIn(member);
    const subscriber = collect<StatusChange>(test.ws(pair.token), STATUS, "sessionStatusChanged");
    await sleep(300);
    ok(await test.gql(REFRESH, { input: { refreshToken: pair.refreshToken } }));
    // A normal refresh does not end the sign-in: the subscription goes on.
    await someStatusChange();
    await until(() => subscriber.data.length === 1, "the change after a normal refresh");
    expect(subscriber.errors).toEqual([]);

    // Presenting the old refresh token again ends the sign-in (theft detection).
    expect((await test.gql(REFRESH, { input: { refreshToken: pair.refreshToken } })).errors).toBeDefined();
    await someStatusChange();
    const error = await endedWith(subscriber, "the end of the subscription");
    expect(error.extensions?.code).toBe("UNAUTHENTICATED");
    expect(error.message).toMatch(/sign-in has ended/i);
    expect(subscriber.data).toHaveLength(1);
  });

  it("deactivation: UNAUTHENTICATED saying the account is deactivated", async () => {
    const auditor = await addMember(test, admin.token, ["AUDITOR"]);
    const subscriber = collect<StatusChange>(test.ws(auditor.token), STATUS, "sessionStatusChanged");
    await sleep(300);
    ok(await test.gql(DEACTIVATE, { input: { userId: auditor.userId, reason: "Left" } }, admin.token));
    await someStatusChange();
    const error = await endedWith(subscriber, "the end of the subscription");
    expect(error.extensions?.code).toBe("UNAUTHENTICATED");
    expect(error.message).toMatch(/deactivated/);
    expect(subscriber.data).toEqual([]);
  });
});

describe("events: losing the role or the key ends the feed", () => {
  it("an AUDITOR made LEARNER: FORBIDDEN (operation events); nothing after the change is delivered", async () => {
    const auditor = await addMember(test, admin.token, ["AUDITOR"]);
    const head = (await test.app.store.headPosition())!.toString();
    const feed = openFeed(test.ws(auditor.token), { after: head });
    const before = ok(await test.gql(CREATE_TEAM, { input: { name: "Before the change" } }, admin.token)).createTeam.id as string;
    await feed.waitFor((events) => events.some((e) => e.data.teamId === before), "the team created before the change");

    ok(await test.gql(CHANGE_ROLES, { input: { userId: auditor.userId, roles: ["LEARNER"] } }, admin.token));
    const after = ok(await test.gql(CREATE_TEAM, { input: { name: "After the change" } }, admin.token)).createTeam.id as string;
    const [error] = await feed.waitForErrors();
    expect(error!.extensions?.code).toBe("FORBIDDEN");
    expect(error!.extensions?.operation).toBe("events");
    expect(error!.message).toMatch(/no longer allow events/);
    await sleep(150);
    expect(feed.events.some((e) => e.data.teamId === after)).toBe(false);
  });

  it("a revoked API key: UNAUTHENTICATED saying it was revoked", async () => {
    const { secret, apiKey } = ok(await test.gql(CREATE_KEY, { input: { name: "Feed reader", scopes: ["EVENTS_READ"] } }, admin.token))
      .createApiKey as { secret: string; apiKey: { id: string } };
    const head = (await test.app.store.headPosition())!.toString();
    const feed: Feed = openFeed(test.ws(secret), { after: head });
    const before = ok(await test.gql(CREATE_TEAM, { input: { name: "Seen by the key" } }, admin.token)).createTeam.id as string;
    await feed.waitFor((events) => events.some((e) => e.data.teamId === before), "the team created before the revocation");

    ok(await test.gql(REVOKE_KEY, { input: { apiKeyId: apiKey.id } }, admin.token));
    const after = ok(await test.gql(CREATE_TEAM, { input: { name: "Not seen" } }, admin.token)).createTeam.id as string;
    const [error] = await feed.waitForErrors();
    expect(error!.extensions?.code).toBe("UNAUTHENTICATED");
    expect(error!.message).toMatch(/revoked/);
    await sleep(150);
    expect(feed.events.some((e) => e.data.teamId === after)).toBe(false);
  });
});

// Last: it moves the server's clock past every token's lifetime.
describe("an access token that expires while subscribed", () => {
  it("ends sessionStatusChanged and events with UNAUTHENTICATED saying the token expired", async () => {
    const auditor: Member = await addMember(test, admin.token, ["AUDITOR"]);
    const status = collect<StatusChange>(test.ws(auditor.token), STATUS, "sessionStatusChanged");
    const head = (await test.app.store.headPosition())!.toString();
    const feed = openFeed(test.ws(auditor.token), { after: head });
    await sleep(300);
    await someStatusChange();
    await until(() => status.data.length === 1, "a change while the token is valid");
    await feed.waitFor((events) => events.some((e) => e.type === "SessionMarkedAsLead"), "an event while the token is valid");
    const delivered = feed.events.length;

    test.clock.advance(3600 * 1000 + 1000); // past ACCESS_TOKEN_TTL_SECONDS (3600 by default)
    admin = { ...admin, token: (await signIn(admin)).token };
    await someStatusChange();

    const error = await endedWith(status, "the end of sessionStatusChanged");
    expect(error.extensions?.code).toBe("UNAUTHENTICATED");
    expect(error.message).toMatch(/expired/);
    const [feedError] = await feed.waitForErrors();
    expect(feedError!.extensions?.code).toBe("UNAUTHENTICATED");
    expect(feedError!.message).toMatch(/expired/);
    expect(status.data).toHaveLength(1);
    expect(feed.events).toHaveLength(delivered);
  });
});
