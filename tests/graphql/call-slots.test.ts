/** The bounds on concurrent expensive calls (event-feed replays, history verifications): per caller and per server, released once each. */
import { describe, expect, it } from "vitest";
import { CallSlots, REPLAYS, VERIFICATIONS } from "../../src/graphql/call-slots.js";

const refusalOf = (take: () => unknown): { extensions?: Record<string, unknown>; message?: string } | undefined => {
  try {
    take();
  } catch (error) {
    return error as { extensions?: Record<string, unknown>; message?: string };
  }
  return undefined;
};

describe("CallSlots", () => {
  it("refuses a caller's replay over the per-caller bound, and anyone's over the server's, with TOO_MANY_REPLAYS", () => {
    const slots = new CallSlots({ maxPerCaller: 2, max: 3 }, REPLAYS);
    const a1 = slots.acquire("a");
    slots.acquire("a");
    expect(refusalOf(() => slots.acquire("a"))?.extensions).toEqual({ code: "TOO_MANY_REPLAYS", limit: 2 });
    slots.acquire("b");
    expect(slots.running).toBe(3);
    expect(refusalOf(() => slots.acquire("c"))?.extensions).toEqual({ code: "TOO_MANY_REPLAYS", limit: 3 });

    a1();
    a1(); // a second release changes nothing
    expect(slots.running).toBe(2);
    expect(() => slots.acquire("c")).not.toThrow();
    expect(refusalOf(() => slots.acquire("a"))?.extensions).toEqual({ code: "TOO_MANY_REPLAYS", limit: 3 });
  });

  it("verifications have their own slots and code, and say what to do", () => {
    const slots = new CallSlots({ maxPerCaller: 1, max: 2 }, VERIFICATIONS);
    const release = slots.acquire("auditor");
    const refused = refusalOf(() => slots.acquire("auditor"));
    expect(refused?.extensions).toEqual({ code: "TOO_MANY_VERIFICATIONS", limit: 1 });
    expect(refused?.message).toBe("You already run 1 verifications of the event history (at most 1 at once): wait for its answer");
    release();
    expect(() => slots.acquire("auditor")).not.toThrow();
  });
});
