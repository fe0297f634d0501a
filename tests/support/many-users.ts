/**
 * Hundreds of signed-in learners for load tests, fast.
 *
 * Each user is created through the real API (`createUser`, as the organization's admin) WITHOUT a
 * password, so no scrypt hash is computed. They then get a real sign-in and access token exactly
 * as the server gives them after a successful password check (`SignInUseCases.start`
 * in src/domain/sign-ins/use-cases.ts): a `StartSignIn` command on the sign-in's own stream, then `tokens.issue`.
 * This bypasses ONLY the password hashing and checking; the tokens are genuine, carry a recorded
 * sign-in, and go through the normal authentication of every request.
 */
import { randomUUID } from "node:crypto";
import { signInStreamName } from "../../src/domain/sign-ins/events.js";
import { ok, type TestServer } from "./test-server.js";

export interface LoadUser {
  userId: string;
  email: string;
  token: string;
}

let batch = 0;

/** Runs `work` over `items`, at most `concurrency` at a time, keeping the order of results. */
export async function inBatches<T, R>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

/** Creates `count` LEARNERs through the API (no password) and signs each one in (see the header). */
export async function createSignedInLearners(
  test: TestServer,
  admin: { token: string; organizationId: string },
  count: number,
  options: { concurrency?: number } = {},
): Promise<LoadUser[]> {
  batch += 1;
  const prefix = `load${batch}-${Date.now()}`;
  const created = await inBatches(
    Array.from({ length: count }, (_, i) => i),
    options.concurrency ?? 25,
    async (i) => {
      const email = `${prefix}-${i}@learners.test`;
      const data = ok(
        await test.gql<{ createUser: { id: string; email: string } }>(
          `mutation ($input: CreateUserInput!) { createUser(input: $input) { id email } }`,
          { input: { email, displayName: `Learner ${i}`, roles: ["LEARNER"] } },
          admin.token,
        ),
      );
      return { userId: data.createUser.id, email: data.createUser.email };
    },
  );

  // What startSignIn does once the password matched: record the sign-in, then issue the token.
  const now = test.clock.now();
  const expiresAt = new Date(now.getTime() + test.app.config.refreshTokenTtlSeconds * 1000);
  let last: bigint | null = null;
  const users: LoadUser[] = [];
  for (const user of created) {
    const signInId = randomUUID();
    const result = await test.app.signIns.handle(signInStreamName(signInId), {
      type: "StartSignIn",
      signInId,
      userId: user.userId,
      method: "PASSWORD",
      expiresAt,
      context: { commandId: randomUUID(), organizationId: admin.organizationId, actorId: user.userId, now, correlationId: randomUUID() },
    });
    if (result.position !== null && (last === null || result.position > last)) last = result.position;
    const { token } = await test.app.tokens.issue({ userId: user.userId, organizationId: admin.organizationId, signInId }, now);
    users.push({ ...user, token });
  }
  if (!(await test.app.caughtUp(last))) throw new Error("The read models did not catch up with the sign-ins");
  return users;
}
