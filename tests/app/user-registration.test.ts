/**
 * UserRegistration with the memory event store and real command handlers (§0: e-mail addresses
 * are unique per organization, compared case-insensitively — whatever the concurrency):
 * concurrent registrations of one address let exactly one user through; a registration that
 * fails releases its claim; a claim left behind by a registration that never happened (a crash
 * in between) is not taken over by a later request, however old: releasing it is the
 * email-claim-release workflow's job (tests/app/workflow-runner.test.ts); a claim of a user who
 * exists is never released.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { MemoryEventStore } from "../../src/adapters/event-store/memory-event-store.js";
import { CommandHandler } from "../../src/domain/shared/command-handler.js";
import type { CommandContext } from "../../src/domain/shared/decider.js";
import { DomainError } from "../../src/domain/shared/errors.js";
import { type RegisterUser, userDecider } from "../../src/domain/users/decider.js";
import { emailClaimDecider, emailClaimStreamName } from "../../src/domain/users/email-claim.js";
import { UserRegistration } from "../../src/domain/users/user-registration.js";
import { userStreamName } from "../../src/domain/users/events.js";

const ORG = "org-1";
const NOW = new Date("2026-11-21T10:00:00.000Z");
let commandCounter = 0;

function setUp(store = new MemoryEventStore()) {
  const registration = new UserRegistration(new CommandHandler(store, emailClaimDecider), new CommandHandler(store, userDecider));
  return { store, registration };
}

function ctx(overrides: Partial<CommandContext> = {}): CommandContext {
  commandCounter += 1;
  return {
    commandId: `cmd-${commandCounter}-${Math.random().toString(36).slice(2)}`,
    organizationId: ORG,
    actorId: "admin-1",
    now: NOW,
    correlationId: "corr-1",
    ...overrides,
  };
}

function register(userId: string, email: string, overrides: Partial<RegisterUser> = {}): RegisterUser {
  return {
    type: "RegisterUser",
    userId,
    context: ctx(),
    email,
    displayName: "Ada",
    roles: ["LEARNER"],
    country: null,
    isMember: false,
    passwordHash: null,
    source: "ADDED_BY_STAFF",
    ...overrides,
  };
}

async function refusal(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error("expected the registration to be refused");
}

/** Writes a claim straight into the store, as a registration that crashed after claiming would have. */
async function appendOrphanClaim(store: MemoryEventStore, userId: string, email: string, claimedAt: Date) {
  await store.appendToStream(
    emailClaimStreamName(ORG, email),
    [
      {
        id: randomUUID(),
        type: "EmailClaimed",
        data: { organizationId: ORG, email: email.toLowerCase(), userId, claimedAt: claimedAt.toISOString() },
        metadata: { tenantId: ORG, actorId: "admin-1", occurredAt: claimedAt.toISOString() },
      },
    ],
    { expectedRevision: "no_stream" },
  );
}

const claimHistory = async (store: MemoryEventStore, email: string) =>
  (await store.readStream(emailClaimStreamName(ORG, email))).map((e) => [e.type, e.data.userId]);

// =============================================================================================
describe("§0 one e-mail, one user per organization, under concurrency", () => {
  it("20 concurrent registrations of one address (mixed case): exactly one succeeds, the others ALREADY_EXISTS", async () => {
    const { store, registration } = setUp();
    const spellings = ["ada@example.com", "ADA@EXAMPLE.COM", "Ada@Example.com", " ada@Example.COM "];
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => registration.register(register(`user-${i}`, spellings[i % spellings.length]!))),
    );

    const winners = results.flatMap((r, i) => (r.status === "fulfilled" ? [i] : []));
    expect(winners).toHaveLength(1);
    for (const result of results) {
      if (result.status === "rejected") {
        expect(result.reason).toBeInstanceOf(DomainError);
        expect((result.reason as DomainError).code).toBe("ALREADY_EXISTS");
        expect((result.reason as DomainError).details).toEqual({ field: "email" });
      }
    }
    const winner = `user-${winners[0]}`;
    for (let i = 0; i < 20; i++) {
      const events = await store.readStream(userStreamName(`user-${i}`));
      expect(events.map((e) => e.type), `user-${i}`).toEqual(`user-${i}` === winner ? ["UserRegistered"] : []);
    }
    expect(await claimHistory(store, "ada@example.com")).toEqual([["EmailClaimed", winner]]);
  });

  it("also across two processes (two sets of handlers on one store)", async () => {
    const store = new MemoryEventStore();
    const processes = [setUp(store).registration, setUp(store).registration];
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => processes[i % 2]!.register(register(`user-${i}`, i % 3 ? "Eve@Example.com" : "eve@example.COM"))),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    for (const result of results) {
      if (result.status === "rejected") expect((result.reason as DomainError).code).toBe("ALREADY_EXISTS");
    }
    const registered = (await store.readAll({ filter: { eventTypes: ["UserRegistered"] } })).length;
    expect(registered).toBe(1);
  });

  it("the same address in another organization is another claim", async () => {
    const { registration } = setUp();
    await registration.register(register("user-a", "ada@example.com"));
    await expect(registration.register(register("user-b", "ada@example.com", { context: ctx({ organizationId: "org-2" }) }))).resolves.toBeDefined();
  });

  it("registering the same user again (a retried request) succeeds without recording anything", async () => {
    const { store, registration } = setUp();
    await registration.register(register("user-a", "ada@example.com"));
    const head = await store.headPosition();
    const again = await registration.register(register("user-a", "ADA@example.com"));
    expect(again.events).toEqual([]);
    expect(await store.headPosition()).toBe(head);
  });
});

