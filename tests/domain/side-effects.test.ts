/**
 * N1 / N2 — side effects (e-mails, webhook deliveries) exactly once across replicas: the pure parts.
 *
 * - `sideEffectDecider` (src/domain/side-effects/decider.ts): the claim that makes one
 *   replica run each attempt. Attempt 1 is claimed once; a later attempt only when the previous
 *   one is due again (its lease ran out without an outcome, or its failure asked for a retry at
 *   a time now reached) and only as "last attempt + 1". Outcomes are recorded for the latest
 *   attempt; a late outcome of an older attempt and a second success change nothing; a failure
 *   without retryAt leaves the effect FAILED for good.
 * - `nextAttemptAt` (src/domain/side-effects/retry-schedule.ts), by fast-check properties:
 *   "equal jitter" exponential back-off, within [exp/2, exp] where exp = min(max, base·2^(attempt−1)),
 *   none once maxAttempts is reached, a lower bound that never drops as attempts grow, and a
 *   delay that really depends on the random draw.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { nextAttemptAt, type RetryPolicy } from "../../src/domain/side-effects/retry-schedule.js";
import { isDue, sideEffectDecider, type ClaimSideEffect, type SideEffectCommand } from "../../src/domain/side-effects/decider.js";
import {
  sideEffectStreamName,
  type EffectTrigger,
  type SideEffectClaimed,
  type SideEffectEvent,
  type SideEffectFailed,
  type SideEffectSucceeded,
} from "../../src/domain/side-effects/events.js";
import type { CommandContext } from "../../src/domain/shared/decider.js";
import { fold, spec } from "../support/given-when-then.js";

const KEY = "mail:event-1";
const T0 = Date.parse("2026-11-21T10:00:00.000Z");
const LEASE_MS = 60_000;
const at = (offsetMs: number) => new Date(T0 + offsetMs);
const isoAt = (offsetMs: number) => at(offsetMs).toISOString();

const TRIGGER: EffectTrigger = {
  eventId: "event-1",
  eventType: "ParticipantPromotedFromWaitlist",
  streamName: "session-s1",
  position: "42",
};

function context(now: Date): CommandContext {
  return { commandId: `cmd-${now.getTime()}`, organizationId: "org-1", actorId: "system:side-effects", now, correlationId: "corr-1" };
}

function claim(attempt: number, nowOffsetMs: number, claimedBy = "replica-a"): ClaimSideEffect {
  return {
    type: "ClaimSideEffect",
    key: KEY,
    kind: "MAIL",
    targetId: "user-b",
    trigger: TRIGGER,
    attempt,
    claimedBy,
    leaseMs: LEASE_MS,
    context: context(at(nowOffsetMs)),
  };
}

/** The event a claim made at `nowOffsetMs` records, written out by hand. */
function claimed(attempt: number, nowOffsetMs: number, claimedBy = "replica-a"): SideEffectClaimed {
  return {
    type: "SideEffectClaimed",
    data: {
      key: KEY,
      kind: "MAIL",
      targetId: "user-b",
      trigger: TRIGGER,
      attempt,
      claimedBy,
      claimedAt: isoAt(nowOffsetMs),
      leaseUntil: isoAt(nowOffsetMs + LEASE_MS),
    },
  };
}

function succeeded(attempt: number, nowOffsetMs: number, statusCode: number | null = null): SideEffectSucceeded {
  return { type: "SideEffectSucceeded", data: { key: KEY, attempt, statusCode, completedAt: isoAt(nowOffsetMs) } };
}

function failed(attempt: number, nowOffsetMs: number, retryAtOffsetMs: number | null): SideEffectFailed {
  return {
    type: "SideEffectFailed",
    data: {
      key: KEY,
      attempt,
      error: "SMTP said no",
      statusCode: null,
      failedAt: isoAt(nowOffsetMs),
      retryAt: retryAtOffsetMs === null ? null : isoAt(retryAtOffsetMs),
    },
  };
}

