import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOrganization, ok, startTestServer, type TestServer } from "../support/test-server.js";

describe("mutations when the read models lag", () => {
  let test: TestServer;
  let admin: Awaited<ReturnType<typeof createOrganization>>;

  beforeAll(async () => {
    test = await startTestServer({ READ_YOUR_WRITES_TIMEOUT_MS: "100" });
    admin = await createOrganization(test);
  });
  afterAll(() => test.stop());

  it("answer with the state the command produced, with its real revision, after the bounded wait", async () => {
    const created = ok(
      await test.gql(`mutation { createSession(input: { name: "Lagging" }) { id revision } }`, {}, admin.token),
    ).createSession;
    await test.app.projector.stop();
    const edited = ok(
      await test.gql(
        `mutation ($id: ID!) { editSessionDetails(input: { sessionId: $id, summary: "written" }) { id summary revision } }`,
        { id: created.id },
        admin.token,
      ),
    ).editSessionDetails;
    expect(edited).toEqual({ id: created.id, summary: "written", revision: 1 });
    // The read model has not seen it: the stopped projector proves the answer came from the command.
    const read = ok(await test.gql(`query ($id: ID!) { session(id: $id) { summary revision } }`, { id: created.id }, admin.token));
    expect(read.session).toEqual({ summary: null, revision: 0 });
  });
});
