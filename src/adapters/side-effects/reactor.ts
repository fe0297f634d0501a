import type { RetryPolicy } from "../../domain/side-effects/retry-schedule.js";
import type { SideEffectKind } from "../../domain/side-effects/events.js";
import type { RecordedEvent } from "../../domain/shared/event-store.js";

/** One side effect an event asks for. `key` is deterministic: every replica computes the same one. */
export interface EffectRequest {
  key: string;
  kind: SideEffectKind;
  targetId: string;
  organizationId: string;
  /** The event the effect is about (for a webhook replay: the replayed event, not the request). */
  trigger: RecordedEvent;
}

export interface EffectOutcome {
  statusCode: number | null;
}

/** A failed attempt. `permanent`: retrying cannot help (e.g. the webhook was deleted). */
export class EffectFailure extends Error {
  constructor(
    message: string,
    readonly statusCode: number | null = null,
    readonly permanent = false,
  ) {
    super(message);
    this.name = "EffectFailure";
  }
}

/** Turns events into side effects of one kind, and performs them. */
export interface Reactor {
  kind: SideEffectKind;
  retryPolicy: RetryPolicy;
  /** Called once the read models include `event`. */
  effectsOf(event: RecordedEvent): Promise<EffectRequest[]>;
  /** One attempt; throws (EffectFailure or anything else) when it failed. */
  perform(request: EffectRequest, attempt: number): Promise<EffectOutcome>;
}