const recordSucceeded = (attempt: number, nowOffsetMs: number, statusCode: number | null = null): SideEffectCommand => ({
  type: "RecordSideEffectSucceeded",
  key: KEY,
  attempt,
  statusCode,
  context: context(at(nowOffsetMs)),
});

const recordFailed = (attempt: number, nowOffsetMs: number, retryAtOffsetMs: number | null): SideEffectCommand => ({
  type: "RecordSideEffectFailed",
  key: KEY,
  attempt,
  error: "SMTP said no",
  statusCode: null,
  retryAt: retryAtOffsetMs === null ? null : at(retryAtOffsetMs),
  context: context(at(nowOffsetMs)),
});

const stateAfter = (events: SideEffectEvent[]) => fold(sideEffectDecider, events);

describe("the claim stream of a side effect (N1: each effect once)", () => {
  it("is named effect-<key>, the key every replica derives the same way", () => {
    expect(sideEffectStreamName(KEY)).toBe("effect-mail:event-1");
  });

  describe("claiming attempt 1", () => {
    it("an unclaimed effect: attempt 1 is claimed, with a lease of leaseMs from now", () => {
      spec(sideEffectDecider).when(claim(1, 0)).then([claimed(1, 0)]);
    });

    it("a second claim of attempt 1 (the other replica) is refused with ALREADY_CLAIMED", () => {
      spec(sideEffectDecider).given([claimed(1, 0, "replica-a")]).when(claim(1, 10, "replica-b")).thenThrows("ALREADY_CLAIMED");
    });

    it("attempt 1 is refused even once its lease ran out: it was claimed, the next one is attempt 2", () => {
      spec(sideEffectDecider).given([claimed(1, 0)]).when(claim(1, LEASE_MS + 1, "replica-b")).thenThrows("ALREADY_CLAIMED");
    });

    it("attempt 1 is refused after it succeeded", () => {
      spec(sideEffectDecider).given([claimed(1, 0), succeeded(1, 5)]).when(claim(1, 10, "replica-b")).thenThrows("ALREADY_CLAIMED");
    });

    it("an unclaimed effect: only attempt 1 may be claimed (no skipping ahead)", () => {
      spec(sideEffectDecider).when(claim(2, 0)).thenThrows("ALREADY_CLAIMED");
      spec(sideEffectDecider).when(claim(0, 0)).thenThrows("ALREADY_CLAIMED");
    });
  });

  describe("claiming attempt 2 (a lost attempt, or a retry)", () => {
    it("is refused while attempt 1's lease runs (its claimer may still be working)", () => {
      spec(sideEffectDecider).given([claimed(1, 0)]).when(claim(2, LEASE_MS - 1, "replica-b")).thenThrows("ALREADY_CLAIMED");
    });

    it("is allowed once now reaches leaseUntil without an outcome (the claimer died)", () => {
      spec(sideEffectDecider)
        .given([claimed(1, 0, "dead")])
        .when(claim(2, LEASE_MS, "replica-b"))
        .then([claimed(2, LEASE_MS, "replica-b")]);
      spec(sideEffectDecider)
        .given([claimed(1, 0, "dead")])
        .when(claim(2, LEASE_MS + 5_000, "replica-b"))
        .then([claimed(2, LEASE_MS + 5_000, "replica-b")]);
    });

    it("is refused before a failure's retryAt, allowed from then on", () => {
      const history = [claimed(1, 0), failed(1, 100, 10_000)];
      spec(sideEffectDecider).given(history).when(claim(2, 9_999)).thenThrows("ALREADY_CLAIMED");
      spec(sideEffectDecider).given(history).when(claim(2, 10_000)).then([claimed(2, 10_000)]);
    });

    it("a retry that is due is claimed once: the second replica's claim of the same attempt is refused", () => {
      const history = [claimed(1, 0, "replica-a"), failed(1, 100, 10_000)];
      const [won] = spec(sideEffectDecider).given(history).when(claim(2, 10_000, "replica-a")).then([claimed(2, 10_000, "replica-a")]);
      spec(sideEffectDecider)
        .given([...history, won!])
        .when(claim(2, 10_001, "replica-b"))
        .thenThrows("ALREADY_CLAIMED");
    });

    it("an attempt number that skips or repeats is refused even when the effect is due", () => {
      const due = [claimed(1, 0), failed(1, 100, 1_000)];
      spec(sideEffectDecider).given(due).when(claim(3, 2_000)).thenThrows("ALREADY_CLAIMED");
      spec(sideEffectDecider).given(due).when(claim(1, 2_000)).thenThrows("ALREADY_CLAIMED");
      const lost = [claimed(1, 0), failed(1, 100, 1_000), claimed(2, 1_000)];
      spec(sideEffectDecider).given(lost).when(claim(2, 1_000 + LEASE_MS)).thenThrows("ALREADY_CLAIMED");
      spec(sideEffectDecider).given(lost).when(claim(4, 1_000 + LEASE_MS)).thenThrows("ALREADY_CLAIMED");
      spec(sideEffectDecider).given(lost).when(claim(3, 1_000 + LEASE_MS)).then([claimed(3, 1_000 + LEASE_MS)]);
    });

    it("nothing can be claimed after a success, however late", () => {
      spec(sideEffectDecider)
        .given([claimed(1, 0), succeeded(1, 10)])
        .when(claim(2, 10 * LEASE_MS))
        .thenThrows("ALREADY_CLAIMED");
    });
  });

  describe("recording outcomes", () => {
    it("the success of the claimed attempt is recorded", () => {
      spec(sideEffectDecider).given([claimed(1, 0)]).when(recordSucceeded(1, 250, 204)).then([succeeded(1, 250, 204)]);
    });

    it("a failure is recorded with its retryAt", () => {
      spec(sideEffectDecider).given([claimed(1, 0)]).when(recordFailed(1, 250, 5_000)).then([failed(1, 250, 5_000)]);
    });

    it("a failure with retryAt null is recorded (no attempt left)", () => {
      spec(sideEffectDecider).given([claimed(1, 0)]).when(recordFailed(1, 250, null)).then([failed(1, 250, null)]);
    });

    it("an outcome of an effect nobody claimed is refused with NOT_FOUND", () => {
      spec(sideEffectDecider).when(recordSucceeded(1, 0)).thenThrows("NOT_FOUND");
      spec(sideEffectDecider).when(recordFailed(1, 0, 1_000)).thenThrows("NOT_FOUND");
    });

    it("a success after a success is [] (the outcome is recorded once)", () => {
      spec(sideEffectDecider).given([claimed(1, 0), succeeded(1, 10)]).when(recordSucceeded(1, 20)).thenNothing();
    });

    it("a failure reported after a success changes nothing", () => {
      spec(sideEffectDecider).given([claimed(1, 0), succeeded(1, 10)]).when(recordFailed(1, 20, 1_000)).thenNothing();
    });

    it("a late outcome of an older attempt (the presumed-dead claimer) changes nothing", () => {
      const history = [claimed(1, 0, "slow"), claimed(2, LEASE_MS, "replica-b")];
      spec(sideEffectDecider).given(history).when(recordSucceeded(1, LEASE_MS + 10)).thenNothing();
      spec(sideEffectDecider).given(history).when(recordFailed(1, LEASE_MS + 10, LEASE_MS + 1_000)).thenNothing();
      // …and the attempt that took over still records its own outcome.
      spec(sideEffectDecider).given(history).when(recordSucceeded(2, LEASE_MS + 20)).then([succeeded(2, LEASE_MS + 20)]);
    });

    it("an outcome recorded twice for the same attempt (a retried command) is recorded once", () => {
      spec(sideEffectDecider).given([claimed(1, 0), failed(1, 10, 5_000)]).when(recordFailed(1, 20, 6_000)).thenNothing();
      spec(sideEffectDecider).given([claimed(1, 0), failed(1, 10, null)]).when(recordSucceeded(1, 20)).thenNothing();
    });

    it("an outcome for an attempt nobody claimed yet is refused with NOT_FOUND", () => {
      spec(sideEffectDecider).given([claimed(1, 0)]).when(recordSucceeded(2, 10)).thenThrows("NOT_FOUND");
      spec(sideEffectDecider).given([claimed(1, 0)]).when(recordFailed(3, 10, 1_000)).thenThrows("NOT_FOUND");
    });

    it("the success of attempt 1 reported after attempt 2 already succeeded changes nothing", () => {
      spec(sideEffectDecider)
        .given([claimed(1, 0, "slow"), claimed(2, LEASE_MS, "replica-b"), succeeded(2, LEASE_MS + 5)])
        .when(recordSucceeded(1, LEASE_MS + 10))
        .thenNothing();
    });
  });

  describe("the state the claims fold into", () => {
    it("a claim is IN_PROGRESS until its lease, by its claimer", () => {
      const state = stateAfter([claimed(1, 0, "replica-a")]);
      expect(state).toEqual({ kind: "Claimed", attempts: 1, status: "IN_PROGRESS", claimedBy: "replica-a", dueAt: at(LEASE_MS) });
      expect(isDue(state, at(LEASE_MS - 1))).toBe(false);
      expect(isDue(state, at(LEASE_MS))).toBe(true);
    });

    it("a failure with retryAt is RETRYING, due at retryAt", () => {
      const state = stateAfter([claimed(1, 0), failed(1, 100, 7_000)]);
      expect(state).toMatchObject({ kind: "Claimed", attempts: 1, status: "RETRYING", dueAt: at(7_000) });
      expect(isDue(state, at(6_999))).toBe(false);
      expect(isDue(state, at(7_000))).toBe(true);
    });

    it("a failure with retryAt null is FAILED: never due again, nothing more can be claimed", () => {
      const history = [claimed(1, 0), failed(1, 100, 1_000), claimed(2, 1_000), failed(2, 1_100, null)];
      const state = stateAfter(history);
      expect(state).toMatchObject({ kind: "Claimed", attempts: 2, status: "FAILED", dueAt: null });
      for (const offset of [1_100, 1_000 + LEASE_MS, 1_000_000_000]) {
        expect(isDue(state, at(offset))).toBe(false);
        spec(sideEffectDecider).given(history).when(claim(3, offset)).thenThrows("ALREADY_CLAIMED");
      }
    });

    it("a success is SUCCEEDED and never due again", () => {
      const state = stateAfter([claimed(1, 0), succeeded(1, 10)]);
      expect(state).toMatchObject({ kind: "Claimed", attempts: 1, status: "SUCCEEDED", dueAt: null });
      expect(isDue(state, at(1_000_000_000))).toBe(false);
    });
  });
});

