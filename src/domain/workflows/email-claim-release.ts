import { streamCategory } from "../shared/event-store.js";
import { userDecider } from "../users/decider.js";
import { EMAIL_CLAIM_CATEGORY, emailClaimDecider, emailClaimStreamName, type ReleaseEmail } from "../users/email-claim.js";
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

/** How long a claimed address waits for its user to be registered before it is free again. */
export const EMAIL_CLAIM_DEADLINE_MS = 60_000;

/** The claim an instance watches, as its EmailClaimed event told it. */
export interface WatchedClaim {
  /** The EmailClaimed event: the release's command id is derived from it. */
  eventId: string;
  correlationId: string;
  organizationId: string;
  email: string;
  userId: string;
}

export type EmailClaimReleaseInput =
  | { type: "EmailClaimed"; claim: WatchedClaim; claimedAt: string }
  | { type: "EmailClaimReleased" }
  | { type: "UserRegistered" };

export type EmailClaimReleaseState = { status: "Idle" } | { status: "AwaitingUser"; claim: WatchedClaim; deadline: string };

const NAME = "email-claim-release";
const idle: EmailClaimReleaseState = { status: "Idle" };

/** One instance per address and claimant: the claimant registered under another address settles nothing here. */
const instanceOf = (claimStream: string, userId: string) => `${claimStream}/${userId}`;

function route(event: LoggedEvent): Routed<EmailClaimReleaseInput> | null {
  const category = streamCategory(event.streamName);
  if (category === EMAIL_CLAIM_CATEGORY) {
    const decoded = emailClaimDecider.codec.decode(event);
    const instanceId = instanceOf(event.streamName, decoded.data.userId);
    if (decoded.type === "EmailClaimReleased") return { instanceId, input: { type: "EmailClaimReleased" } };
    const { organizationId, email, userId, claimedAt } = decoded.data;
    const claim = { eventId: event.id, correlationId: correlationOf(event), organizationId, email, userId };
    return { instanceId, input: { type: "EmailClaimed", claim, claimedAt } };
  }
  if (category === USER_CATEGORY && event.type === "UserRegistered") {
    const decoded = userDecider.codec.decode(event);
    if (decoded.type !== "UserRegistered") return null;
    const { organizationId, email, userId } = decoded.data;
    return { instanceId: instanceOf(emailClaimStreamName(organizationId, email), userId), input: { type: "UserRegistered" } };
  }
  return null;
}

/**
 * §0: an address is claimed on its own stream before its user is registered
 * (user-registration.ts). When the process dies in between, the claim would hold the address
 * for a user who does not exist: unless that user is registered with that address within
 * EMAIL_CLAIM_DEADLINE_MS of the claim, the claim is released.
 */
export const emailClaimReleaseWorkflow: Workflow<EmailClaimReleaseInput, EmailClaimReleaseState, ReleaseEmail> = {
  name: NAME,
  eventTypes: ["EmailClaimed", "EmailClaimReleased", "UserRegistered"],
  route,
  initialState: () => idle,
  evolve: (state, input) => {
    switch (input.type) {
      case "EmailClaimed":
        return { status: "AwaitingUser", claim: input.claim, deadline: deadlineAfter(input.claimedAt, EMAIL_CLAIM_DEADLINE_MS) };
      case "EmailClaimReleased":
      case "UserRegistered":
        return idle;
      case "TimePassed":
        return state.status === "AwaitingUser" && reached(state.deadline, input.now) ? idle : state;
    }
  },
  decide: (input, state) => {
    if (input.type !== "TimePassed" || state.status !== "AwaitingUser" || !reached(state.deadline, input.now)) return [];
    const { claim } = state;
    return [
      {
        type: "ReleaseEmail",
        email: claim.email,
        userId: claim.userId,
        context: workflowCommandContext(NAME, claim, input.now),
      },
    ];
  },
  deadline: (state) => (state.status === "AwaitingUser" ? new Date(state.deadline) : null),
};
