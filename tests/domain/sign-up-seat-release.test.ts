/**
 * S8 `signUpAndRegister`, S9: the sign-up-seat-release workflow. The public link takes a seat
 * (or a place in line) before the account exists; a sign-up's registration is told apart by its
 * id, derived from the new user's id. When the account is not recorded within 60 s (the process
 * died in between) the registration is canceled — S9 then seats the next in line — with a
 * command id derived from the registration event. Pure: time arrives as TimePassed.
 */
import { describe, expect, it } from "vitest";
import type { CancelRegistration } from "../../src/domain/sessions/decider.js";
import { sessionStreamName } from "../../src/domain/sessions/events.js";
import { SCHEMA_VERSION, deterministicUuid } from "../../src/domain/shared/event-metadata.js";
import { userStreamName } from "../../src/domain/users/events.js";
import {
  SIGN_UP_ACCOUNT_DEADLINE_MS,
  signUpRegistrationId,
  signUpSeatReleaseWorkflow,
} from "../../src/domain/workflows/sign-up-seat-release.js";
import type { LoggedEvent } from "../../src/domain/workflows/workflow.js";
import { timePassed, workflowSpec } from "../support/workflow-spec.js";

const ORG = "org-1";
const SESSION = "session-1";
const TAKEN_AT = "2026-11-21T10:00:00.000Z";
const DEADLINE = "2026-11-21T10:01:00.000Z";
const spec = workflowSpec(signUpSeatReleaseWorkflow);

const metadata = (correlationId: string) => ({ tenantId: ORG, correlationId, schemaVersion: SCHEMA_VERSION });

function seatTaken(userId: string, options: { waitlisted?: boolean; registrationId?: string } = {}): LoggedEvent {
  const base = { sessionId: SESSION, registrationId: options.registrationId ?? signUpRegistrationId(userId), userId, registeredBy: userId };
  return {
    id: `seat-of-${userId}`,
    streamName: sessionStreamName(SESSION),
    metadata: metadata("corr-sign-up"),
    ...(options.waitlisted
      ? { type: "ParticipantWaitlisted", data: { ...base, waitlistedAt: TAKEN_AT } }
      : { type: "ParticipantRegistered", data: { ...base, registeredAt: TAKEN_AT } }),
  };
}

function canceled(userId: string, registrationId = signUpRegistrationId(userId)): LoggedEvent {
  return {
    id: `cancel-of-${userId}`,
    type: "RegistrationCanceled",
    streamName: sessionStreamName(SESSION),
    data: {
      sessionId: SESSION,
      registrationId,
      userId,
      previousStatus: "REGISTERED",
      reason: "BY_STAFF",
      comment: "The account could not be created",
      canceledBy: "system:sign-up",
      canceledAt: TAKEN_AT,
    },
    metadata: metadata("corr-sign-up"),
  };
}

function accountRecorded(userId: string): LoggedEvent {
  return {
    id: `account-of-${userId}`,
    type: "UserRegistered",
    streamName: userStreamName(userId),
    data: {
      userId,
      organizationId: ORG,
      email: "newcomer@example.com",
      displayName: "Newcomer",
      roles: ["LEARNER"],
      country: null,
      isMember: false,
      passwordHash: "scrypt$…",
      source: "SIGN_UP",
      registeredBy: userId,
      registeredAt: TAKEN_AT,
    },
    metadata: metadata("corr-sign-up"),
  };
}

const giveBack = (userId: string, now: string): CancelRegistration => ({
  type: "CancelRegistration",
  sessionId: SESSION,
  registrationId: signUpRegistrationId(userId),
  comment: "The account could not be created",
  context: {
    commandId: deterministicUuid(`sign-up-seat-release/seat-of-${userId}`),
    organizationId: ORG,
    actorId: "system:workflows",
    now: new Date(now),
    correlationId: "corr-sign-up",
    causationId: `seat-of-${userId}`,
  },
});

describe("sign-up-seat-release: a sign-up's seat whose account never came goes back", () => {
  it("is canceled 60 s after it was taken, by the workflow, caused by the registration", () => {
    expect(SIGN_UP_ACCOUNT_DEADLINE_MS).toBe(60_000);
    spec.given([seatTaken("newcomer")]).when(timePassed(DEADLINE)).then([giveBack("newcomer", DEADLINE)]);
  });

  it("a place in line too (the session was full)", () => {
    spec.given([seatTaken("newcomer", { waitlisted: true })]).when(timePassed(DEADLINE)).then([giveBack("newcomer", DEADLINE)]);
  });

  it("not before", () => {
    spec.given([seatTaken("newcomer")]).when(timePassed("2026-11-21T10:00:59.999Z")).thenNothing();
  });

  it("once: after the cancellation was decided, time passing asks for nothing more", () => {
    spec.given([seatTaken("newcomer"), timePassed(DEADLINE)]).when(timePassed("2026-11-22T10:00:00.000Z")).thenNothing();
  });

  it("the same registration always gives the same command id", () => {
    const later = "2026-11-23T10:00:00.000Z";
    const [first] = spec.given([seatTaken("newcomer")]).when(timePassed(DEADLINE)).then([giveBack("newcomer", DEADLINE)]);
    const [again] = spec.given([seatTaken("newcomer")]).when(timePassed(later)).then([giveBack("newcomer", later)]);
    expect(again!.context.commandId).toBe(first!.context.commandId);
  });
});

describe("sign-up-seat-release: what settles a seat", () => {
  it("the account recorded: the seat stays", () => {
    spec.given([seatTaken("newcomer"), accountRecorded("newcomer")]).when(timePassed(DEADLINE)).thenNothing();
  });

  it("the registration canceled already (the request gave the seat back, or the person left)", () => {
    spec.given([seatTaken("newcomer"), canceled("newcomer")]).when(timePassed(DEADLINE)).thenNothing();
  });

  it("another person's account settles nothing", () => {
    spec.given([seatTaken("newcomer"), accountRecorded("someone-else")]).when(timePassed(DEADLINE)).then([giveBack("newcomer", DEADLINE)]);
  });
});

describe("sign-up-seat-release: only a sign-up's registration is watched", () => {
  it("a registration whose id is not derived from its user's id (registerForSession) is not", () => {
    const ordinary = seatTaken("learner", { registrationId: deterministicUuid("registration/cmd-1/learner") });
    expect(signUpSeatReleaseWorkflow.route(ordinary)).toBeNull();
    spec.given([ordinary]).when(timePassed(DEADLINE)).thenNothing();
  });

  it("the sign-up's id is derived from the user's id alone", () => {
    expect(signUpRegistrationId("newcomer")).toBe(signUpRegistrationId("newcomer"));
    expect(signUpRegistrationId("newcomer")).not.toBe(signUpRegistrationId("newcomer-2"));
    expect(signUpRegistrationId("newcomer")).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("the registration, its cancellation and the account reach one instance: the user's id", () => {
    const routes = [seatTaken("newcomer"), canceled("newcomer"), accountRecorded("newcomer")].map(
      (event) => signUpSeatReleaseWorkflow.route(event)?.instanceId,
    );
    expect(routes).toEqual(["newcomer", "newcomer", "newcomer"]);
  });

  it("reads nothing else of a session", () => {
    const promoted: LoggedEvent = {
      ...seatTaken("newcomer"),
      type: "ParticipantPromotedFromWaitlist",
      data: { sessionId: SESSION, registrationId: signUpRegistrationId("newcomer"), userId: "newcomer", reason: "SEAT_FREED", promotedAt: TAKEN_AT },
    };
    expect(signUpSeatReleaseWorkflow.route(promoted)).toBeNull();
  });
});
