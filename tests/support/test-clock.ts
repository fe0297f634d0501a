import type { Clock } from "../../src/domain/shared/clock.js";
import { DateTime } from "luxon";

/**
 * The instant every test server starts at, whatever the day the suite runs (CI runs it again
 * with the process clock 400 days ahead: nothing may read the real date). Fixture dates are
 * written relative to it, through `at`, `daysFromNow` and the literal dates of the suites.
 */
export const TEST_NOW = new Date("2026-11-02T08:00:00.000Z");

export const MINUTE = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/**
 * A clock that starts at a given instant and runs at real speed (so durations, leases and
 * orderings behave as in production); tests move it forward instead of waiting.
 */
export class TestClock implements Clock {
  #startedAt: number;
  #monotonicStart = performance.now();

  constructor(start: Date = TEST_NOW) {
    this.#startedAt = start.getTime();
  }

  now(): Date {
    return new Date(this.#startedAt + Math.floor(performance.now() - this.#monotonicStart));
  }

  /** Moves time forward (a day passes in an instant). */
  advance(ms: number): Date {
    if (ms < 0) throw new Error("a clock only moves forward; use set() to start again elsewhere");
    this.#startedAt += ms;
    return this.now();
  }

  /** Moves forward to `instant` (ms or a date); nothing when the clock is already past it. */
  advanceTo(instant: number | Date | string): Date {
    return this.advance(Math.max(0, new Date(instant).getTime() - this.now().getTime()));
  }

  /** Moves to `instant`, then runs on from there. */
  set(instant: Date | string): Date {
    this.#startedAt = new Date(instant).getTime();
    this.#monotonicStart = performance.now();
    return this.now();
  }

  /** `ms` from now, as an ISO string (for inputs: `clock.iso(2 * DAY)`). */
  iso(ms = 0): string {
    return new Date(this.now().getTime() + ms).toISOString();
  }
}

/**
 * An ISO instant `days` after the clock's current local day, at `time` in `zone`
 * ("tomorrow 09:00 in Brussels": `localTime(clock, 1, "09:00", "Europe/Brussels")`).
 */
export function localTime(clock: Clock, days: number, time: string, zone = "UTC"): string {
  const [hour, minute] = time.split(":").map(Number) as [number, number];
  const instant = DateTime.fromJSDate(clock.now(), { zone }).startOf("day").plus({ days }).set({ hour, minute });
  return instant.toUTC().toISO({ suppressMilliseconds: true })!;
}
