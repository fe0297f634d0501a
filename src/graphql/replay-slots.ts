import { GraphQLError } from "graphql";
import type { App } from "../app.js";

export interface ReplayLimits {
  /** Replays one caller (a user or an API key) may run at once. */
  maxPerCaller: number;
  /** Replays the whole server runs at once. */
  max: number;
}

/**
 * Bounds the replays of the `events` feed running at once, per caller and in all. A slot is
 * held from the subscription until its replay has caught up with the log (the live part that
 * follows costs little); over a bound the subscription is refused at once with TOO_MANY_REPLAYS.
 */
export class ReplaySlots {
  #running = 0;
  readonly #byCaller = new Map<string, number>();

  constructor(private readonly limits: ReplayLimits) {}

  /** Takes a slot for `caller` or throws TOO_MANY_REPLAYS; the function returned gives it back (once). */
  acquire(caller: string): () => void {
    const mine = this.#byCaller.get(caller) ?? 0;
    if (mine >= this.limits.maxPerCaller) {
      throw tooMany(
        `You already run ${mine} replays of the event feed (at most ${this.limits.maxPerCaller} at once): wait until one has caught up, then subscribe again`,
        this.limits.maxPerCaller,
      );
    }
    if (this.#running >= this.limits.max) {
      throw tooMany(`The server already runs ${this.#running} replays of the event feed: try again in a moment`, this.limits.max);
    }
    this.#running += 1;
    this.#byCaller.set(caller, mine + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#running -= 1;
      const left = (this.#byCaller.get(caller) ?? 1) - 1;
      if (left > 0) this.#byCaller.set(caller, left);
      else this.#byCaller.delete(caller);
    };
  }

  get running(): number {
    return this.#running;
  }
}

function tooMany(message: string, limit: number): GraphQLError {
  return new GraphQLError(message, { extensions: { code: "TOO_MANY_REPLAYS", limit } });
}

const slots = new WeakMap<App, ReplaySlots>();

/** The app's replay slots, sized by MAX_REPLAYS_PER_CALLER and MAX_REPLAYS. */
export function replaySlotsOf(app: App): ReplaySlots {
  let found = slots.get(app);
  if (!found) slots.set(app, (found = new ReplaySlots({ maxPerCaller: app.config.replays.maxPerCaller, max: app.config.replays.max })));
  return found;
}
