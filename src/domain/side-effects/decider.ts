import type { CommandContext, Decider } from "../shared/decider.js";
import { assertNever, DomainError } from "../shared/errors.js";
import { type EffectTrigger, sideEffectEventCodec, type SideEffectEvent, type SideEffectKind } from "./events.js";

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

export const initialSideEffectState = (): SideEffectState => ({ kind: "Unclaimed" });

export function evolveSideEffect(state: SideEffectState, event: SideEffectEvent): SideEffectState {
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
}

export function decideSideEffect(command: SideEffectCommand, state: SideEffectState): SideEffectEvent[] {
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
}

export const sideEffectDecider: Decider<SideEffectCommand, SideEffectEvent, SideEffectState> = {
  codec: sideEffectEventCodec,
  initialState: initialSideEffectState,
  evolve: evolveSideEffect,
  decide: decideSideEffect,
};
