/**
 * Tenant isolation proof (§0). The test walks the schema the code emits and calls
 * EVERY query, mutation and subscription:
 * - as the ADMIN of another organization B and as an API key of B holding every scope, with
 *   arguments aimed at organization A's real objects: each call is refused NOT_FOUND or FORBIDDEN,
 *   or answers without a single id, name or e-mail of A; no event of A is appended, no e-mail
 *   goes to A's people, and A's data reads the same afterwards;
 * - as a LEARNER of A, for every operation the authorization table does not give a learner
 *   (aimed at others' users, at sessions the learner is not the assignee of): refused
 *   FORBIDDEN or NOT_FOUND, nothing appended.
 * - subscriptions: B subscribes to each; A's admin, subscribed too, receives A's changes (the
 *   control) and B receives none of them.
 * - relations: as A's LEARNER and as A's API keys holding a single scope each, every query A's
 *   admin can aim at A's objects is called with a selection that follows relations a few levels
 *   deep (a session's trainer and participants, their teams, the teams' members…): no other
 *   person's private field (User.*, Team.members in the authorization table) comes back, nor any
 *   of A's people's e-mails, unless the table gives that field to the caller.
 * Arguments come from the argument types and names (tests/support/schema-walker.ts), so an
 * operation added later is walked without being listed here. The only hand-written parts are the
 * name → object-kind rules for IDs (in the walker), the public operations' credentials and
 * confirmAttendance's link below, the optional ids an API key must send (API_KEY_FILLS) and the
 * changes that trigger subscriptions. Self-checks prove the walk would see a leak: with the
 * same arguments, A's own admin gets A's data from every query and gets past the tenant checks of
 * every mutation.
 * A holds registrations (S8–S10: REGISTERED, WAITLISTED, CANCELED) and a session's attendance
 * link (S6, read by A's admin through Session.attendanceLink): the walk aims registration ids and
 * that genuine link at A, and both are among the strings that must never come back.
 * Decisions: an API key calling a person-only operation (me, signOut…) must get FORBIDDEN, not
 * UNAUTHENTICATED (it is authenticated). Any other code than NOT_FOUND or FORBIDDEN fails the
 * walk, naming the call, with one exception: confirmAttendance with A's link and a session id the
 * link is NOT for may answer INVALID_ATTENDANCE_LINK. The link names its session itself and that
 * answer is decided on the two arguments alone, before anything is read, the same for a link of
 * the caller's own organization (checked below): it tells nothing of A. With the session the
 * link IS for, the answer must be NOT_FOUND like any other of A's sessions.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { Client, FormattedExecutionResult } from "graphql-ws";
import { getNamedType, type GraphQLOutputType, type GraphQLSchema, isInterfaceType, isLeafType, isNonNullType, isObjectType, isUnionType } from "graphql";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Actor, API_KEY_SCOPES, type ApiKeyScope } from "../../src/domain/access/actor.js";
import { AUTHORIZATION, mayCall, type Operation, type Permission } from "../../src/domain/access/authorization.js";
import type { RecordedEvent } from "../../src/domain/shared/event-store.js";
import { buildAppSchema } from "../../src/graphql/schema.js";
import {
  documentFor,
  generateCalls,
  type IdPool,
  type RootOperation,
  rootOperations,
  type WalkCall,
} from "../support/schema-walker.js";
import { createReadySession } from "../support/session-setup.js";
import { DAY, HOUR, MINUTE } from "../support/test-clock.js";
import { addMember, type GraphQLResponse, ok, refused, startTestServer, type TestServer } from "../support/test-server.js";

/** Every distinctive string of A carries it: finding it anywhere means something of A leaked. */
const TAG = `vq${randomBytes(4).toString("hex")}`;
const A_PASSWORD = "correct horse battery 1";
/** B's admin uses the walker's password, so `changePassword` as B's admin is a valid call on B's own account. */
const B_PASSWORD = "correct horse battery 9";

/**
 * Public operations (AUTHORIZATION `public: true`) need no caller, so "another organization" means
 * "someone holding only what anyone can learn about A": its organization id and its admin's
 * e-mail, never its secrets. Their credential arguments are therefore A's real artefacts with a
 * forged signature (holding the real one IS being authenticated, not a tenant breach):
 * - `email` → A's admin's e-mail (signIn with it and a wrong password: UNAUTHENTICATED);
 * - `token` → A's pending invitation token, re-signed; `refreshToken` → A's admin's, re-signed.
 */
const PUBLIC_CODES = ["NOT_FOUND", "FORBIDDEN", "UNAUTHENTICATED", "INVALID_INVITATION"];
/**
 * signUp and signUpAndRegister join the organization named (§0: by design anyone may become a
 * LEARNER of it). Walked with A's admin's e-mail they must be refused ALREADY_EXISTS (e-mails are
 * unique per organization), creating nothing; fresh sign-ups are checked by their own tests below.
 */
const PUBLIC_EXTRA_CODES: Record<string, string[]> = { signUp: ["ALREADY_EXISTS"], signUpAndRegister: ["ALREADY_EXISTS"] };
/**
 * Optional ID arguments an API key must send anyway (registerForSession: a key names the person it
 * registers, AUTHORIZATION's note): filled for keys, so their calls get past that check to A's ids.
 */
const API_KEY_FILLS: Record<string, string[]> = { registerForSession: ["input.userId"] };

/** Who calls; `renew` signs in again when a call (signOut…) ended the caller's sign-in. */
type Caller = { label: string; token: string; renew?: () => Promise<string>; apiKey?: boolean };
type Collector = {
  results: FormattedExecutionResult<Record<string, unknown>, unknown>[];
  errors: unknown[];
  completed: boolean;
  unsubscribe: () => void;
};

let test: TestServer;
let schema: GraphQLSchema;
let operations: RootOperation[];
/** Value → what it is, for every id, name, e-mail and credential of A. */
const secrets = new Map<string, string>();
let victim: IdPool;
let own: IdPool;
let orgA: { id: string; adminToken: string; adminId: string; adminEmail: string; refreshToken: string };
let learnerA: { userId: string; email: string; registrationId: string };
/** A's genuine S6 link, for one of A's sessions where the learner holds a seat. */
let attendance: { sessionId: string; token: string; url: string };
/** sessionId: a draft; plannedSessionId: open, B's admin holds a seat; otherUserId: a learner of B. */
let orgB: { id: string; sessionId: string; plannedSessionId: string; otherUserId: string };
let aAdmin: Caller;
let aLearner: Caller;
let bAdmin: Caller;
let bKey: Caller;
/** A's API keys holding one scope each, with the actor the table judges them as. */
const aKeys: { caller: Caller; actor: Actor }[] = [];
let invitationToken: string;
let snapshotBefore: Record<string, unknown>;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function secret(value: string, label: string): string {
  secrets.set(value, label);
  return value;
}

