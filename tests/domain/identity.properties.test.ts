/**
 * Property tests of the identity deciders (§0 people, settings, sign-ins), over random command sequences:
 *  1. users: whatever valid or invalid commands arrive, a user always holds at least one role
 *     (no duplicates), is in one of the three statuses, decide throws only DomainErrors, and an
 *     idempotent command applied twice records nothing the second time;
 *  2. organization settings: applying any valid patch twice records nothing the second time,
 *     and the first time records only fields that differed;
 *  3. sign-in: for any interleaving of refreshes presenting any generation, at most one
 *     SignInRefreshed per generation (generations go 1, 2, 3…), a refresh succeeds only with
 *     the current generation, and once REFRESH_TOKEN_REUSED the sign-in stays Ended.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type SignInCommand, type SignInState, signInDecider } from "../../src/domain/sign-ins/decider.js";
import type { SignInEvent } from "../../src/domain/sign-ins/events.js";
import { type OrganizationState, organizationDecider } from "../../src/domain/organizations/decider.js";
import type { OrganizationEvent } from "../../src/domain/organizations/events.js";
import { PAYMENT_METHODS } from "../../src/domain/organizations/settings.js";
import { DomainError } from "../../src/domain/shared/errors.js";
import { type UserCommand, type UserState, userDecider, userStatus } from "../../src/domain/users/decider.js";
import { ROLES, USER_STATUSES } from "../../src/domain/users/user.js";
import { fold } from "../support/given-when-then.js";
import { ORG_ID, context } from "./session-fixtures.js";

const USER_ID = "user-p";
const ADMIN_ID = "admin-p";
const T0 = Date.parse("2026-11-21T10:00:00.000Z");

/** Applies one command: its events are evolved in; a DomainError leaves the state as it was. */
function step<C, E, S>(decider: { decide: (c: C, s: S) => E[]; evolve: (s: S, e: E) => S }, state: S, command: C) {
  try {
    const events = decider.decide(command, state);
    return { state: events.reduce(decider.evolve, state), events, error: null as DomainError | null };
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return { state, events: [] as E[], error };
  }
}

// =============================================================================================
// 1. Users
// =============================================================================================
type UserStep = { command: Omit<UserCommand, "context" | "userId">; actor: "self" | "admin"; minutes: number };

const rolesArb = fc.array(fc.constantFrom<string>(...ROLES, "KING"), { maxLength: 4 });
const invitationArb = fc.constantFrom("inv-1", "inv-2");

const userStepArb: fc.Arbitrary<UserStep> = fc.record({
  actor: fc.constantFrom("self" as const, "admin" as const),
  // Mostly minutes apart, sometimes days (so that some invitations expire).
  minutes: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 120 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 60 * 24 * 10 }) }),
  command: fc.oneof(
    fc.record({
      type: fc.constant("RegisterUser" as const),
      email: fc.constantFrom("ada@example.com", "ADA@example.com", "bad"),
      displayName: fc.constantFrom("Ada", " ", "Ada Lovelace"),
      roles: rolesArb,
      country: fc.constantFrom("BE", null, "XX"),
      isMember: fc.boolean(),
      passwordHash: fc.constantFrom("h", null),
      source: fc.constant("ADDED_BY_STAFF" as const),
    }),
    // Invitations are weighted up so that many runs invite, accept, re-invite and accept again.
    {
      weight: 3,
      arbitrary: fc.record({
        type: fc.constant("InviteUser" as const),
        invitationId: invitationArb,
        expiresInMinutes: fc.integer({ min: 1, max: 60 * 24 * 7 }),
      }),
    },
    { weight: 3, arbitrary: fc.record({ type: fc.constant("AcceptInvitation" as const), invitationId: invitationArb, passwordHash: fc.constant("chosen") }) },
    fc.record({ type: fc.constant("ChangePassword" as const), passwordHash: fc.constant("new") }),
    fc.record({
      type: fc.constant("UpdateUser" as const),
      changes: fc.record(
        { displayName: fc.constantFrom("Ada", "Ada King", ""), country: fc.constantFrom("BE", "FR", null, "XX"), isMember: fc.boolean() },
        { requiredKeys: [] },
      ),
    }),
    fc.record({ type: fc.constant("ChangeUserRoles" as const), roles: rolesArb }),
    fc.record({ type: fc.constant("DeactivateUser" as const), reason: fc.constantFrom(null, "left") }),
    fc.record({ type: fc.constant("ReactivateUser" as const) }),
  ) as fc.Arbitrary<UserStep["command"]>,
});

function toUserCommand(s: UserStep, at: number): UserCommand {
  const ctx = context({ actorId: s.actor === "self" ? USER_ID : ADMIN_ID, now: new Date(at) });
  const raw = s.command as Record<string, unknown>;
  if (raw.type === "InviteUser") {
    return { type: "InviteUser", userId: USER_ID, context: ctx, invitationId: raw.invitationId as string, expiresAt: new Date(at + (raw.expiresInMinutes as number) * 60_000) };
  }
  return { ...(raw as object), userId: USER_ID, context: ctx } as UserCommand;
}

