import type { CancelRegistration } from "../sessions/decider.js";
import { sessionDecider } from "../sessions/decider.js";
import { SESSION_CATEGORY } from "../sessions/events.js";
import { deterministicUuid } from "../shared/event-metadata.js";
import { streamCategory } from "../shared/event-store.js";
import { userDecider } from "../users/decider.js";
import { USER_CATEGORY } from "../users/events.js";
import {
  correlationOf,
  deadlineAfter,
  type LoggedEvent,
  reached,
  type Routed,
  type Workflow,
  workflowCommandContext,
} from "./workflow.js";

/** How long a sign-up's seat waits for its account before it goes to the next in line. */
export const SIGN_UP_ACCOUNT_DEADLINE_MS = 60_000;

/**
 * The registration id of a sign-up's seat (S8 `signUpAndRegister`): derived from the new
 * user's id alone, which is what tells the log that a registration is a sign-up's. Every other
 * registration id is derived from a command id as well, so none can take this form.
 */
export function signUpRegistrationId(userId: string): string {
  return deterministicUuid(`sign-up-registration/${userId}`);
}

/** The seat an instance watches, as the registration event told it. */
export interface WatchedSeat {
  /** The ParticipantRegistered / ParticipantWaitlisted event: the cancellation's command id is derived from it. */
  eventId: string;
  correlationId: string;
  organizationId: string;
  sessionId: string;
  registrationId: string;
  userId: string;
}

export type SignUpSeatReleaseInput =
  | { type: "SeatTaken"; seat: WatchedSeat; takenAt: string }
  | { type: "RegistrationCanceled" }
  | { type: "AccountRecorded" };

export type SignUpSeatReleaseState = { status: "Idle" } | { status: "AwaitingAccount"; seat: WatchedSeat; deadline: string };

const NAME = "sign-up-seat-release";
const idle: SignUpSeatReleaseState = { status: "Idle" };

function route(event: LoggedEvent): Routed<SignUpSeatReleaseInput> | null {
  const category = streamCategory(event.streamName);
  if (category === USER_CATEGORY && event.type === "UserRegistered") {
    const decoded = userDecider.codec.decode(event);
    return decoded.type === "UserRegistered" ? { instanceId: decoded.data.userId, input: { type: "AccountRecorded" } } : null;
  }
  if (category !== SESSION_CATEGORY) return null;
  const decoded = sessionDecider.codec.decode(event);
  if (decoded.type !== "ParticipantRegistered" && decoded.type !== "ParticipantWaitlisted" && decoded.type !== "RegistrationCanceled") {
    return null;
  }
  const { sessionId, registrationId, userId } = decoded.data;
  if (registrationId !== signUpRegistrationId(userId)) return null;
  if (decoded.type === "RegistrationCanceled") return { instanceId: userId, input: { type: "RegistrationCanceled" } };
  const organizationId = event.metadata.tenantId;
  if (typeof organizationId !== "string") return null;
  const seat = { eventId: event.id, correlationId: correlationOf(event), organizationId, sessionId, registrationId, userId };
  const takenAt = decoded.type === "ParticipantRegistered" ? decoded.data.registeredAt : decoded.data.waitlistedAt;
  return { instanceId: userId, input: { type: "SeatTaken", seat, takenAt } };
}

/**
 * S8 `signUpAndRegister` takes the seat (or a place in line) first, then records the account.
 * When the process dies in between, the seat would be held by a person without an account:
 * unless the account is recorded within SIGN_UP_ACCOUNT_DEADLINE_MS, the registration is
 * canceled, and S9 gives the seat to the first in line in the same append.
 */
export const signUpSeatReleaseWorkflow: Workflow<SignUpSeatReleaseInput, SignUpSeatReleaseState, CancelRegistration> = {
  name: NAME,
  eventTypes: ["ParticipantRegistered", "ParticipantWaitlisted", "RegistrationCanceled", "UserRegistered"],
  route,
  initialState: () => idle,
  evolve: (state, input) => {
    switch (input.type) {
      case "SeatTaken":
        return { status: "AwaitingAccount", seat: input.seat, deadline: deadlineAfter(input.takenAt, SIGN_UP_ACCOUNT_DEADLINE_MS) };
      case "RegistrationCanceled":
      case "AccountRecorded":
        return idle;
      case "TimePassed":
        return state.status === "AwaitingAccount" && reached(state.deadline, input.now) ? idle : state;
    }
  },
  decide: (input, state) => {
    if (input.type !== "TimePassed" || state.status !== "AwaitingAccount" || !reached(state.deadline, input.now)) return [];
    const { seat } = state;
    return [
      {
        type: "CancelRegistration",
        sessionId: seat.sessionId,
        registrationId: seat.registrationId,
        comment: "The account could not be created",
        context: workflowCommandContext(NAME, seat, input.now),
      },
    ];
  },
  deadline: (state) => (state.status === "AwaitingAccount" ? new Date(state.deadline) : null),
};