async function gqlOk<T = Record<string, any>>(query: string, variables: Record<string, unknown>, token?: string): Promise<T> {
  return ok(await test.gql<T>(query, variables, token));
}

/** The same token with another signature: it names A's objects but was not signed by the server. */
function forge(token: string): string {
  const cut = token.lastIndexOf(".");
  return `${token.slice(0, cut)}.${randomBytes(32).toString("base64url")}`;
}

function leafOverrideFor(operation: RootOperation, name: string): unknown {
  // The one `token` of a signed-in operation (confirmAttendance): A's genuine attendance link.
  if (!permissionOf(operation.name)?.public) return name === "token" ? attendance.token : undefined;
  if (name === "email") return orgA.adminEmail;
  if (name === "refreshToken") return forge(orgA.refreshToken);
  if (name === "token") return forge(invitationToken);
  return undefined;
}

function permissionOf(name: string): Permission | undefined {
  return (AUTHORIZATION as Record<string, Permission>)[name];
}

function callsFor(operation: RootOperation, victimPool: IdPool, ownPool: IdPool, caller?: Caller): WalkCall[] {
  try {
    return generateCalls(operation, {
      victim: victimPool,
      own: ownPool,
      leafOverride: (op, name) => leafOverrideFor(op, name),
      alsoFill: (op, path) => Boolean(caller?.apiKey && API_KEY_FILLS[op.name]?.includes(path.join("."))),
      now: () => test.clock.now(),
    });
  } catch (error) {
    throw new Error(`Cannot generate arguments for ${operation.kind} ${operation.name}: ${(error as Error).message}`);
  }
}

/** Every secret of A found in `text`, except those in `allowed` (e.g. what the caller sent). */
function leaks(text: string, allowed = ""): string[] {
  return [...secrets].filter(([value]) => text.includes(value) && !allowed.includes(value)).map(([, label]) => label);
}

async function eventsSince(position: bigint | null): Promise<RecordedEvent[]> {
  return test.app.store.readAll(position === null ? {} : { after: position });
}

const describeCall = (who: string, call: WalkCall) =>
  `${who} ${call.operation.kind} ${call.operation.name} [${call.label}] ${JSON.stringify(call.variables)}`;

/** The error codes a refusal may carry for this call. */
function allowedCodes(call: WalkCall): string[] {
  const name = call.operation.name;
  if (permissionOf(name)?.public) return [...PUBLIC_CODES, ...(PUBLIC_EXTRA_CODES[name] ?? [])];
  // See the header: a link used for another session than its own is refused on the arguments alone.
  const input = call.variables.input as { sessionId?: string; token?: string } | undefined;
  if (name === "confirmAttendance" && input?.token === attendance.token && input.sessionId !== attendance.sessionId) {
    return ["NOT_FOUND", "FORBIDDEN", "INVALID_ATTENDANCE_LINK"];
  }
  return ["NOT_FOUND", "FORBIDDEN"];
}

/** The errors whose code is not one of the allowed refusals. */
function badCodes(result: GraphQLResponse, _call: WalkCall, codes: string[]): string[] {
  return (result.errors ?? [])
    .filter((error) => !codes.includes(String(error.extensions?.code)))
    .map((error) => `${String(error.extensions?.code)}: ${error.message}`);
}

async function signIn(email: string, password: string, organizationId: string): Promise<string> {
  const input = { email, password, organizationId };
  return (await gqlOk(`mutation ($input: SignInInput!) { signIn(input: $input) { token } }`, { input })).signIn.token;
}

/**
 * The walk calls signOut (and may change passwords): after a call that worked, the caller signs in
 * again if its token stopped working, so the calls after it are judged on their own.
 */
async function keepSignedIn(caller: Caller): Promise<void> {
  const probe = await test.gql(`{ organization { id } }`, {}, caller.token);
  if (!probe.errors?.some((error) => error.extensions?.code === "UNAUTHENTICATED")) return;
  if (!caller.renew) throw new Error(`${caller.label}'s credential stopped working: ${JSON.stringify(probe.errors)}`);
  caller.token = await caller.renew();
}

async function callAs(caller: Caller, call: WalkCall): Promise<GraphQLResponse> {
  return test.gql(call.document, call.variables, caller.token);
}

/** Runs one call as the attacker and returns what went wrong (empty: isolated). */
async function attack(attacker: Caller, call: WalkCall): Promise<string[]> {
  const problems: string[] = [];
  const head = await test.app.store.headPosition();
  const mailsBefore = test.outbox.length;
  const result = await callAs(attacker, call);
  const sent = JSON.stringify(call.variables);

  const dataLeaks = leaks(JSON.stringify(result.data ?? null));
  if (dataLeaks.length) problems.push(`returned A's ${dataLeaks.join(", ")}: ${JSON.stringify(result.data)}`);
  const messageLeaks = leaks(JSON.stringify(result.errors ?? []), sent);
  if (messageLeaks.length) problems.push(`error messages name A's ${messageLeaks.join(", ")}`);
  const wrong = badCodes(result, call, allowedCodes(call));
  if (wrong.length) problems.push(`refused with an unexpected error: ${wrong.join(" | ")}`);

  for (const event of await eventsSince(head)) {
    if (event.metadata.tenantId === orgA.id) problems.push(`appended ${event.type} to A (${event.streamName})`);
    const eventLeaks = leaks(JSON.stringify({ stream: event.streamName, data: event.data, metadata: event.metadata }));
    if (eventLeaks.length) problems.push(`appended ${event.type} (${event.streamName}) naming A's ${eventLeaks.join(", ")}`);
  }
  for (const mail of test.outbox.slice(mailsBefore)) {
    const mailLeaks = leaks(JSON.stringify(mail));
    if (mailLeaks.length) problems.push(`sent an e-mail naming A's ${mailLeaks.join(", ")} to ${mail.to}`);
  }
  if (!result.errors?.length) await keepSignedIn(attacker);
  return problems.map((problem) => `${describeCall(attacker.label, call)}: ${problem}`);
}

/** What A's admin reads through every query (arguments as the walk makes them). */
async function snapshotOfA(): Promise<Record<string, unknown>> {
  const snapshot: Record<string, unknown> = {};
  for (const operation of operations.filter((op) => op.kind === "query")) {
    const [call] = callsFor(operation, victim, victim);
    snapshot[operation.name] = ok(await callAs(aAdmin, call!));
  }
  return snapshot;
}

function collect(client: Client, query: string, variables: Record<string, unknown>): Collector {
  const collector: Collector = { results: [], errors: [], completed: false, unsubscribe: () => undefined };
  collector.unsubscribe = client.subscribe<Record<string, unknown>>(
    { query, variables },
    {
      next: (result) => void collector.results.push(result),
      error: (error) => void collector.errors.push(error),
      complete: () => void (collector.completed = true),
    },
  );
  return collector;
}

