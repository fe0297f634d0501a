/**
 * §0 unique e-mails: the email-claim-release workflow. An address is claimed before its user is
 * registered; a claim whose user was not registered with that address within 60 s (the process
 * died in between) is released, with a command id derived from the claim event, so sending it
 * again is the same command. Pure: time arrives as TimePassed.
 */
import { describe, expect, it } from "vitest";
import { SCHEMA_VERSION, deterministicUuid } from "../../src/domain/shared/event-metadata.js";
import type { ReleaseEmail } from "../../src/domain/users/email-claim.js";
import { emailClaimStreamName } from "../../src/domain/users/email-claim.js";
import { userStreamName } from "../../src/domain/users/events.js";
import { EMAIL_CLAIM_DEADLINE_MS, emailClaimReleaseWorkflow } from "../../src/domain/workflows/email-claim-release.js";
import type { LoggedEvent } from "../../src/domain/workflows/workflow.js";
import { timePassed, workflowSpec } from "../support/workflow-spec.js";

const ORG = "org-1";
const CLAIMED_AT = "2026-11-21T10:00:00.000Z";
const DEADLINE = "2026-11-21T10:01:00.000Z";
const spec = workflowSpec(emailClaimReleaseWorkflow);

const metadata = (correlationId = "corr-claim") => ({ tenantId: ORG, correlationId, schemaVersion: SCHEMA_VERSION });

function claimed(userId: string, options: { email?: string; id?: string; at?: string; org?: string } = {}): LoggedEvent {
  const email = options.email ?? "ada@example.com";
  const org = options.org ?? ORG;
  return {
    id: options.id ?? `claim-of-${userId}`,
    type: "EmailClaimed",
    streamName: emailClaimStreamName(org, email),
    data: { organizationId: org, email, userId, claimedAt: options.at ?? CLAIMED_AT },
    metadata: metadata(),
  };
}

function released(userId: string, email = "ada@example.com"): LoggedEvent {
  return {
    id: `release-of-${userId}`,
    type: "EmailClaimReleased",
    streamName: emailClaimStreamName(ORG, email),
    data: { organizationId: ORG, email, userId, releasedAt: CLAIMED_AT },
    metadata: metadata("corr-release"),
  };
}

function userRegistered(userId: string, email = "ada@example.com", org = ORG): LoggedEvent {
  return {
    id: `registration-of-${userId}`,
    type: "UserRegistered",
    streamName: userStreamName(userId),
    data: {
      userId,
      organizationId: org,
      email,
      displayName: "Ada",
      roles: ["LEARNER"],
      country: null,
      isMember: false,
      passwordHash: null,
      source: "SIGN_UP",
      registeredBy: userId,
      registeredAt: CLAIMED_AT,
    },
    metadata: metadata("corr-user"),
  };
}

const release = (userId: string, now: string, claimEventId = `claim-of-${userId}`): ReleaseEmail => ({
  type: "ReleaseEmail",
  email: "ada@example.com",
  userId,
  context: {
    commandId: deterministicUuid(`email-claim-release/${claimEventId}`),
    organizationId: ORG,
    actorId: "system:workflows",
    now: new Date(now),
    correlationId: "corr-claim",
    causationId: claimEventId,
  },
});

