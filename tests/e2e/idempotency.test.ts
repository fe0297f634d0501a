/**
 * Idempotency keys: a mutation retried with the same key and input is answered as the first time
 * and records nothing more; the same key with another input is IDEMPOTENCY_KEY_REUSED and changes
 * nothing (never the first result silently); another operation has keys of its own.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createReadySession } from "../support/session-setup.js";
import { addMember, createOrganization, type Member, ok, refused, startTestServer, type TestServer } from "../support/test-server.js";

const CREATE = `mutation ($input: CreateSessionInput!) { createSession(input: $input) { id name revision } }`;
const EDIT = `mutation ($input: EditSessionDetailsInput!) { editSessionDetails(input: $input) { id name revision } }`;
const PLAN = `mutation ($input: ChangeSessionStatusInput!) { planSession(input: $input) { id status } }`;
const REGISTER = `mutation ($input: RegisterForSessionInput!) { registerForSession(input: $input) { id status sessionId } }`;

let test: TestServer;
let admin: Awaited<ReturnType<typeof createOrganization>>;
let learner: Member;

beforeAll(async () => {
  test = await startTestServer();
  admin = await createOrganization(test);
  learner = await addMember(test, admin.token, ["LEARNER"]);
});
afterAll(() => test.stop());

const head = () => test.app.store.headPosition();

describe("idempotency keys", () => {
  it("createSession: the same key and input give the same session once; the same key with another name is refused", async () => {
    const first = ok(await test.gql(CREATE, { input: { name: "Kotlin day", idempotencyKey: "create-kotlin" } }, admin.token)).createSession;
    const after = await head();
    const again = ok(await test.gql(CREATE, { input: { name: "Kotlin day", idempotencyKey: "create-kotlin" } }, admin.token)).createSession;
    expect(again).toEqual(first);
    expect(await head()).toBe(after);

    const error = refused(await test.gql(CREATE, { input: { name: "Scala day", idempotencyKey: "create-kotlin" } }, admin.token));
    expect(error.code).toBe("IDEMPOTENCY_KEY_REUSED");
    expect(error.message).toMatch(/different input/);
    expect(await head()).toBe(after);
    const session = ok(await test.gql(`query ($id: ID!) { session(id: $id) { name } }`, { id: first.id }, admin.token)).session;
    expect(session.name).toBe("Kotlin day");
  });

  it("editSessionDetails: a retry answers the same revision; another input under the key changes nothing", async () => {
    const sessionId = await createReadySession(test, admin.token);
    const first = ok(await test.gql(EDIT, { input: { sessionId, name: "Renamed once", idempotencyKey: "rename-1" } }, admin.token)).editSessionDetails;
    const after = await head();
    expect(ok(await test.gql(EDIT, { input: { sessionId, name: "Renamed once", idempotencyKey: "rename-1" } }, admin.token)).editSessionDetails).toEqual(first);
    expect(await head()).toBe(after);
    expect(refused(await test.gql(EDIT, { input: { sessionId, name: "Renamed twice", idempotencyKey: "rename-1" } }, admin.token)).code).toBe(
      "IDEMPOTENCY_KEY_REUSED",
    );
    expect(await head()).toBe(after);
    // A new key is a new request.
    expect(ok(await test.gql(EDIT, { input: { sessionId, name: "Renamed twice", idempotencyKey: "rename-2" } }, admin.token)).editSessionDetails.name).toBe(
      "Renamed twice",
    );
  });

  it("the key belongs to the caller and the operation: another operation, or another person, uses the same words freely", async () => {
    const sessionId = await createReadySession(test, admin.token);
    ok(await test.gql(EDIT, { input: { sessionId, summary: "Same words", idempotencyKey: "shared-key" } }, admin.token));
    expect(ok(await test.gql(PLAN, { input: { sessionId, idempotencyKey: "shared-key" } }, admin.token)).planSession.status).toBe("PLANNED");
    expect(ok(await test.gql(REGISTER, { input: { sessionId, idempotencyKey: "shared-key" } }, learner.token)).registerForSession.status).toBe(
      "REGISTERED",
    );
  });

  it("registerForSession: a retried registration is the same one; the key sent for another session is refused", async () => {
    const [one, two] = await Promise.all([createReadySession(test, admin.token), createReadySession(test, admin.token)]);
    for (const sessionId of [one, two]) ok(await test.gql(PLAN, { input: { sessionId } }, admin.token));
    const first = ok(await test.gql(REGISTER, { input: { sessionId: one, idempotencyKey: "join-1" } }, learner.token)).registerForSession;
    expect(ok(await test.gql(REGISTER, { input: { sessionId: one, idempotencyKey: "join-1" } }, learner.token)).registerForSession).toEqual(first);
    const after = await head();
    expect(refused(await test.gql(REGISTER, { input: { sessionId: two, idempotencyKey: "join-1" } }, learner.token)).code).toBe("IDEMPOTENCY_KEY_REUSED");
    expect(await head()).toBe(after);
  });

  it("concurrent requests with one key: the same input is recorded once; of different inputs exactly one wins", async () => {
    const sessionId = await createReadySession(test, admin.token);
    const same = await Promise.all(
      Array.from({ length: 8 }, () => test.gql(EDIT, { input: { sessionId, summary: "Once", idempotencyKey: "race-same" } }, admin.token)),
    );
    expect(same.every((result) => !result.errors)).toBe(true);
    expect(new Set(same.map((result) => result.data!.editSessionDetails.revision)).size).toBe(1);

    const different = await Promise.all(
      Array.from({ length: 8 }, (_, i) => test.gql(EDIT, { input: { sessionId, summary: `Version ${i}`, idempotencyKey: "race-different" } }, admin.token)),
    );
    const winners = different.filter((result) => !result.errors);
    expect(winners).toHaveLength(1);
    expect(different.filter((result) => result.errors?.[0]?.extensions?.code === "IDEMPOTENCY_KEY_REUSED")).toHaveLength(7);
    const events = await test.app.store.readStream(`session-${sessionId}`);
    expect(events.filter((event) => event.type === "SessionDetailsEdited" && String((event.data as any).changes.summary).startsWith("Version"))).toHaveLength(1);
  });
});