// =============================================================================================
describe("a registration that fails releases its claim", () => {
  it("a validation error leaves the address free for the next registration", async () => {
    const { store, registration } = setUp();
    const error = await refusal(registration.register(register("user-bad", "Ada@Example.com", { displayName: "   " })));
    expect(error.code).toBe("VALIDATION");
    expect(await store.readStream(userStreamName("user-bad"))).toEqual([]);
    expect(await claimHistory(store, "ada@example.com")).toEqual([
      ["EmailClaimed", "user-bad"],
      ["EmailClaimReleased", "user-bad"],
    ]);

    await registration.register(register("user-good", "ada@example.com"));
    expect((await store.readStream(userStreamName("user-good"))).map((e) => e.type)).toEqual(["UserRegistered"]);
  });

  it("re-registering an existing user under another e-mail does not keep that e-mail claimed for nobody", async () => {
    // E.g. an external identity whose e-mail changed, registered again under its deterministic user id.
    const { store, registration } = setUp();
    await registration.register(register("user-a", "ada@example.com"));
    await registration.register(register("user-a", "bob@example.com")).catch(() => undefined);
    // Whatever the outcome for user-a, bob@ belongs to no user, so someone else may take it.
    await registration.register(register("user-b", "bob@example.com"));
    expect((await store.readStream(userStreamName("user-b"))).map((e) => e.type)).toEqual(["UserRegistered"]);
  });

  it("so does a user id taken in another organization", async () => {
    const { store, registration } = setUp();
    await registration.register(register("user-a", "ada@example.com", { context: ctx({ organizationId: "org-2" }) }));
    expect((await refusal(registration.register(register("user-a", "bob@example.com")))).code).toBe("ALREADY_EXISTS");
    expect((await claimHistory(store, "bob@example.com")).at(-1)).toEqual(["EmailClaimReleased", "user-a"]);
    await registration.register(register("user-b", "bob@example.com"));
  });
});

// =============================================================================================
describe("a claim left by a registration that never happened (a crash in between)", () => {
  it("is not taken over by the next registration, however old: the address stays taken", async () => {
    const { store, registration } = setUp();
    await appendOrphanClaim(store, "ghost", "ada@example.com", new Date(NOW.getTime() - 86_400_000));

    const error = await refusal(registration.register(register("user-new", "ADA@example.com")));
    expect(error.code).toBe("ALREADY_EXISTS");
    expect(error.details).toEqual({ field: "email" });
    expect(await claimHistory(store, "ada@example.com")).toEqual([["EmailClaimed", "ghost"]]);
    expect(await store.readStream(userStreamName("user-new"))).toEqual([]);
  });

  it("a claim whose user exists is never released, however old", async () => {
    const { store, registration } = setUp();
    await registration.register(register("user-a", "ada@example.com", { context: ctx({ now: new Date(NOW.getTime() - 86_400_000) }) }));

    const error = await refusal(registration.register(register("user-b", "ada@example.com")));
    expect(error.code).toBe("ALREADY_EXISTS");
    expect(await claimHistory(store, "ada@example.com")).toEqual([["EmailClaimed", "user-a"]]);
  });
});
