import { GraphQLError } from "graphql";
import type { App } from "../app.js";

export interface CallLimits {
  /** Calls one caller (a user or an API key) may run at once. */
  maxPerCaller: number;
  /** Calls the whole server runs at once. */
  max: number;
}

/** What the slots bound, as their refusals say it. */
export interface CallKind {
  code: string;
  /** e.g. "replays of the event feed" */
  what: string;
  /** What a caller over their own bound should do. */
  advice: string;
}

/**
 * Bounds the expensive calls of one kind running at once, per caller and in all: over a bound,
 * the call is refused at once with the kind's code and the bound as `limit`.
 */
export class CallSlots {
  #running = 0;
  readonly #byCaller = new Map<string, number>();

  constructor(
    private readonly limits: CallLimits,
    private readonly kind: CallKind,
  ) {}

  /** Takes a slot for `caller` or throws; the function returned gives it back (once). */
  acquire(caller: string): () => void {
    const { maxPerCaller, max } = this.limits;
    const { code, what, advice } = this.kind;
    const mine = this.#byCaller.get(caller) ?? 0;
    if (mine >= maxPerCaller) {
      throw refusal(code, `You already run ${mine} ${what} (at most ${maxPerCaller} at once): ${advice}`, maxPerCaller);
    }
    if (this.#running >= max) throw refusal(code, `The server already runs ${this.#running} ${what}: try again in a moment`, max);
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

const refusal = (code: string, message: string, limit: number) => new GraphQLError(message, { extensions: { code, limit } });

/** A replay counts until it has caught up with the log (the live part that follows costs little). */
export const REPLAYS: CallKind = {
  code: "TOO_MANY_REPLAYS",
  what: "replays of the event feed",
  advice: "wait until one has caught up, then subscribe again",
};

export const VERIFICATIONS: CallKind = {
  code: "TOO_MANY_VERIFICATIONS",
  what: "verifications of the event history",
  advice: "wait for its answer",
};

const slots = new WeakMap<App, { replays: CallSlots; verifications: CallSlots }>();

function slotsOf(app: App) {
  let found = slots.get(app);
  if (!found) {
    found = { replays: new CallSlots(app.config.replays, REPLAYS), verifications: new CallSlots(app.config.verifications, VERIFICATIONS) };
    slots.set(app, found);
  }
  return found;
}

/** The app's replay slots, sized by MAX_REPLAYS_PER_CALLER and MAX_REPLAYS. */
export const replaySlotsOf = (app: App): CallSlots => slotsOf(app).replays;

/** The app's verifyEventHistory slots, sized by MAX_VERIFICATIONS_PER_CALLER and MAX_VERIFICATIONS. */
export const verificationSlotsOf = (app: App): CallSlots => slotsOf(app).verifications;
