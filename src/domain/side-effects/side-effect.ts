import { z } from "zod";
import type { CommandContext, Decider } from "../shared/decider.js";
import { eventCodec } from "../shared/event-codec.js";
import { assertNever, DomainError } from "../shared/errors.js";

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

export type ClaimSideEffect = {
  type: "ClaimSideEffect";
  key: string;
  kind: SideEffectKind;
  targetId: string;
  trigger: EffectTrigger;
  /** The attempt the claimer wants to run: 1 for a new effect, last attempt + 1 for a retry. */
  attempt: number;
  /** The claiming process. */
  claimedBy: string;
  leaseMs: number;
  context: CommandContext;
};
export type RecordSideEffectOutcome =
  | { type: "RecordSideEffectSucceeded"; key: string; attempt: number; statusCode: number | null; context: CommandContext }
  | {
      type: "RecordSideEffectFailed";
      key: string;
      attempt: number;
      error: string;
      statusCode: number | null;
      retryAt: Date | null;
      context: CommandContext;
    };
export type SideEffectCommand = ClaimSideEffect | RecordSideEffectOutcome;

export type SideEffectStatus = "IN_PROGRESS" | "SUCCEEDED" | "RETRYING" | "FAILED";
export type SideEffectState =
  | { kind: "Unclaimed" }
  | {
      kind: "Claimed";
      attempts: number;
      status: SideEffectStatus;
      claimedBy: string;
      /** leaseUntil while IN_PROGRESS, retryAt while RETRYING. */
      dueAt: Date | null;
    };

/** Whether another attempt may be claimed now. */
export function isDue(state: SideEffectState, now: Date): boolean {
  if (state.kind === "Unclaimed") return true;
  if (state.status !== "IN_PROGRESS" && state.status !== "RETRYING") return false;
  return state.dueAt !== null && state.dueAt.getTime() <= now.getTime();
}

export const sideEffectDecider: Decider<SideEffectCommand, SideEffectEvent, SideEffectState> = {
  codec: sideEffectEventCodec,
  initialState: () => ({ kind: "Unclaimed" }),
  evolve: (state, event) => {
    switch (event.type) {
      case "SideEffectClaimed":
        return {
          kind: "Claimed",
          attempts: event.data.attempt,
          status: "IN_PROGRESS",
          claimedBy: event.data.claimedBy,
          dueAt: new Date(event.data.leaseUntil),
        };
      case "SideEffectSucceeded":
        return state.kind === "Claimed" ? { ...state, status: "SUCCEEDED", dueAt: null } : state;
      case "SideEffectFailed":
        if (state.kind !== "Claimed") return state;
        return {
          ...state,
          status: event.data.retryAt ? "RETRYING" : "FAILED",
          dueAt: event.data.retryAt ? new Date(event.data.retryAt) : null,
        };
      default:
        return assertNever(event);
    }
  },
  decide: (command, state) => {
    const { context } = command;
    switch (command.type) {
      case "ClaimSideEffect": {
        const attempts = state.kind === "Claimed" ? state.attempts : 0;
        if (command.attempt !== attempts + 1 || !isDue(state, context.now)) {
          throw new DomainError("ALREADY_CLAIMED", `Attempt ${command.attempt} of ${command.key} is not available`);
        }
        return [
          {
            type: "SideEffectClaimed",
            data: {
              key: command.key,
              kind: command.kind,
              targetId: command.targetId,
              trigger: command.trigger,
              attempt: command.attempt,
              claimedBy: command.claimedBy,
              claimedAt: context.now.toISOString(),
              leaseUntil: new Date(context.now.getTime() + command.leaseMs).toISOString(),
            },
          },
        ];
      }
      case "RecordSideEffectSucceeded":
      case "RecordSideEffectFailed": {
        if (state.kind === "Unclaimed") throw new DomainError("NOT_FOUND", `${command.key} was never claimed`);
        if (command.attempt > state.attempts) {
          throw new DomainError("NOT_FOUND", `Attempt ${command.attempt} of ${command.key} was never claimed`);
        }
        // Recorded already (a retried command), or an attempt since taken over by another claim.
        if (state.status !== "IN_PROGRESS" || command.attempt < state.attempts) return [];
        if (command.type === "RecordSideEffectSucceeded") {
          return [
            {
              type: "SideEffectSucceeded",
              data: {
                key: command.key,
                attempt: command.attempt,
                statusCode: command.statusCode,
                completedAt: context.now.toISOString(),
              },
            },
          ];
        }
        return [
          {
            type: "SideEffectFailed",
            data: {
              key: command.key,
              attempt: command.attempt,
              error: command.error.slice(0, 1000),
              statusCode: command.statusCode,
              failedAt: context.now.toISOString(),
              retryAt: command.retryAt?.toISOString() ?? null,
            },
          },
        ];
      }
      default:
        return assertNever(command);
    }
  },
};
