import { z } from "zod";
import { eventCodec } from "../shared/event-codec.js";

/**
 * A side effect (an e-mail, a webhook delivery) claimed before it runs, so that with several
 * replicas exactly one performs each attempt (README.md, "Architecture": side effects). The first
 * attempt is claimed by creating the stream (the append expects no stream); each later attempt
 * by appending at the revision the claimer saw, so a second claimer gets a conflict, re-decides
 * on the new state, and is refused. Outcomes are recorded on the same stream.
 */
export const SIDE_EFFECT_CATEGORY = "effect";
export const sideEffectStreamName = (key: string) => `${SIDE_EFFECT_CATEGORY}-${key}`;

export const SIDE_EFFECT_KINDS = ["MAIL", "WEBHOOK"] as const;
export type SideEffectKind = (typeof SIDE_EFFECT_KINDS)[number];

/** The event that caused the effect. */
export interface EffectTrigger {
  eventId: string;
  eventType: string;
  streamName: string;
  /** Global position, as a decimal string (bigint). */
  position: string;
}

export type SideEffectClaimed = {
  type: "SideEffectClaimed";
  data: {
    key: string;
    kind: SideEffectKind;
    /** The webhook, or the user an e-mail goes to. */
    targetId: string;
    trigger: EffectTrigger;
    attempt: number;
    claimedBy: string;
    claimedAt: string;
    /** Past this instant without an outcome, the attempt is considered lost and may be claimed again. */
    leaseUntil: string;
  };
};
export type SideEffectSucceeded = {
  type: "SideEffectSucceeded";
  data: { key: string; attempt: number; statusCode: number | null; completedAt: string };
};
export type SideEffectFailed = {
  type: "SideEffectFailed";
  data: {
    key: string;
    attempt: number;
    error: string;
    statusCode: number | null;
    failedAt: string;
    /** When the next attempt is due; null when no attempt is left (the effect stays FAILED until replayed). */
    retryAt: string | null;
  };
};
export type SideEffectEvent = SideEffectClaimed | SideEffectSucceeded | SideEffectFailed;
export const sideEffectEventCodec = eventCodec<SideEffectEvent>({
  SideEffectClaimed: z.object({
    key: z.string(),
    kind: z.enum(SIDE_EFFECT_KINDS),
    targetId: z.string(),
    trigger: z.object({ eventId: z.string(), eventType: z.string(), streamName: z.string(), position: z.string() }),
    attempt: z.number().int(),
    claimedBy: z.string(),
    claimedAt: z.string(),
    leaseUntil: z.string(),
  }),
  SideEffectSucceeded: z.object({ key: z.string(), attempt: z.number().int(), statusCode: z.number().int().nullable(), completedAt: z.string() }),
  SideEffectFailed: z.object({
    key: z.string(),
    attempt: z.number().int(),
    error: z.string(),
    statusCode: z.number().int().nullable(),
    failedAt: z.string(),
    retryAt: z.string().nullable(),
  }),
});
export const SIDE_EFFECT_EVENT_TYPES = sideEffectEventCodec.types;