// ---------------------------------------------------------------------------------------------
// nextAttemptAt: exponential back-off with equal jitter.
// ---------------------------------------------------------------------------------------------

const policies = fc
  .record({
    maxAttempts: fc.integer({ min: 1, max: 20 }),
    baseDelayMs: fc.integer({ min: 1, max: 120_000 }),
    maxDelayMs: fc.integer({ min: 1, max: 24 * 3_600_000 }),
  })
  .filter((policy) => policy.maxDelayMs >= policy.baseDelayMs);
const instants = fc.integer({ min: Date.parse("2000-01-01T00:00:00Z"), max: Date.parse("2100-01-01T00:00:00Z") }).map((ms) => new Date(ms));
/** [0, 1), as Math.random. */
const randoms = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

/** The un-jittered delay, written out from the doc comment (not from src/). */
const exponential = (attempt: number, policy: RetryPolicy) => Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));

describe("nextAttemptAt: exponential back-off with equal jitter (N1 e-mails, N2 webhooks)", () => {
  it("the next attempt is due between exp/2 and exp after the failure, exp = min(max, base·2^(attempt−1))", () => {
    fc.assert(
      fc.property(policies, fc.integer({ min: 1, max: 40 }), instants, randoms, (policy, attempt, failedAt, random) => {
        fc.pre(attempt < policy.maxAttempts);
        const next = nextAttemptAt(attempt, failedAt, policy, random);
        expect(next).toBeInstanceOf(Date);
        const delay = next!.getTime() - failedAt.getTime();
        const exp = exponential(attempt, policy);
        // Whole milliseconds: rounding may move the delay by at most half a millisecond.
        expect(Number.isInteger(delay)).toBe(true);
        expect(delay).toBeGreaterThanOrEqual(exp / 2 - 0.5);
        expect(delay).toBeLessThanOrEqual(exp + 0.5);
        expect(delay).toBeLessThanOrEqual(policy.maxDelayMs + 0.5);
      }),
      { numRuns: 500 },
    );
  });

  it("is null once attempt reaches maxAttempts (that was the last attempt), whatever the draw", () => {
    fc.assert(
      fc.property(policies, fc.integer({ min: 0, max: 30 }), instants, randoms, (policy, extra, failedAt, random) => {
        expect(nextAttemptAt(policy.maxAttempts + extra, failedAt, policy, random)).toBeNull();
      }),
    );
  });

  it("every attempt before maxAttempts gets a next one", () => {
    fc.assert(
      fc.property(policies, instants, randoms, (policy, failedAt, random) => {
        for (let attempt = 1; attempt < policy.maxAttempts; attempt++) {
          expect(nextAttemptAt(attempt, failedAt, policy, random)).not.toBeNull();
        }
      }),
    );
  });

  it("the earliest next attempt (random = 0) never comes sooner as attempts grow", () => {
    fc.assert(
      fc.property(policies, fc.integer({ min: 1, max: 39 }), instants, (policy, attempt, failedAt) => {
        fc.pre(attempt + 1 < policy.maxAttempts);
        const earlier = nextAttemptAt(attempt, failedAt, policy, 0)!.getTime();
        const later = nextAttemptAt(attempt + 1, failedAt, policy, 0)!.getTime();
        expect(later).toBeGreaterThanOrEqual(earlier);
      }),
    );
  });

  it("grows: the delay doubles per attempt until the cap", () => {
    const policy: RetryPolicy = { maxAttempts: 10, baseDelayMs: 1_000, maxDelayMs: 10_000 };
    const failedAt = new Date(T0);
    const earliest = [1, 2, 3, 4, 5, 6].map((attempt) => nextAttemptAt(attempt, failedAt, policy, 0)!.getTime() - T0);
    expect(earliest).toEqual([500, 1_000, 2_000, 4_000, 5_000, 5_000]);
  });

  it("the jitter depends on the draw: a larger random never gives an earlier attempt, and a clearly larger one a later attempt", () => {
    fc.assert(
      fc.property(policies, fc.integer({ min: 1, max: 40 }), instants, randoms, randoms, (policy, attempt, failedAt, r1, r2) => {
        fc.pre(attempt < policy.maxAttempts);
        const [low, high] = r1 <= r2 ? [r1, r2] : [r2, r1];
        const first = nextAttemptAt(attempt, failedAt, policy, low)!.getTime();
        const second = nextAttemptAt(attempt, failedAt, policy, high)!.getTime();
        expect(second).toBeGreaterThanOrEqual(first);
        // Once the spread between the two draws is worth more than a millisecond, they land apart.
        if ((high - low) * (exponential(attempt, policy) / 2) >= 1) expect(second).toBeGreaterThan(first);
      }),
      { numRuns: 500 },
    );
  });

  it("replicas retrying at once spread out: many draws give many distinct instants", () => {
    const policy: RetryPolicy = { maxAttempts: 8, baseDelayMs: 30_000, maxDelayMs: 6 * 3_600_000 };
    const failedAt = new Date(T0);
    const draws = Array.from({ length: 50 }, (_, i) => i / 50);
    const instantsDrawn = new Set(draws.map((random) => nextAttemptAt(3, failedAt, policy, random)!.getTime()));
    expect(instantsDrawn.size).toBe(50);
  });
});
