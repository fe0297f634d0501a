import type { CommandContext, Decider } from "../shared/decider.js";
import { assertNever, DomainError } from "../shared/errors.js";
import { type SignInEndReason, type SignInEvent, signInEventCodec, type SignInMethod } from "./events.js";

type Base = { signInId: string; context: CommandContext };
export type SignInCommand =
  | (Base & { type: "StartSignIn"; userId: string; method: SignInMethod; expiresAt: Date })
  | (Base & { type: "RefreshSignIn"; generation: number; expiresAt: Date })
  | (Base & { type: "EndSignIn"; userId: string });

export type SignInState =
  | { kind: "Initial" }
  | {
      kind: "Active" | "Ended";
      userId: string;
      organizationId: string;
      generation: number;
      expiresAt: string;
      endReason: SignInEndReason | null;
    };

const signedOut = () => new DomainError("UNAUTHENTICATED", "This sign-in has ended: sign in again");

export const signInDecider: Decider<SignInCommand, SignInEvent, SignInState> = {
  codec: signInEventCodec,
  initialState: () => ({ kind: "Initial" }),
  evolve: (state, event) => {
    switch (event.type) {
      case "SignInStarted": {
        const { userId, organizationId, expiresAt } = event.data;
        return { kind: "Active", userId, organizationId, generation: 0, expiresAt, endReason: null };
      }
      case "SignInRefreshed":
        return state.kind === "Initial" ? state : { ...state, generation: event.data.generation, expiresAt: event.data.expiresAt };
      case "SignInEnded":
        return state.kind === "Initial" ? state : { ...state, kind: "Ended", endReason: event.data.reason };
      default:
        return assertNever(event);
    }
  },
  decide: (command, state) => {
    const { context, signInId } = command;
    const at = context.now.toISOString();
    switch (command.type) {
      case "StartSignIn":
        if (state.kind !== "Initial") return [];
        return [
          {
            type: "SignInStarted",
            data: {
              signInId,
              userId: command.userId,
              organizationId: context.organizationId,
              method: command.method,
              expiresAt: command.expiresAt.toISOString(),
              startedAt: at,
            },
          },
        ];
      case "RefreshSignIn":
        if (state.kind !== "Active") throw signedOut();
        if (command.generation < state.generation) {
          return [{ type: "SignInEnded", data: { signInId, reason: "REFRESH_TOKEN_REUSED", endedAt: at } }];
        }
        if (command.generation > state.generation || at >= state.expiresAt) throw signedOut();
        return [
          {
            type: "SignInRefreshed",
            data: { signInId, generation: state.generation + 1, expiresAt: command.expiresAt.toISOString(), refreshedAt: at },
          },
        ];
      case "EndSignIn":
        if (state.kind === "Initial" || state.userId !== command.userId) throw signedOut();
        if (state.kind === "Ended") return [];
        return [{ type: "SignInEnded", data: { signInId, reason: "SIGNED_OUT", endedAt: at } }];
      default:
        return assertNever(command);
    }
  },
};