/** Most runs start with a valid registration, with or without a password, so that later steps act on a user. */
const scenarioArb = fc.tuple(
  fc.option(
    fc.record({
      actor: fc.constant("admin" as const),
      minutes: fc.constant(0),
      command: fc.record({
        type: fc.constant("RegisterUser" as const),
        email: fc.constant("Ada@Example.com"),
        displayName: fc.constant("Ada"),
        roles: fc.uniqueArray(fc.constantFrom(...ROLES), { minLength: 1, maxLength: 3 }),
        country: fc.constant(null),
        isMember: fc.boolean(),
        passwordHash: fc.constantFrom("h", null),
        source: fc.constant("ADDED_BY_STAFF" as const),
      }),
    }) as fc.Arbitrary<UserStep>,
    { freq: 5 },
  ),
  fc.array(userStepArb, { maxLength: 40, size: "medium" }),
).map(([first, rest]) => (first ? [first, ...rest] : rest));

/** Commands that are already applied when re-sent right after succeeding. */
const IDEMPOTENT = new Set(["RegisterUser", "InviteUser", "UpdateUser", "ChangeUserRoles", "DeactivateUser", "ReactivateUser"]);

describe("property: users", () => {
  it("a user always holds at least one role, without duplicates, and is ACTIVE, INVITED or DEACTIVATED", () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(scenarioArb, (steps) => {
        let state: UserState = userDecider.initialState();
        let at = T0;
        for (const s of steps) {
          at += s.minutes * 60_000;
          const command = toUserCommand(s, at);
          const result = step(userDecider, state, command);
          state = result.state;
          if (result.error === null && result.events.length > 0 && IDEMPOTENT.has(command.type)) {
            expect(userDecider.decide(command, state), `${command.type} sent twice`).toEqual([]);
          }
          if (state.kind === "Existing") {
            const { user } = state;
            expect(user.roles.length).toBeGreaterThan(0);
            expect(new Set(user.roles).size).toBe(user.roles.length);
            expect(user.roles.every((role) => (ROLES as readonly string[]).includes(role))).toBe(true);
            expect(USER_STATUSES).toContain(userStatus(user));
            seen.add(userStatus(user));
            expect(user.email).toBe(user.email.toLowerCase());
            if (user.deactivated) expect(userStatus(user)).toBe("DEACTIVATED");
          }
        }
      }),
      { numRuns: 300 },
    );
    // The generator is good enough to reach every status (else the property proves little).
    expect([...seen].sort()).toEqual([...USER_STATUSES].sort());
  });

  it("an invitation is accepted at most once", () => {
    let acceptances = 0;
    fc.assert(
      fc.property(scenarioArb, (steps) => {
        let state: UserState = userDecider.initialState();
        let at = T0;
        const acceptedIds: string[] = [];
        for (const s of steps) {
          at += s.minutes * 60_000;
          const result = step(userDecider, state, toUserCommand(s, at));
          state = result.state;
          for (const event of result.events) if (event.type === "UserInvitationAccepted") acceptedIds.push(event.data.invitationId);
        }
        expect(new Set(acceptedIds).size).toBe(acceptedIds.length);
        acceptances += acceptedIds.length;
      }),
      { numRuns: 200 },
    );
    expect(acceptances).toBeGreaterThan(0);
  });
});

// =============================================================================================
// 2. Organization settings
// =============================================================================================
const vatNameArb = fc.constantFrom("standard", "REDUCED", "Zero", "super", "intermediate", " parking ");
const vatCategoriesArb = fc
  .uniqueArray(vatNameArb, { maxLength: 4, selector: (name) => name.trim().toUpperCase() })
  .chain((names) =>
    fc.tuple(...names.map((name) => fc.integer({ min: 0, max: 10_000 }).map((cents) => ({ name, ratePercent: cents / 100 })))),
  );

const patchArb = fc.record(
  {
    name: fc.constantFrom("Academy", " Academy ", "Other academy"),
    timezone: fc.constantFrom("Europe/Brussels", "Europe/Paris", "America/New_York", "UTC"),
    currency: fc.constantFrom("EUR", "USD", "GBP", "JPY"),
    paymentMethods: fc.array(fc.constantFrom(...PAYMENT_METHODS), { maxLength: 5 }),
    clientCancellationWindowHours: fc.integer({ min: 0, max: 8760 }),
    reminderLeadTimeHours: fc.integer({ min: 1, max: 720 }),
    accessCodesEnabled: fc.boolean(),
    personalSessionsEnabled: fc.boolean(),
    vatCategories: vatCategoriesArb,
  },
  { requiredKeys: [] },
);

const orgCreated: OrganizationEvent = {
  type: "OrganizationCreated",
  data: { organizationId: ORG_ID, name: "Academy", timezone: "Europe/Brussels", currency: "EUR", createdBy: "a", createdAt: "2026-11-01T00:00:00.000Z" },
};

