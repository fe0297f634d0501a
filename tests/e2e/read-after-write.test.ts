/**
 * One read-after-write policy for every mutation: the answer waits for the read models to show
 * the write (READ_YOUR_WRITES_TIMEOUT_MS); if they do not in time, it is built from the state the
 * command decided on. A write that was recorded is never answered as a failure.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createReadySession } from "../support/session-setup.js";
import { addMember, createOrganization, type Member, ok, refused, startTestServer, type TestServer } from "../support/test-server.js";

const PLAN = `mutation ($input: ChangeSessionStatusInput!) { planSession(input: $input) { id status } }`;
const REGISTER = `mutation ($input: RegisterForSessionInput!) { registerForSession(input: $input) {
  id sessionId status registeredBy requestedAt registeredAt waitlistPosition canceledAt cancellationReason } }`;
const CANCEL = `mutation ($input: CancelRegistrationInput!) { cancelRegistration(input: $input) { id status canceledAt cancellationReason cancellationComment } }`;
const RENAME = `mutation ($input: EditSessionDetailsInput!) { editSessionDetails(input: $input) { id name revision } }`;

let test: TestServer;
let admin: Awaited<ReturnType<typeof createOrganization>>;
let first: Member;
let second: Member;
let sessionId: string;
let seat: { id: string; requestedAt: string; registeredAt: string };

beforeAll(async () => {
  test = await startTestServer({ READ_YOUR_WRITES_TIMEOUT_MS: "100" });
  admin = await createOrganization(test);
  [first, second] = await Promise.all([addMember(test, admin.token, ["LEARNER"]), addMember(test, admin.token, ["LEARNER"])]);
  sessionId = await createReadySession(test, admin.token, { min: 1, max: 1 });
  ok(await test.gql(PLAN, { input: { sessionId } }, admin.token));
  seat = ok(await test.gql(REGISTER, { input: { sessionId } }, first.token)).registerForSession;
  // From now on the read models stand still, as if the projector had fallen far behind.
  await test.app.projector.stop();
});
afterAll(() => test.stop());

describe("when the read models lag behind a recorded write", () => {
  it("registerForSession answers the place in line, and cancelRegistration the cancellation, from the decided state", async () => {
    expect(seat).toMatchObject({ status: "REGISTERED", waitlistPosition: null, canceledAt: null });
    expect(seat.registeredAt).toBe(seat.requestedAt);
    const waiting = ok(await test.gql(REGISTER, { input: { sessionId } }, second.token)).registerForSession;
    expect(waiting).toMatchObject({ status: "WAITLISTED", waitlistPosition: 1, registeredAt: null });
    // The retried request is the same registration.
    expect(ok(await test.gql(REGISTER, { input: { sessionId } }, second.token)).registerForSession).toEqual(waiting);

    // The read model still shows the seat as REGISTERED: the answer does not come from it.

    const canceled = ok(await test.gql(CANCEL, { input: { registrationId: seat.id, comment: "Cannot come" } }, first.token));
    expect(canceled.cancelRegistration).toMatchObject({ id: seat.id, status: "CANCELED", cancellationReason: "BY_PARTICIPANT", cancellationComment: "Cannot come" });
    const events = await test.app.store.readStream(`session-${sessionId}`);
    expect(events.slice(-2).map((event) => event.type)).toEqual(["RegistrationCanceled", "ParticipantPromotedFromWaitlist"]);
  });

  it("a team mutation answers the team it decided, its members paginated as the read model would", async () => {
    const CREATE_TEAM = `mutation ($input: CreateTeamInput!) { createTeam(input: $input) {
      id memberCount members(first: 1) { totalCount pageInfo { hasNextPage endCursor } nodes { id } } } }`;
    const team = ok(await test.gql(CREATE_TEAM, { input: { name: "Formed while lagging", memberIds: [first.userId, second.userId] } }, admin.token))
      .createTeam;
    // users is ordered by name too.
    const members = ok(await test.gql(`{ users(first: 100) { nodes { id } } }`, {}, admin.token)).users.nodes.map((user: { id: string }) => user.id);
    const firstByName = members.find((id: string) => id === first.userId || id === second.userId);
    expect(team).toMatchObject({ memberCount: 2, members: { totalCount: 2, pageInfo: { hasNextPage: true }, nodes: [{ id: firstByName }] } });
    // The read model does not know the team yet.
    expect(refused(await test.gql(`query ($id: ID!) { team(id: $id) { id } }`, { id: team.id }, admin.token)).code).toBe("NOT_FOUND");
  });

  it("a session mutation answers the session it decided", async () => {
    const renamed = ok(await test.gql(RENAME, { input: { sessionId, name: "Renamed while lagging" } }, admin.token)).editSessionDetails;
    expect(renamed).toMatchObject({ id: sessionId, name: "Renamed while lagging" });
  });
});