async function waitUntil(what: string, condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Waited ${timeoutMs} ms for ${what}`);
    await sleep(10);
  }
}

const CREATE_ORGANIZATION = `mutation ($input: CreateOrganizationInput!) {
  createOrganization(input: $input) { token refreshToken user { id } organization { id } }
}`;
const CHANGE_STATUS = (mutation: string, input = "ChangeSessionStatusInput") =>
  `mutation ($input: ${input}!) { ${mutation}(input: $input) { id status } }`;

async function createOrganizationWith(name: string, adminEmail: string, password: string) {
  const payload = (
    await gqlOk(CREATE_ORGANIZATION, { input: { name, adminEmail, password, timezone: "Europe/Brussels", currency: "EUR" } })
  ).createOrganization;
  return {
    adminEmail,
    token: payload.token as string,
    refreshToken: payload.refreshToken as string,
    userId: payload.user.id as string,
    organizationId: payload.organization.id as string,
  };
}

const REGISTER = `mutation ($input: RegisterForSessionInput!) { registerForSession(input: $input) { id status } }`;
const CANCEL_REGISTRATION = `mutation ($input: CancelRegistrationInput!) { cancelRegistration(input: $input) { id status } }`;

/** Registers `userId` (omitted: the caller) and returns the registration's id, checking its status. */
async function register(token: string, sessionId: string, userId: string | undefined, status: string): Promise<string> {
  const registration = (await gqlOk(REGISTER, { input: { sessionId, userId } }, token)).registerForSession;
  expect(registration.status).toBe(status);
  return registration.id as string;
}

/** A webhook whose URL and secret must never reach the other organization. */
async function registerWebhook(adminToken: string, url: string): Promise<{ id: string }> {
  const registered = (
    await gqlOk(
      `mutation ($input: RegisterWebhookInput!) { registerWebhook(input: $input) { secret webhook { id } } }`,
      { input: { url, eventTypes: ["SessionConfirmed"], description: `Webhook ${url}` } },
      adminToken,
    )
  ).registerWebhook;
  secret(registered.secret, `webhook secret (${url})`);
  return { id: registered.webhook.id };
}

async function createApiKey(
  adminToken: string,
  name: string,
  scopes = ["EVENTS_READ", "PEOPLE_READ", "PEOPLE_WRITE", "SESSIONS_READ", "SESSIONS_WRITE"],
): Promise<{ id: string; secret: string }> {
  const created = (
    await gqlOk(
      `mutation ($input: CreateApiKeyInput!) { createApiKey(input: $input) { secret apiKey { id } } }`,
      { input: { name, scopes } },
      adminToken,
    )
  ).createApiKey;
  return { id: created.apiKey.id, secret: created.secret };
}

async function attachDocument(token: string, sessionId: string, name: string, url: string): Promise<string> {
  const session = (
    await gqlOk(
      `mutation ($input: AttachSessionDocumentInput!) { attachSessionDocument(input: $input) { documents { id name } } }`,
      { input: { sessionId, name, url } },
      token,
    )
  ).attachSessionDocument;
  return session.documents.find((document: { name: string }) => document.name === name).id;
}

/** Organization A, the victim: people of every kind, a team, sessions in several statuses, a key, an invitation. */
async function setUpVictim() {
  const adminEmail = `victim-admin-${TAG}@victim.test`;
  const created = await createOrganizationWith(`Victim ${TAG} Academy`, adminEmail, A_PASSWORD);
  orgA = {
    id: secret(created.organizationId, "organization id"),
    adminToken: created.token,
    adminId: secret(created.userId, "admin's id"),
    adminEmail: secret(adminEmail, "admin's e-mail"),
    refreshToken: secret(created.refreshToken, "admin's refresh token"),
  };
  secret(`Victim ${TAG} Academy`, "organization name");
  secret(TAG, "something tagged as A's");
  const admin = orgA.adminToken;
  const member = async (role: string) => {
    const email = `victim-${role.toLowerCase()}-${TAG}@victim.test`;
    const displayName = `Victim ${role} ${TAG}`;
    const added = await addMember(test, admin, [role], { email, displayName, password: A_PASSWORD });
    secret(added.userId, `${role}'s id`);
    secret(email, `${role}'s e-mail`);
    secret(displayName, `${role}'s name`);
    return added;
  };
  const manager = await member("MANAGER");
  const learner = await member("LEARNER");
  const trainer = await member("TRAINER");
  learnerA = { userId: learner.userId, email: learner.email, registrationId: "" };
  aLearner = { label: "A's LEARNER", token: learner.token, renew: () => signIn(learner.email, A_PASSWORD, created.organizationId) };
  aAdmin = { label: "A's ADMIN", token: created.token, renew: () => signIn(adminEmail, A_PASSWORD, created.organizationId) };

  const team = (
    await gqlOk(
      `mutation ($input: CreateTeamInput!) { createTeam(input: $input) { id } }`,
      // The trainer too: a learner reading their team's members would reach another person.
      { input: { name: `Victim team ${TAG}`, memberIds: [learner.userId, trainer.userId] } },
      admin,
    )
  ).createTeam;
  secret(team.id, "team's id");
  secret(`Victim team ${TAG}`, "team's name");

  const invitedEmail = `victim-invited-${TAG}@victim.test`;
  const invited = (
    await gqlOk(
      `mutation ($input: InviteUserInput!) { inviteUser(input: $input) { id } }`,
      { input: { email: invitedEmail, displayName: `Victim invited ${TAG}` } },
      admin,
    )
  ).inviteUser;
  secret(invited.id, "invited user's id");
  secret(invitedEmail, "invited user's e-mail");
  secret(`Victim invited ${TAG}`, "invited user's name");
  const mail = test.outbox.find((message) => message.to === invitedEmail);
  invitationToken = decodeURIComponent(/token=([^\s&]+)/.exec(mail!.text)![1]!);
  secret(invitationToken, "invitation token");

  const key = await createApiKey(admin, `Victim key ${TAG}`);
  const webhook = await registerWebhook(admin, `https://victim-${TAG}.example.com/hooks`);
  secret(key.id, "API key's id");
  secret(key.secret, "API key's secret");
  secret(`Victim key ${TAG}`, "API key's name");
  // One key per scope, for the relation walk (not in the pools: the walk does not aim at them).
  for (const scope of API_KEY_SCOPES) {
    const name = `Victim ${scope} key ${TAG}`;
    const single = await createApiKey(admin, name, [scope.replace(":", "_").toUpperCase()]);
    secret(single.id, `${scope} key's id`);
    secret(single.secret, `${scope} key's secret`);
    secret(name, `${scope} key's name`);
    aKeys.push({
      caller: { label: `A's API key (${scope} only)`, token: single.secret, apiKey: true },
      actor: { kind: "API_KEY", apiKeyId: single.id, organizationId: created.organizationId, scopes: [scope] },
    });
  }

  const session = async (label: string, steps: string[], audience: { min?: number; max?: number } = {}) => {
    const name = `Victim ${label} ${TAG}`;
    const id = await createReadySession(test, admin, { name, ...audience });
    secret(id, `${label} session's id`);
    secret(name, `${label} session's name`);
    const note = `Private note ${label} ${TAG}`;
    secret(note, `${label} session's private note`);
    await gqlOk(CHANGE_STATUS("editSessionDetails", "EditSessionDetailsInput"), { input: { sessionId: id, privateNote: note } }, admin);
    for (const step of steps) {
      const input = step === "cancelSession" ? "CancelSessionInput" : step === "confirmSession" ? "ConfirmSessionInput" : undefined;
      await gqlOk(CHANGE_STATUS(step, input), { input: { sessionId: id, ...(step === "cancelSession" ? { reason: "No room" } : {}) } }, admin);
    }
    return id;
  };
  // The first session holds a document, so removeSessionDocument's default pair is a real one.
  const draft = await session("draft", []);
  const documentName = `Victim handout ${TAG}`;
  const documentUrl = `https://victim.example.com/${TAG}/handout.pdf`;
  const documentId = await attachDocument(admin, draft, documentName, documentUrl);
  secret(documentId, "document's id");
  secret(documentName, "document's name");
  secret(documentUrl, "document's URL");
  const lead = await session("lead", ["markSessionAsLead"]);
  // Minimum 5: the registrations below (and signUpAndRegister's) do not confirm it (S4).
  const planned = await session("planned public", ["planSession"], { min: 5 });
  const privateForTeam = await session("private for the team", []);
  await gqlOk(
    CHANGE_STATUS("setSessionAudience", "SetSessionAudienceInput"),
    { input: { sessionId: privateForTeam, mode: "PRIVATE", targetTeamIds: [team.id] } },
    admin,
  );
  await gqlOk(CHANGE_STATUS("planSession"), { input: { sessionId: privateForTeam } }, admin);
  // One seat: the second person waits (S9).
  const confirmed = await session("confirmed", ["planSession", "confirmSession"], { min: 1, max: 1 });
  const canceled = await session("canceled", ["cancelSession"]);
  // The manager is the assignee of one session: the learner is nobody's assignee.
  await gqlOk(CHANGE_STATUS("editSessionDetails", "EditSessionDetailsInput"), { input: { sessionId: lead, assigneeId: manager.userId } }, admin);

  // Registrations (S8–S10), by A's admin: the learner holds a seat on the planned session, the
  // trainer's there was canceled; the admin holds the confirmed session's only seat (so A's admin
  // has "my sessions"), the manager waits for it.
  const canceledRegistration = await register(admin, planned, trainer.userId, "REGISTERED");
  await gqlOk(CANCEL_REGISTRATION, { input: { registrationId: canceledRegistration, comment: `Victim cancel comment ${TAG}` } }, admin);
  secret(`Victim cancel comment ${TAG}`, "cancellation comment");
  learnerA.registrationId = await register(admin, planned, learner.userId, "REGISTERED");
  const adminRegistration = await register(admin, confirmed, undefined, "REGISTERED");
  const waitingRegistration = await register(admin, confirmed, manager.userId, "WAITLISTED");
  secret(learnerA.registrationId, "learner's registration id (REGISTERED)");
  secret(waitingRegistration, "manager's registration id (WAITLISTED)");
  secret(canceledRegistration, "trainer's registration id (CANCELED)");
  secret(adminRegistration, "admin's registration id (REGISTERED)");

  // S6: the planned session's attendance link, as A's admin reads it to show it in the room.
  const link = (await gqlOk(`query ($id: ID!) { session(id: $id) { attendanceLink { url token } } }`, { id: planned }, admin)).session
    .attendanceLink;
  attendance = { sessionId: planned, token: secret(link.token, "attendance token"), url: secret(link.url, "attendance link (QR code) URL") };

  victim = {
    session: [draft, lead, planned, privateForTeam, confirmed, canceled],
    registration: [learnerA.registrationId, waitingRegistration, canceledRegistration, adminRegistration],
    user: [learner.userId, manager.userId, trainer.userId, invited.id, orgA.adminId],
    team: [team.id],
    apiKey: [key.id],
    webhook: [webhook.id],
    organization: [orgA.id],
    document: [documentId],
  };
}