describe("property: organization settings", () => {
  it("applying any valid patch twice records nothing the second time, and the first time only what differed", () => {
    let changedSomething = 0;
    fc.assert(
      fc.property(fc.array(patchArb, { maxLength: 3 }), patchArb, (earlier, patch) => {
        let state: OrganizationState = fold(organizationDecider, [orgCreated]);
        for (const p of earlier) {
          state = organizationDecider.decide({ type: "UpdateOrganizationSettings", organizationId: ORG_ID, changes: p, context: context() }, state).reduce(
            organizationDecider.evolve,
            state,
          );
        }
        const command = { type: "UpdateOrganizationSettings" as const, organizationId: ORG_ID, changes: patch, context: context() };
        const first = organizationDecider.decide(command, state);
        expect(first.length).toBeLessThanOrEqual(1);
        if (state.kind !== "Existing") throw new Error("no organization");
        const before = state.settings;
        for (const event of first) {
          if (event.type !== "OrganizationSettingsChanged") throw new Error(`unexpected ${event.type}`);
          const keys = Object.keys(event.data.changes);
          expect(keys.length).toBeGreaterThan(0);
          for (const key of keys) {
            expect(Object.keys(patch)).toContain(key);
            expect(event.data.changes[key as keyof typeof event.data.changes]).not.toEqual(before[key as keyof typeof before]);
          }
        }
        if (first.length > 0) changedSomething++;
        const after = first.reduce(organizationDecider.evolve, state);
        expect(organizationDecider.decide(command, after)).toEqual([]);
      }),
      { numRuns: 300 },
    );
    expect(changedSomething).toBeGreaterThan(0);
  });
});

// =============================================================================================
// 3. Sign-in refresh-token families
// =============================================================================================
type SignInStep = { kind: "refresh"; generationOffset: number; minutes: number } | { kind: "end"; byOwner: boolean; minutes: number };

const signInStepArb: fc.Arbitrary<SignInStep> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("refresh" as const), generationOffset: fc.integer({ min: -3, max: 2 }), minutes: fc.integer({ min: 0, max: 90 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("end" as const), byOwner: fc.boolean(), minutes: fc.integer({ min: 0, max: 90 }) }) },
);

describe("property: sign-in rotation", () => {
  it("at most one SignInRefreshed per generation, only with the current generation; a reuse ends it for good", () => {
    const outcomes = { refreshed: 0, reused: 0, expired: 0 };
    fc.assert(
      fc.property(fc.array(signInStepArb, { maxLength: 40 }), (steps) => {
        const TTL = 60 * 60_000; // one hour per refresh, so that some steps run after expiry
        let at = T0;
        const start: SignInCommand = {
          type: "StartSignIn",
          signInId: "s",
          userId: USER_ID,
          method: "PASSWORD",
          expiresAt: new Date(at + TTL),
          context: context({ now: new Date(at) }),
        };
        let state: SignInState = signInDecider.evolve(signInDecider.initialState(), signInDecider.decide(start, signInDecider.initialState())[0]!);
        const refreshedGenerations: number[] = [];
        let reused = false;
        for (const s of steps) {
          at += s.minutes * 60_000;
          const ctx = context({ now: new Date(at) });
          const current = state.kind === "Initial" ? 0 : state.generation;
          const command: SignInCommand =
            s.kind === "refresh"
              ? { type: "RefreshSignIn", signInId: "s", generation: Math.max(0, current + s.generationOffset), expiresAt: new Date(at + TTL), context: ctx }
              : { type: "EndSignIn", signInId: "s", userId: s.byOwner ? USER_ID : "intruder", context: ctx };
          const before = state;
          const result = step(signInDecider, state, command);
          state = result.state;
          const events: SignInEvent[] = result.events;
          expect(events.length).toBeLessThanOrEqual(1);
          for (const event of events) {
            if (event.type === "SignInRefreshed") {
              expect(command.type === "RefreshSignIn" && command.generation).toBe(before.kind === "Active" ? before.generation : -1);
              refreshedGenerations.push(event.data.generation);
            }
            if (event.type === "SignInEnded" && event.data.reason === "REFRESH_TOKEN_REUSED") {
              expect(command.type === "RefreshSignIn" && before.kind === "Active" && command.generation < before.generation).toBe(true);
              reused = true;
            }
          }
          if (result.error) expect(result.error.code).toBe("UNAUTHENTICATED");
          if (events.some((e) => e.type === "SignInRefreshed")) outcomes.refreshed++;
          if (reused && before.kind === "Active") outcomes.reused++;
          if (result.error && before.kind === "Active" && command.type === "RefreshSignIn" && command.generation === before.generation) outcomes.expired++;
          if (reused) {
            expect(state).toMatchObject({ kind: "Ended", endReason: "REFRESH_TOKEN_REUSED" });
            if (!events.some((e) => e.type === "SignInEnded")) expect(events).toEqual([]);
          }
        }
        expect(refreshedGenerations).toEqual(refreshedGenerations.map((_, i) => i + 1));
      }),
      { numRuns: 500 },
    );
    // Every branch was exercised: rotations, reuses, and refreshes refused after expiry.
    expect(outcomes.refreshed).toBeGreaterThan(0);
    expect(outcomes.reused).toBeGreaterThan(0);
    expect(outcomes.expired).toBeGreaterThan(0);
  });
});