describe("email-claim-release: a claim whose user never came is released", () => {
  it("is released once 60 s have passed since the claim, by the workflow, caused by the claim", () => {
    expect(EMAIL_CLAIM_DEADLINE_MS).toBe(60_000);
    spec.given([claimed("user-a")]).when(timePassed(DEADLINE)).then([release("user-a", DEADLINE)]);
  });

  it("is not released before", () => {
    spec.given([claimed("user-a")]).when(timePassed("2026-11-21T10:00:59.999Z")).thenNothing();
  });

  it("also long after the deadline (a runner that was down), with that later time", () => {
    const later = "2026-11-22T08:00:00.000Z";
    spec.given([claimed("user-a"), timePassed("2026-11-21T10:00:30.000Z")]).when(timePassed(later)).then([release("user-a", later)]);
  });

  it("the same claim always gives the same command id: sending it again is the same command", () => {
    const [first] = spec.given([claimed("user-a")]).when(timePassed(DEADLINE)).then([release("user-a", DEADLINE)]);
    const [again] = spec.given([claimed("user-a")]).when(timePassed("2026-11-21T11:00:00.000Z")).then([release("user-a", "2026-11-21T11:00:00.000Z")]);
    expect(again!.context.commandId).toBe(first!.context.commandId);
  });

  it("is released once: after the release was decided, time passing asks for nothing more", () => {
    spec.given([claimed("user-a"), timePassed(DEADLINE)]).when(timePassed("2026-11-21T12:00:00.000Z")).thenNothing();
    expect([...spec.given([claimed("user-a"), timePassed(DEADLINE)]).states().values()]).toEqual([{ status: "Idle" }]);
  });
});

describe("email-claim-release: what settles a claim", () => {
  it("its user registered with that address (in any casing): never released", () => {
    spec.given([claimed("user-a"), userRegistered("user-a", "Ada@Example.COM")]).when(timePassed(DEADLINE)).thenNothing();
  });

  it("the claim already released (the request's own compensation)", () => {
    spec.given([claimed("user-a"), released("user-a")]).when(timePassed(DEADLINE)).thenNothing();
  });

  it("not its user registered under another address (an external identity re-registered): still released", () => {
    spec
      .given([userRegistered("user-a", "bob@example.com"), claimed("user-a")])
      .when(timePassed(DEADLINE))
      .then([release("user-a", DEADLINE)]);
  });

  it("not its user registered in another organization: still released", () => {
    spec.given([claimed("user-a"), userRegistered("user-a", "ada@example.com", "org-2")]).when(timePassed(DEADLINE)).then([release("user-a", DEADLINE)]);
  });

  it("not another user registered with that address: still released (the claim is user-a's)", () => {
    spec.given([claimed("user-a"), userRegistered("user-b")]).when(timePassed(DEADLINE)).then([release("user-a", DEADLINE)]);
  });

  it("a release then a new claim by the same user: the new claim's deadline and id", () => {
    const second = claimed("user-a", { id: "second-claim", at: "2026-11-21T10:05:00.000Z" });
    const history = [claimed("user-a"), released("user-a"), second];
    spec.given(history).when(timePassed("2026-11-21T10:05:59.999Z")).thenNothing();
    spec.given(history).when(timePassed("2026-11-21T10:06:00.000Z")).then([release("user-a", "2026-11-21T10:06:00.000Z", "second-claim")]);
  });

  it("each claim is its own instance: two addresses of two organizations are released apart", () => {
    const other = claimed("user-b", { email: "ada@example.com", org: "org-2" });
    const outputs = spec.given([claimed("user-a"), other]).when(timePassed(DEADLINE)).then([
      release("user-a", DEADLINE),
      { ...release("user-b", DEADLINE), context: { ...release("user-b", DEADLINE).context, organizationId: "org-2" } },
    ]);
    expect(new Set(outputs.map((output) => output.context.commandId)).size).toBe(2);
  });
});

describe("email-claim-release: routing", () => {
  it("a claim and its user's registration reach the same instance (the address compared lower-cased)", () => {
    const claim = emailClaimReleaseWorkflow.route(claimed("user-a"));
    const registration = emailClaimReleaseWorkflow.route(userRegistered("user-a", " ADA@example.com "));
    expect(claim?.instanceId).toBe(`${emailClaimStreamName(ORG, "ada@example.com")}/user-a`);
    expect(registration?.instanceId).toBe(claim?.instanceId);
  });

  it("reads nothing else", () => {
    expect(emailClaimReleaseWorkflow.route({ ...userRegistered("user-a"), type: "UserDeactivated" })).toBeNull();
    expect(emailClaimReleaseWorkflow.route({ ...claimed("user-a"), streamName: "session-1", type: "SessionCreated" })).toBeNull();
  });
});