/** Organization B, the attacker, with one object of each kind for the other arguments of a call. */
async function setUpAttacker() {
  const created = await createOrganizationWith(`Other ${randomUUID().slice(0, 8)} Academy`, `other-admin-${randomUUID()}@other.test`, B_PASSWORD);
  const admin = created.token;
  const session = (
    await gqlOk(`mutation ($input: CreateSessionInput!) { createSession(input: $input) { id } }`, { input: { name: "Other draft" } }, admin)
  ).createSession;
  const documentId = await attachDocument(admin, session.id, "Other handout", "https://other.example.com/handout.pdf");
  const user = (
    await gqlOk(
      `mutation ($input: CreateUserInput!) { createUser(input: $input) { id } }`,
      { input: { email: `other-learner-${randomUUID()}@other.test`, displayName: "Other learner" } },
      admin,
    )
  ).createUser;
  const team = (
    await gqlOk(`mutation ($input: CreateTeamInput!) { createTeam(input: $input) { id } }`, { input: { name: "Other team" } }, admin)
  ).createTeam;
  const spareKey = await createApiKey(admin, "Other spare key");
  const ownWebhook = await registerWebhook(admin, "https://other.example.com/hooks");
  const attackerKey = await createApiKey(admin, "Other integrator");
  // An open session of B where B's admin holds a seat (minimum 10: registrations never confirm it).
  const planned = await createReadySession(test, admin, { name: "Other planned", min: 10, max: 20 });
  await gqlOk(CHANGE_STATUS("planSession"), { input: { sessionId: planned } }, admin);
  const registration = await register(admin, planned, undefined, "REGISTERED");
  orgB = { id: created.organizationId, sessionId: session.id, plannedSessionId: planned, otherUserId: user.id };
  bAdmin = { label: "B's ADMIN", token: admin, renew: () => signIn(created.adminEmail, B_PASSWORD, created.organizationId) };
  bKey = { label: "B's API key (every scope)", token: attackerKey.secret, apiKey: true };
  // The draft first: the other arguments of a call aimed at A are B's draft session (no one registered).
  own = {
    session: [session.id, planned],
    registration: [registration],
    user: [user.id],
    team: [team.id],
    apiKey: [spareKey.id],
    webhook: [ownWebhook.id],
    organization: [created.organizationId],
    document: [documentId],
  };
}

