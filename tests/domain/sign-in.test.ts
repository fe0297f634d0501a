/**
 * The sign-in decider (tokens with refresh): a sign-in is a refresh-token
 * family. Each refresh rotates to the next generation; presenting an older generation means the
 * token leaked, so the whole sign-in ends (REFRESH_TOKEN_REUSED). Expired, ended or unknown
 * sign-ins and tokens from the future are UNAUTHENTICATED.
 */
import { describe, expect, it } from "vitest";
import { type SignInCommand, signInDecider } from "../../src/domain/sign-ins/decider.js";
import type { SignInEvent } from "../../src/domain/sign-ins/events.js";
import { fold, spec } from "../support/given-when-then.js";
import { NOW_ISO, ORG_ID, context } from "./session-fixtures.js";

const SIGN_IN_ID = "signin-1";
const USER_ID = "user-7";
const EXPIRES = "2026-12-21T10:00:00.000Z"; // 30 days after NOW_ISO
const given = (events: SignInEvent[]) => spec(signInDecider).given(events);

const at = (iso: string) => context({ now: new Date(iso), actorId: `sign-in:${SIGN_IN_ID}` });
const start = (userId = USER_ID): SignInCommand => ({
  type: "StartSignIn",
  signInId: SIGN_IN_ID,
  userId,
  method: "PASSWORD",
  expiresAt: new Date(EXPIRES),
  context: context({ actorId: userId }),
});
const refresh = (generation: number, now = NOW_ISO, expiresAt = "2027-01-01T00:00:00.000Z"): SignInCommand => ({
  type: "RefreshSignIn",
  signInId: SIGN_IN_ID,
  generation,
  expiresAt: new Date(expiresAt),
  context: at(now),
});
const end = (userId = USER_ID): SignInCommand => ({ type: "EndSignIn", signInId: SIGN_IN_ID, userId, context: context({ actorId: userId }) });

const started: SignInEvent = {
  type: "SignInStarted",
  data: { signInId: SIGN_IN_ID, userId: USER_ID, organizationId: ORG_ID, method: "PASSWORD", expiresAt: EXPIRES, startedAt: "2026-11-21T09:00:00.000Z" },
};
const refreshed = (generation: number, expiresAt = EXPIRES): SignInEvent => ({
  type: "SignInRefreshed",
  data: { signInId: SIGN_IN_ID, generation, expiresAt, refreshedAt: "2026-11-21T09:30:00.000Z" },
});
const ended = (reason: "SIGNED_OUT" | "REFRESH_TOKEN_REUSED"): SignInEvent => ({
  type: "SignInEnded",
  data: { signInId: SIGN_IN_ID, reason, endedAt: "2026-11-21T09:45:00.000Z" },
});

describe("StartSignIn", () => {
  it("starts a sign-in at generation 0 in the actor's organization", () => {
    given([])
      .when(start())
      .then([
        {
          type: "SignInStarted",
          data: { signInId: SIGN_IN_ID, userId: USER_ID, organizationId: ORG_ID, method: "PASSWORD", expiresAt: EXPIRES, startedAt: NOW_ISO },
        },
      ]);
    expect(fold(signInDecider, [started])).toMatchObject({ kind: "Active", generation: 0, userId: USER_ID, endReason: null });
  });

  it("is idempotent: starting it again records nothing", () => {
    given([started]).when(start()).thenNothing();
    given([started, ended("SIGNED_OUT")]).when(start()).thenNothing();
  });
});

describe("RefreshSignIn (rotation)", () => {
  it("rotates generation 0 to 1 with the new expiry", () => {
    given([started])
      .when(refresh(0))
      .then([
        {
          type: "SignInRefreshed",
          data: { signInId: SIGN_IN_ID, generation: 1, expiresAt: "2027-01-01T00:00:00.000Z", refreshedAt: NOW_ISO },
        },
      ]);
  });

  it("rotates the current generation, whatever it is", () => {
    given([started, refreshed(1), refreshed(2)])
      .when(refresh(2))
      .then([expect.objectContaining({ type: "SignInRefreshed", data: expect.objectContaining({ generation: 3 }) }) as SignInEvent]);
  });

  it("an older generation means the token leaked: the sign-in ends with REFRESH_TOKEN_REUSED", () => {
    given([started, refreshed(1)])
      .when(refresh(0))
      .then([{ type: "SignInEnded", data: { signInId: SIGN_IN_ID, reason: "REFRESH_TOKEN_REUSED", endedAt: NOW_ISO } }]);
    const state = fold(signInDecider, [started, refreshed(1), ended("REFRESH_TOKEN_REUSED")]);
    expect(state).toMatchObject({ kind: "Ended", endReason: "REFRESH_TOKEN_REUSED" });
  });

  it("after a reuse even the current generation no longer works", () => {
    given([started, refreshed(1), ended("REFRESH_TOKEN_REUSED")]).when(refresh(1)).thenThrows("UNAUTHENTICATED");
  });

  it("a newer generation than issued is UNAUTHENTICATED (and does not end the sign-in)", () => {
    given([started, refreshed(1)]).when(refresh(2)).thenThrows("UNAUTHENTICATED");
    given([started]).when(refresh(5)).thenThrows("UNAUTHENTICATED");
  });

  it("works until its expiry, UNAUTHENTICATED after it", () => {
    given([started]).when(refresh(0, "2026-12-21T09:59:59.999Z")).then([expect.objectContaining({ type: "SignInRefreshed" }) as SignInEvent]);
    given([started]).when(refresh(0, "2026-12-21T10:00:00.001Z")).thenThrows("UNAUTHENTICATED", /sign in again/);
  });

  it("is UNAUTHENTICATED at exactly its expiry instant (expiresAt is the first instant it no longer works, as JWT exp)", () => {
    given([started]).when(refresh(0, EXPIRES)).thenThrows("UNAUTHENTICATED");
  });

  it("a refresh moves the expiry forward", () => {
    const later = "2027-02-01T00:00:00.000Z";
    given([started, refreshed(1, later)])
      .when(refresh(1, "2027-01-15T00:00:00.000Z"))
      .then([expect.objectContaining({ type: "SignInRefreshed" }) as SignInEvent]);
  });

  it("an ended or unknown sign-in is UNAUTHENTICATED", () => {
    given([started, ended("SIGNED_OUT")]).when(refresh(0)).thenThrows("UNAUTHENTICATED");
    given([]).when(refresh(0)).thenThrows("UNAUTHENTICATED");
  });
});

describe("EndSignIn (sign out)", () => {
  it("ends the sign-in of its user", () => {
    given([started, refreshed(1)])
      .when(end())
      .then([{ type: "SignInEnded", data: { signInId: SIGN_IN_ID, reason: "SIGNED_OUT", endedAt: NOW_ISO } }]);
  });

  it("records nothing the second time", () => {
    given([started, ended("SIGNED_OUT")]).when(end()).thenNothing();
    given([started, ended("REFRESH_TOKEN_REUSED")]).when(end()).thenNothing();
  });

  it("is UNAUTHENTICATED for another user or an unknown sign-in", () => {
    given([started]).when(end("user-other")).thenThrows("UNAUTHENTICATED");
    given([started, ended("SIGNED_OUT")]).when(end("user-other")).thenThrows("UNAUTHENTICATED");
    given([]).when(end()).thenThrows("UNAUTHENTICATED");
  });
});
