/** The bounds on concurrent replays of the event feed: per caller and per server, released once each. */
import { describe, expect, it } from "vitest";
import { ReplaySlots } from "../../src/graphql/replay-slots.js";

const codeOf = (take: () => unknown): unknown => {
  try {
    take();
  } catch (error) {
    return (error as { extensions?: Record<string, unknown> }).extensions;
  }
  return undefined;
};

describe("ReplaySlots", () => {
  it("refuses a caller's replay over the per-caller bound, and anyone's over the server's, with TOO_MANY_REPLAYS", () => {
    const slots = new ReplaySlots({ maxPerCaller: 2, max: 3 });
    const a1 = slots.acquire("a");
    slots.acquire("a");
    expect(codeOf(() => slots.acquire("a"))).toEqual({ code: "TOO_MANY_REPLAYS", limit: 2 });
    slots.acquire("b");
    expect(slots.running).toBe(3);
    expect(codeOf(() => slots.acquire("c"))).toEqual({ code: "TOO_MANY_REPLAYS", limit: 3 });

    a1();
    a1(); // a second release changes nothing
    expect(slots.running).toBe(2);
    expect(() => slots.acquire("c")).not.toThrow();
    expect(codeOf(() => slots.acquire("a"))).toEqual({ code: "TOO_MANY_REPLAYS", limit: 3 });
  });
});