/** Per private field of a person, the row of the authorization table that gives it. */
const PERSON_FIELDS: Record<string, Operation> = {
  email: "User.email",
  roles: "User.roles",
  status: "User.status",
  hasPassword: "User.status",
  invitationExpiresAt: "User.status",
  createdAt: "User.status",
  updatedAt: "User.status",
  country: "User.country",
  isMember: "User.country",
  teams: "User.teams",
};
/** Lists fetched in the relation walk: small pages (the cost limit), but a long page of history (events' data). */
const firstFor = (type: GraphQLOutputType) => (getNamedType(type).name === "AuditEventConnection" ? 500 : 3);

/** Like the walker's selection, deeper, with `first` on every paginated list so the cost stays under the limit. */
function relationSelection(type: GraphQLOutputType, maxDepth: number, depth = 0): string {
  const named = getNamedType(type);
  if (isLeafType(named)) return "";
  if (isUnionType(named) || isInterfaceType(named)) {
    const members = isUnionType(named) ? named.getTypes() : [];
    return ` { __typename ${members.map((member) => `... on ${member.name}${relationSelection(member, maxDepth, depth)}`).join(" ")} }`;
  }
  if (!isObjectType(named)) return "";
  const parts = ["__typename"];
  for (const field of Object.values(named.getFields())) {
    if (field.args.some((arg) => isNonNullType(arg.type) && arg.defaultValue === undefined)) continue;
    const page = field.args.some((arg) => arg.name === "first") ? `(first: ${firstFor(field.type)})` : "";
    if (isLeafType(getNamedType(field.type))) parts.push(field.name);
    else if (depth + 1 < maxDepth) parts.push(`${field.name}${page}${relationSelection(field.type, maxDepth, depth + 1)}`);
  }
  return ` { ${parts.join(" ")} }`;
}

/** The call's operation with the deep selection (its own page small too). */
function relationDocumentFor(call: WalkCall): string {
  const { operation, variables } = call;
  const args = operation.field.args.filter((arg) => arg.name in variables);
  const declarations = args.map((arg) => `$${arg.name}: ${arg.type.toString()}`).join(", ");
  const passing = args.map((arg) => `${arg.name}: $${arg.name}`);
  if (operation.field.args.some((arg) => arg.name === "first") && !("first" in variables)) passing.push(`first: ${firstFor(operation.field.type)}`);
  return `query Relations${declarations ? `(${declarations})` : ""} { ${operation.name}${passing.length ? `(${passing.join(", ")})` : ""}${relationSelection(
    operation.field.type,
    5,
  )} }`;
}

/** Every object in a GraphQL answer. */
function objectsIn(value: unknown, visit: (object: Record<string, unknown>) => void): void {
  if (Array.isArray(value)) for (const item of value) objectsIn(item, visit);
  else if (value !== null && typeof value === "object") {
    visit(value as Record<string, unknown>);
    for (const field of Object.values(value)) objectsIn(field, visit);
  }
}

function learnerActorOf(): Actor {
  return { kind: "USER", userId: learnerA.userId, organizationId: orgA.id, email: learnerA.email, roles: ["LEARNER"], teamIds: victim.team };
}

beforeAll(async () => {
  test = await startTestServer({
    // Many wrong passwords are tried with A's admin's e-mail: keep the per-e-mail lock out of the way.
    SIGN_IN_MAX_FAILURES_PER_EMAIL: "100000",
    // A's webhook points at a host that does not resolve, so its delivery fails: its retries are
    // due a day of clock time later, after everything this file does, and never land in the walk.
    WEBHOOK_RETRY_BASE_MS: String(DAY),
    WEBHOOK_RETRY_MAX_MS: String(DAY),
  });
  schema = await buildAppSchema();
  operations = rootOperations(schema);
  await setUpVictim();
  await setUpAttacker();
  // The walk starts once the first attempt of A's delivery (the confirmed session) is recorded.
  await waitUntil(
    "A's webhook delivery to be attempted",
    () => {
      const { records } = test.app.sideEffectQueries.ofTarget(victim.webhook[0]!, { first: 100 });
      return records.length > 0 && records.every((record) => record.status !== "IN_PROGRESS");
    },
    15_000,
  );
  snapshotBefore = await snapshotOfA();
}, 60_000);

afterAll(async () => {
  await test?.stop();
});

