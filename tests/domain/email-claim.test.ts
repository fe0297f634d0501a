/**
 * §0 "e-mail addresses are unique per organization, compared case-insensitively": the claim
 * stream of one address lets exactly one user hold it, never tells who holds it, and can be
 * released only by its holder. Its stream name ignores case and differs per organization.
 */
import { describe, expect, it } from "vitest";
import {
  type EmailClaimCommand,
  type EmailClaimEvent,
  emailClaimDecider,
  emailClaimStreamName,
} from "../../src/domain/users/email-claim.js";
import { spec } from "../support/given-when-then.js";
import { NOW_ISO, ORG_ID, context } from "./session-fixtures.js";

const given = (events: EmailClaimEvent[]) => spec(emailClaimDecider).given(events);

const claim = (userId: string, email = "Ada@Example.com"): EmailClaimCommand => ({ type: "ClaimEmail", email, userId, context: context() });
const release = (userId: string, email = "ada@example.com"): EmailClaimCommand => ({
  type: "ReleaseEmail",
  email,
  userId,
  context: context(),
});
const claimed = (userId: string): EmailClaimEvent => ({
  type: "EmailClaimed",
  data: { organizationId: ORG_ID, email: "ada@example.com", userId, claimedAt: "2026-11-01T00:00:00.000Z" },
});
const released = (userId: string): EmailClaimEvent => ({
  type: "EmailClaimReleased",
  data: { organizationId: ORG_ID, email: "ada@example.com", userId, releasedAt: "2026-11-02T00:00:00.000Z" },
});

describe("ClaimEmail (§0 unique e-mail per organization)", () => {
  it("claims a free address, recorded trimmed and lower-cased", () => {
    given([])
      .when(claim("user-a", "  Ada@Example.COM "))
      .then([{ type: "EmailClaimed", data: { organizationId: ORG_ID, email: "ada@example.com", userId: "user-a", claimedAt: NOW_ISO } }]);
  });

  it("is a no-op for the user who already holds it", () => {
    given([claimed("user-a")]).when(claim("user-a", "ADA@EXAMPLE.COM")).thenNothing();
  });

  it("refuses another user with ALREADY_EXISTS on field email, without revealing the holder", () => {
    const error = given([claimed("user-a")]).when(claim("user-b")).thenThrows("ALREADY_EXISTS", /already exists/, { field: "email" });
    expect(error.message).not.toContain("user-a");
    expect(JSON.stringify(error.details)).not.toContain("user-a");
  });

  it("lets another user claim it once released", () => {
    given([claimed("user-a"), released("user-a")])
      .when(claim("user-b"))
      .then([{ type: "EmailClaimed", data: { organizationId: ORG_ID, email: "ada@example.com", userId: "user-b", claimedAt: NOW_ISO } }]);
  });
});

describe("ReleaseEmail", () => {
  it("releases the holder's claim", () => {
    given([claimed("user-a")])
      .when(release("user-a", "ADA@example.com"))
      .then([
        { type: "EmailClaimReleased", data: { organizationId: ORG_ID, email: "ada@example.com", userId: "user-a", releasedAt: NOW_ISO } },
      ]);
  });

  it("is a no-op for anyone but the holder", () => {
    given([claimed("user-a")]).when(release("user-b")).thenNothing();
  });

  it("is a no-op when the address is free (never claimed, or already released)", () => {
    given([]).when(release("user-a")).thenNothing();
    given([claimed("user-a"), released("user-a")]).when(release("user-a")).thenNothing();
  });
});

describe("emailClaimStreamName", () => {
  it("ignores case and surrounding spaces of the e-mail", () => {
    const name = emailClaimStreamName("org-1", "ada@example.com");
    expect(emailClaimStreamName("org-1", "ADA@Example.Com")).toBe(name);
    expect(emailClaimStreamName("org-1", "  Ada@example.com ")).toBe(name);
  });

  it("differs per organization and per e-mail", () => {
    const name = emailClaimStreamName("org-1", "ada@example.com");
    expect(emailClaimStreamName("org-2", "ada@example.com")).not.toBe(name);
    expect(emailClaimStreamName("org-1", "eve@example.com")).not.toBe(name);
  });

  it("is in the useremail category and does not carry the address in clear", () => {
    const name = emailClaimStreamName("org-1", "ada@example.com");
    expect(name).toMatch(/^useremail-[0-9a-f]+$/);
    expect(name).not.toContain("ada");
  });
});
