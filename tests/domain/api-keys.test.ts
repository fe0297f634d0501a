/**
 * The API-key decider (§0 integrators): a key has a name and at least one known scope
 * (duplicates dropped), only the hash of its secret is recorded, revoking is idempotent,
 * and another organization's key is NOT_FOUND.
 */
import { describe, expect, it } from "vitest";
import { API_KEY_SCOPES } from "../../src/domain/access/actor.js";
import { type ApiKeyCommand, apiKeyDecider } from "../../src/domain/api-keys/decider.js";
import type { ApiKeyEvent } from "../../src/domain/api-keys/events.js";
import type { CommandContext } from "../../src/domain/shared/decider.js";
import { fold, spec } from "../support/given-when-then.js";
import { ACTOR_ID, NOW_ISO, ORG_ID, context } from "./session-fixtures.js";

const KEY_ID = "key-1";
const given = (events: ApiKeyEvent[]) => spec(apiKeyDecider).given(events);

const create = (overrides: { name?: string; scopes?: string[]; context?: CommandContext } = {}): ApiKeyCommand => ({
  type: "CreateApiKey",
  apiKeyId: KEY_ID,
  name: overrides.name ?? "Zapier",
  scopes: overrides.scopes ?? ["sessions:read"],
  secretHash: "a".repeat(64),
  prefix: "sk_abcd",
  context: overrides.context ?? context(),
});
const revoke = (ctx: CommandContext = context()): ApiKeyCommand => ({ type: "RevokeApiKey", apiKeyId: KEY_ID, context: ctx });

const created: ApiKeyEvent = {
  type: "ApiKeyCreated",
  data: {
    apiKeyId: KEY_ID,
    organizationId: ORG_ID,
    name: "Zapier",
    scopes: ["sessions:read"],
    secretHash: "a".repeat(64),
    prefix: "sk_abcd",
    createdBy: ACTOR_ID,
    createdAt: "2026-11-01T00:00:00.000Z",
  },
};
const revoked: ApiKeyEvent = {
  type: "ApiKeyRevoked",
  data: { apiKeyId: KEY_ID, revokedBy: ACTOR_ID, revokedAt: "2026-11-02T00:00:00.000Z" },
};

describe("CreateApiKey", () => {
  it("records the key with its scopes, de-duplicated, and the hash of its secret", () => {
    given([])
      .when(create({ name: " Zapier ", scopes: ["events:read", "sessions:read", "events:read"] }))
      .then([
        {
          type: "ApiKeyCreated",
          data: {
            apiKeyId: KEY_ID,
            organizationId: ORG_ID,
            name: "Zapier",
            scopes: ["events:read", "sessions:read"],
            secretHash: "a".repeat(64),
            prefix: "sk_abcd",
            createdBy: ACTOR_ID,
            createdAt: NOW_ISO,
          },
        },
      ]);
  });

  it("accepts every known scope", () => {
    const [event] = given([])
      .when(create({ scopes: [...API_KEY_SCOPES] }))
      .then([expect.objectContaining({ type: "ApiKeyCreated" }) as ApiKeyEvent]);
    expect(event!.data).toMatchObject({ scopes: [...API_KEY_SCOPES] });
  });

  it.each([
    ["scopes", { scopes: [] }],
    ["scopes.0", { scopes: ["admin"] }],
    ["scopes.1", { scopes: ["sessions:read", "SESSIONS:WRITE"] }],
    ["name", { name: "" }],
    ["name", { name: "x".repeat(201) }],
  ] as const)("refuses an invalid %s: %j", (field, overrides) => {
    given([])
      .when(create(overrides as { name?: string; scopes?: string[] }))
      .thenThrows("VALIDATION", undefined, { field });
  });

  it("is a no-op when the key exists in the same organization, ALREADY_EXISTS in another", () => {
    given([created]).when(create()).thenNothing();
    given([created]).when(create({ context: context({ organizationId: "org-2" }) })).thenThrows("ALREADY_EXISTS");
  });
});

describe("RevokeApiKey", () => {
  it("revokes the key", () => {
    given([created])
      .when(revoke())
      .then([{ type: "ApiKeyRevoked", data: { apiKeyId: KEY_ID, revokedBy: ACTOR_ID, revokedAt: NOW_ISO } }]);
    expect(fold(apiKeyDecider, [created, revoked])).toEqual({ kind: "Existing", organizationId: ORG_ID, revoked: true });
  });

  it("records nothing the second time", () => {
    given([created, revoked]).when(revoke()).thenNothing();
  });

  it("NOT_FOUND for no key and for another organization's key (§0 tenancy)", () => {
    given([]).when(revoke()).thenThrows("NOT_FOUND", /API key key-1 was not found/);
    given([created]).when(revoke(context({ organizationId: "org-2" }))).thenThrows("NOT_FOUND", /API key key-1 was not found/);
    given([created, revoked]).when(revoke(context({ organizationId: "org-2" }))).thenThrows("NOT_FOUND");
  });
});