describe("tenant isolation, walked over the emitted schema (§0)", () => {
  it("every Query, Mutation and Subscription field is in the authorization table with its kind, and the table names no missing one", () => {
    expect(operations.length).toBeGreaterThan(30);
    const inSchema = new Map(operations.map((op) => [op.name, op.kind]));
    const missing = operations.filter((op) => permissionOf(op.name)?.kind !== op.kind).map((op) => `${op.kind} ${op.name}`);
    expect(missing, "operations without a matching AUTHORIZATION entry").toEqual([]);
    const stale = Object.entries(AUTHORIZATION as Record<string, Permission>)
      .filter(([, permission]) => permission.kind !== "field" && permission.kind !== "input")
      .filter(([name, permission]) => inSchema.get(name) !== permission.kind)
      .map(([name, permission]) => `${permission.kind} ${name}`);
    expect(stale, "AUTHORIZATION entries the schema does not have").toEqual([]);
  });

  it("self-check: with the generated arguments, A's own admin gets A's objects from every query (the walk aims at real data)", () => {
    // verifyEventHistory answers counts, not objects: it aims at A's data when it counted A's events.
    // webhookEventTypes is the same list for every organization.
    const countsOnly = new Set(["verifyEventHistory", "webhookEventTypes"]);
    for (const operation of operations.filter((op) => op.kind === "query" && !countsOnly.has(op.name))) {
      const found = leaks(JSON.stringify(snapshotBefore[operation.name]));
      expect(found.length, `${operation.name} as A's admin returned none of A's data`).toBeGreaterThan(0);
    }
    expect(JSON.stringify(snapshotBefore.verifyEventHistory)).toMatch(/"eventsChecked":[1-9]/);
    const [sessionCall] = callsFor(operations.find((op) => op.name === "session")!, victim, victim);
    expect(sessionCall!.victimIds.map((target) => target.id)).toEqual([victim.session[0]]);
    expect(JSON.stringify(snapshotBefore.session)).toContain(`Victim draft ${TAG}`);
    expect(JSON.stringify(snapshotBefore.session)).toContain(`Private note draft ${TAG}`);
    // Registrations: registration(id) reads the learner's seat; A's admin has "my sessions".
    const [registrationCall] = callsFor(operations.find((op) => op.name === "registration")!, victim, victim);
    expect(registrationCall!.victimIds).toEqual([{ path: ["id"], kind: "registration", id: learnerA.registrationId }]);
    expect(snapshotBefore.registration).toMatchObject({ registration: { id: learnerA.registrationId, userId: learnerA.userId, status: "REGISTERED" } });
    expect(JSON.stringify(snapshotBefore.mySessions)).toContain(victim.registration[3]);
  });

  it("self-check: the registration and attendance operations are aimed at A's registrations and at A's genuine attendance link (S6, S8–S10)", async () => {
    const aimed = (name: string, pool = victim, caller?: Caller) => callsFor(operations.find((op) => op.name === name)!, pool, own, caller);
    // Every one of A's registrations (REGISTERED, WAITLISTED, CANCELED) is a target of each.
    for (const name of ["cancelRegistration", "markAttendance", "registration"]) {
      const targets = aimed(name).flatMap((call) => call.victimIds.filter((target) => target.kind === "registration").map((target) => target.id));
      expect(new Set(targets), name).toEqual(new Set(victim.registration));
    }
    for (const name of ["registerForSession", "signUpAndRegister", "confirmAttendance", "registrationChanged"]) {
      const targets = aimed(name).flatMap((call) => call.victimIds.filter((target) => target.kind === "session").map((target) => target.id));
      expect(new Set(targets), name).toEqual(new Set(victim.session));
    }
    // API keys name the person they register: their calls carry a user id, A's ones included.
    const keyCalls = aimed("registerForSession", victim, bKey);
    expect(keyCalls.every((call) => typeof (call.variables.input as { userId?: string }).userId === "string")).toBe(true);
    expect(keyCalls.some((call) => call.victimIds.some((target) => target.kind === "user"))).toBe(true);
    // confirmAttendance carries A's link, once with the very session it is for.
    const links = aimed("confirmAttendance");
    expect(links.every((call) => (call.variables.input as { token: string }).token === attendance.token)).toBe(true);
    expect(links.some((call) => (call.variables.input as { sessionId: string }).sessionId === attendance.sessionId)).toBe(true);
    // The link is genuine: A's learner, who holds a seat there, gets past the link check to the
    // window check (the session starts later), and nothing is recorded.
    const head = await test.app.store.headPosition();
    const mine = await test.gql(
      `mutation ($input: ConfirmAttendanceInput!) { confirmAttendance(input: $input) { id } }`,
      { input: { sessionId: attendance.sessionId, token: attendance.token } },
      aLearner.token,
    );
    expect(refused(mine).code).toBe("OUTSIDE_ATTENDANCE_WINDOW");
    expect(await eventsSince(head)).toEqual([]);
  });

  it("another organization's ADMIN and API key get NOT_FOUND/FORBIDDEN or nothing of A from every query and mutation, and change nothing of A (§0)", async () => {
    const attackers = [bAdmin, bKey];
    const problems: string[] = [];
    let calls = 0;
    let aimedAtA = 0;
    for (const attacker of attackers) {
      for (const operation of operations.filter((op) => op.kind !== "subscription")) {
        for (const call of callsFor(operation, victim, own, attacker)) {
          calls += 1;
          if (call.victimIds.length > 0) aimedAtA += 1;
          problems.push(...(await attack(attacker, call)));
        }
      }
    }
    expect(problems).toEqual([]);
    // The walk really went at A: most calls carried one of A's ids.
    expect(aimedAtA).toBeGreaterThan(calls / 2);
  }, 120_000);

  it("a LEARNER of A is refused (FORBIDDEN/NOT_FOUND) every operation the table does not give a learner, and nothing is appended (§0 roles, S5)", async () => {
    const learnerActor = learnerActorOf();
    // Relations (SELF, SESSION_ASSIGNEE) must not help: the learner is aimed at other users only
    // and is the assignee of no session.
    const others: IdPool = {
      ...victim,
      user: victim.user.filter((id) => id !== learnerA.userId),
      registration: victim.registration.filter((id) => id !== learnerA.registrationId),
    };
    const forbidden = operations.filter((op) => !permissionOf(op.name)?.public && !mayCall(learnerActor, op.name as Operation));
    expect(forbidden.length).toBeGreaterThan(20);
    const problems: string[] = [];
    for (const operation of forbidden.filter((op) => op.kind !== "subscription")) {
      for (const call of callsFor(operation, others, others)) {
        const head = await test.app.store.headPosition();
        const result = await callAs(aLearner, call);
        const where = describeCall("A's LEARNER", call);
        if (!result.errors?.length) problems.push(`${where}: succeeded with ${JSON.stringify(result.data)}`);
        const wrong = (result.errors ?? []).filter((error) => !["FORBIDDEN", "NOT_FOUND"].includes(String(error.extensions?.code)));
        if (wrong.length) problems.push(`${where}: refused with ${JSON.stringify(wrong)}`);
        const appended = await eventsSince(head);
        if (appended.length) problems.push(`${where}: appended ${appended.map((event) => event.type).join(", ")}`);
        if (!result.errors?.length) await keepSignedIn(aLearner);
      }
    }
    // None today (sessionStatusChanged is every member's), but one added later is refused here.
    for (const operation of forbidden.filter((op) => op.kind === "subscription")) {
      for (const call of callsFor(operation, others, others)) {
        const collector = collect(test.ws(aLearner.token), call.document, call.variables);
        // A refusal comes at once; an accepted subscription stays silent (reported below as not refused).
        await waitUntil(`the answer to ${operation.name}`, () => collector.results.length > 0 || collector.errors.length > 0 || collector.completed, 2000).catch(
          () => undefined,
        );
        const errors = [
          ...collector.results.flatMap((result) => result.errors ?? []),
          ...collector.errors.flatMap((error) => (Array.isArray(error) ? error : [])),
        ] as { extensions?: Record<string, unknown> }[];
        const codes = errors.map((error) => String(error.extensions?.code));
        if (codes.length === 0 || codes.some((code) => !["FORBIDDEN", "NOT_FOUND"].includes(code))) {
          problems.push(`${describeCall("A's LEARNER", call)}: answered ${JSON.stringify({ results: collector.results, errors: collector.errors })}`);
        }
        collector.unsubscribe();
      }
    }
    expect(problems).toEqual([]);
  }, 60_000);

  it("relations: A's LEARNER and each single-scope API key of A see no other person's private field through any relation (User.*, Team.members, events' data)", async () => {
    const callers = [{ caller: aLearner, actor: learnerActorOf() }, ...aKeys];
    expect(aKeys.map(({ actor }) => (actor.kind === "API_KEY" ? actor.scopes[0] : null))).toEqual([...API_KEY_SCOPES]);
    const emails = [...secrets].filter(([, label]) => label.endsWith("e-mail")).map(([value]) => value);
    const problems: string[] = [];
    /** Other people each caller reached (their id and name), and whose e-mail it saw. */
    const reached = new Map<string, { others: number; emails: number }>();
    for (const { caller, actor } of callers) {
      const self = actor.kind === "USER" ? actor.userId : null;
      const counts = { others: 0, emails: 0 };
      for (const operation of operations.filter((op) => op.kind === "query")) {
        for (const call of callsFor(operation, victim, victim, caller)) {
          const result = await test.gql(relationDocumentFor(call), call.variables, caller.token);
          const where = describeCall(caller.label, call);
          const wrong = (result.errors ?? []).filter((error) => !["FORBIDDEN", "NOT_FOUND"].includes(String(error.extensions?.code)));
          if (wrong.length) problems.push(`${where}: ${JSON.stringify(wrong)}`);
          objectsIn(result.data, (object) => {
            if (object.__typename === "User" && object.id !== self) {
              counts.others += 1;
              if (typeof object.email === "string") counts.emails += 1;
              for (const [field, rule] of Object.entries(PERSON_FIELDS)) {
                if (object[field] != null && !mayCall(actor, rule, { userId: String(object.id) })) {
                  problems.push(`${where}: ${rule} of ${secrets.get(String(object.id)) ?? object.id} visible: ${field}=${JSON.stringify(object[field])}`);
                }
              }
            }
            if (object.__typename === "Team" && object.members != null && !mayCall(actor, "Team.members")) {
              problems.push(`${where}: Team.members visible: ${JSON.stringify(object.members)}`);
            }
          });
          if (!mayCall(actor, "User.email", { userId: "someone else" })) {
            const text = JSON.stringify(result);
            const seen = emails.filter((email) => text.includes(email) && email !== (actor.kind === "USER" ? actor.email : null));
            if (seen.length) problems.push(`${where}: answered the e-mails of ${seen.map((email) => secrets.get(email)).join(", ")}`);
          }
        }
      }
      reached.set(caller.label, counts);
    }
    expect(problems).toEqual([]);
    // The walk did reach other people through relations (a session's trainer, its participants), and
    // with people:read it sees their e-mails: the checks above would see a leak.
    const byScope = (scope: ApiKeyScope) => reached.get(`A's API key (${scope} only)`)!;
    expect(reached.get(aLearner.label)!.others).toBeGreaterThan(0);
    expect(byScope("sessions:read").others).toBeGreaterThan(0);
    expect(byScope("events:read").others).toBeGreaterThan(0);
    expect(byScope("people:read").emails).toBeGreaterThan(0);
  }, 120_000);

  it("A's data reads the same afterwards: every query as A's admin returns what it returned before the walk", async () => {
    expect(await snapshotOfA()).toEqual(snapshotBefore);
  });

  it("subscriptions: another organization's ADMIN and API key receive none of A's events while A's admin does (§0)", async () => {
    const subscriptions = operations.filter((op) => op.kind === "subscription");
    expect(subscriptions.length).toBeGreaterThan(0);
    // B's barrier changes happen on B's open session (registrations) and on its draft (statuses).
    const barrierPool: IdPool = { ...own, session: [orgB.plannedSessionId] };
    for (const [round, operation] of subscriptions.entries()) {
      // Every variant aimed at A (one per session of A…): some of A's objects change, the others
      // must stay silent too.
      const aimedAtA = callsFor(operation, victim, own);
      const [ownCall] = callsFor(operation, barrierPool, own);
      const controls = aimedAtA.map((call) => collect(test.ws(aAdmin.token), call.document, call.variables));
      const watchers = [bAdmin.token, bKey.token].map((token) => {
        const client = test.ws(token);
        // Same connection: a message about A would arrive before the barrier's message about B.
        return {
          attacks: aimedAtA.map((call) => ({ call, collector: collect(client, call.document, call.variables) })),
          barrier: collect(client, ownCall!.document, ownCall!.variables),
        };
      });
      await sleep(300);
      // Warm-up in B, so every subscription is live before A changes: a status and a registration.
      await gqlOk(CHANGE_STATUS("markSessionAsLead"), { input: { sessionId: orgB.sessionId } }, bAdmin.token);
      const bRegistration = await register(bAdmin.token, orgB.plannedSessionId, orgB.otherUserId, "REGISTERED");
      await waitUntil(`B's subscriptions to ${operation.name} to receive B's first change`, () =>
        watchers.every((watcher) => watcher.barrier.results.length >= 1),
      );
      // A changes (repeatable, once per subscription): statuses, a registration, a team.
      await gqlOk(CHANGE_STATUS("returnSessionToDraft"), { input: { sessionId: victim.session[1] } }, aAdmin.token);
      await gqlOk(CHANGE_STATUS("markSessionAsLead"), { input: { sessionId: victim.session[1] } }, aAdmin.token);
      const aRegistration = await register(aAdmin.token, victim.session[4]!, learnerA.userId, "WAITLISTED");
      await gqlOk(CANCEL_REGISTRATION, { input: { registrationId: aRegistration, comment: `Gone ${TAG}` } }, aAdmin.token);
      await gqlOk(
        `mutation ($input: RenameTeamInput!) { renameTeam(input: $input) { id } }`,
        { input: { teamId: victim.team[0], name: `Renamed ${round} ${TAG}` } },
        aAdmin.token,
      );
      await waitUntil(`A's admin to receive A's change through ${operation.name} (the control; extend the trigger for a new subscription)`, () =>
        controls.some((control) => control.results.length >= 1),
      );
      const controlResults = controls.flatMap((control) => control.results);
      expect(leaks(JSON.stringify(controlResults)).length, "the control subscription carries A's data").toBeGreaterThan(0);
      // Then B changes: once B's watchers have it, anything about A would already have arrived.
      await gqlOk(CHANGE_STATUS("returnSessionToDraft"), { input: { sessionId: orgB.sessionId } }, bAdmin.token);
      await gqlOk(CANCEL_REGISTRATION, { input: { registrationId: bRegistration } }, bAdmin.token);
      await waitUntil(`B's subscriptions to ${operation.name} to receive B's second change`, () =>
        watchers.every((watcher) => watcher.barrier.results.length >= 2),
      );
      for (const [index, watcher] of watchers.entries()) {
        const who = index === 0 ? "B's ADMIN" : "B's API key";
        for (const { call, collector } of watcher.attacks) {
          const received = JSON.stringify({ results: collector.results, errors: collector.errors });
          expect(leaks(received, JSON.stringify(call.variables)), `${who} received A's data through ${operation.name} [${call.label}]`).toEqual([]);
          const codes = [...collector.results.flatMap((result) => result.errors ?? [])].map((error) => String(error.extensions?.code));
          expect(codes.filter((code) => !["NOT_FOUND", "FORBIDDEN"].includes(code)), `${who} [${call.label}]: ${received}`).toEqual([]);
        }
      }
      for (const collector of [...controls, ...watchers.flatMap((watcher) => [watcher.barrier, ...watcher.attacks.map((attack) => attack.collector)])]) {
        collector.unsubscribe();
      }
    }
  });

  it("signUp into A's organization is by design open (§0): it creates only a new LEARNER of A and returns nothing else of A", async () => {
    const head = await test.app.store.headPosition();
    const payload = (
      await gqlOk(
        documentFor(operations.find((op) => op.name === "signUp")!, { input: {} }),
        { input: { organizationId: orgA.id, email: `newcomer-${randomUUID()}@walker.test`, displayName: "Newcomer", password: B_PASSWORD } },
      )
    ).signUp;
    expect(payload.user.roles).toEqual(["LEARNER"]);
    expect(payload.organization.id).toBe(orgA.id);
    expect(victim.user).not.toContain(payload.user.id);
    // The organization it joined is named (and a member may read its name); nothing else of A.
    const allowed = `${orgA.id} Victim ${TAG} Academy`;
    expect(leaks(JSON.stringify(payload), allowed)).toEqual([]);
    const appended = await eventsSince(head);
    expect(appended.length).toBeGreaterThan(0);
    for (const event of appended) {
      expect(leaks(JSON.stringify({ stream: event.streamName, data: event.data, metadata: event.metadata }), allowed), event.type).toEqual([]);
    }
  });

  it("signUpAndRegister (S8 public link) from another organization to A's public session is NOT_FOUND and creates no account in either (§0)", async () => {
    const signUpAndRegister = documentFor(operations.find((op) => op.name === "signUpAndRegister")!, { input: {} });
    const email = `link-${randomUUID()}@walker.test`;
    // A's PLANNED PUBLIC session: the link works for it, but only in A (the control below).
    const input = { organizationId: orgB.id, sessionId: victim.session[2], email, password: B_PASSWORD, displayName: "Link newcomer" };
    const head = await test.app.store.headPosition();
    const mailsBefore = test.outbox.length;
    const result = await test.gql(signUpAndRegister, { input });
    expect(refused(result).code).toBe("NOT_FOUND");
    expect(leaks(JSON.stringify(result), JSON.stringify(input))).toEqual([]);
    expect(await eventsSince(head)).toEqual([]);
    expect(test.outbox.length).toBe(mailsBefore);
    for (const organizationId of [orgA.id, orgB.id]) {
      const attempt = await test.gql(`mutation ($input: SignInInput!) { signIn(input: $input) { token } }`, {
        input: { email, password: B_PASSWORD, organizationId },
      });
      expect(refused(attempt).code, `an account was created in ${organizationId === orgA.id ? "A" : "B"}`).toBe("UNAUTHENTICATED");
    }
    // Control: with A as the organization, the same link makes a LEARNER of A holding a seat, and
    // answers nothing of A but the organization and the public session it names.
    const payload = ok(await test.gql(signUpAndRegister, { input: { ...input, organizationId: orgA.id } })).signUpAndRegister;
    expect(payload.user.roles).toEqual(["LEARNER"]);
    expect(payload.registration).toMatchObject({ sessionId: victim.session[2], userId: payload.user.id, status: "REGISTERED" });
    // The answer is read as the newcomer, now a learner of A: the session as any learner of A sees it.
    const asLearner = ok(
      await test.gql(`query ($id: ID!) { session(id: $id) { createdBy trainer { id displayName } host { id displayName } } }`, {
        id: victim.session[2],
      }, payload.token),
    ).session;
    const allowed = `${orgA.id} Victim ${TAG} Academy ${victim.session[2]} Victim planned public ${TAG} ${JSON.stringify(asLearner)}`;
    expect(leaks(JSON.stringify(payload), allowed)).toEqual([]);
  });

  it("S6: A's genuine attendance link is refused to another organization: INVALID_ATTENDANCE_LINK on its own open session, as for its own link of another session, NOT_FOUND on A's session; nobody is marked (§0)", async () => {
    const CONFIRM = `mutation ($input: ConfirmAttendanceInput!) { confirmAttendance(input: $input) { id userId attended attendanceMethod } }`;
    const admin = bAdmin.token;
    // B's admin holds a seat on a session of B starting in a few minutes; the clock then moves
    // into its attendance window (the link opens 15 minutes after the start).
    const live = await createReadySession(test, admin, {
      name: "Other live",
      min: 10,
      max: 20,
      startsAt: test.clock.iso(2 * MINUTE),
      endsAt: test.clock.iso(2 * HOUR),
    });
    await gqlOk(CHANGE_STATUS("planSession"), { input: { sessionId: live } }, admin);
    await register(admin, live, undefined, "REGISTERED");
    test.clock.advance(20 * MINUTE);
    const ownToken = (await gqlOk(`query ($id: ID!) { session(id: $id) { attendanceLink { token } } }`, { id: live }, admin)).session
      .attendanceLink.token as string;

    const head = await test.app.store.headPosition();
    const withOwnSession = { sessionId: live, token: attendance.token };
    const mismatch = refused(await test.gql(CONFIRM, { input: withOwnSession }, admin));
    expect(mismatch.code).toBe("INVALID_ATTENDANCE_LINK");
    expect(leaks(JSON.stringify(mismatch), JSON.stringify(withOwnSession))).toEqual([]);
    // The same answer as B's own link used for another session of B: it depends on nothing of A.
    const ownMismatch = refused(await test.gql(CONFIRM, { input: { sessionId: orgB.plannedSessionId, token: ownToken } }, admin));
    expect({ code: mismatch.code, message: mismatch.message }).toEqual({ code: ownMismatch.code, message: ownMismatch.message });
    const withItsSession = { sessionId: attendance.sessionId, token: attendance.token };
    const aimed = refused(await test.gql(CONFIRM, { input: withItsSession }, admin));
    expect(aimed.code).toBe("NOT_FOUND");
    expect(leaks(JSON.stringify(aimed), JSON.stringify(withItsSession))).toEqual([]);
    expect(await eventsSince(head)).toEqual([]);

    // Control: B's own link on that session marks B's admin (the refusals above were not the window).
    const marked = (await gqlOk(CONFIRM, { input: { sessionId: live, token: ownToken } }, admin)).confirmAttendance;
    expect(marked).toMatchObject({ attended: true, attendanceMethod: "LINK" });
  });

  it("control: with A's own admin, every mutation's generated arguments get past the tenant and role checks at least once", async () => {
    const problems: string[] = [];
    // Deletions last: a deleted webhook would refuse the calls after it.
    const lastIfDeletion = (name: string) => Number(name.startsWith("delete"));
    const mutations = operations
      .filter((op) => op.kind === "mutation" && !permissionOf(op.name)?.public)
      .sort((a, b) => lastIfDeletion(a.name) - lastIfDeletion(b.name));
    for (const operation of mutations) {
      const outcomes: string[] = [];
      for (const call of callsFor(operation, victim, victim)) {
        const result = await callAs(aAdmin, call);
        outcomes.push(result.errors?.length ? String(result.errors[0]!.extensions?.code) : "OK");
        if (!result.errors?.length) await keepSignedIn(aAdmin);
      }
      if (outcomes.every((code) => ["NOT_FOUND", "FORBIDDEN", "UNAUTHENTICATED"].includes(code))) {
        problems.push(`${operation.name}: every variant refused as A's admin (${outcomes.join(", ")})`);
      }
    }
    expect(problems).toEqual([]);
  }, 60_000);
});
