import type { Clock } from "../../domain/shared/clock.js";

/** The real clock: production's only reading of the wall clock for "now". */
export const systemClock: Clock = {
  now: () => new Date(),
};
