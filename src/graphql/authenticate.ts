import { decodeJwt } from "jose";
import { apiKeyIdOf, looksLikeApiKey, secretMatches } from "../adapters/auth/api-key-secret.js";
import type { ExternalIdentity } from "../adapters/auth/external-identity.js";
import type { App } from "../app.js";
import { type Actor, isStaff } from "../domain/access/actor.js";
import { deterministicUuid } from "../domain/shared/event-metadata.js";
import type { Role } from "../domain/users/user.js";
import type { UserRecord } from "../projections/identity.queries.js";

export interface Authentication {
  actor: Actor | null;
  /** The calling user's row, already read (primes the request's loader). */
  user?: UserRecord;
  /** The sign-in behind a token of ours (signOut ends it). */
  signInId: string | null;
  /** Why a presented credential was refused: told to the caller when the operation needs one. */
  problem: string | null;
  /** When the access token stops working (absent for API keys); open subscriptions end then. */
  expiresAt?: Date | null;
  /** The roles come from the external provider's token, not from our read model. */
  rolesFromToken?: boolean;
}

const ANONYMOUS: Authentication = { actor: null, signInId: null, problem: null };
const refused = (problem: string): Authentication => ({ actor: null, signInId: null, problem });

/** Bearer token → who is calling: an API key, one of our access tokens, or the external provider's. */
export async function authenticate(app: App, authorization: unknown): Promise<Authentication> {
  if (typeof authorization !== "string" || authorization.trim() === "") return ANONYMOUS;
  const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  if (!match) return refused("The Authorization header must be `Bearer <token>`");
  const token = match[1]!;
  if (looksLikeApiKey(token)) return apiKey(app, token);

  const checked = await app.tokens.check(token);
  if (checked.ok) {
    const { userId, organizationId, signInId } = checked.principal;
    const holder = app.identityQueries.tokenHolder(userId, signInId);
    if (!holder || holder.user.organizationId !== organizationId) return refused("The access token is not valid");
    if (holder.signInEnded) return refused("This sign-in has ended (signed out): sign in again");
    return { ...fromUser(app, holder.user, holder.user.roles, signInId), expiresAt: expiryOf(token) };
  }
  if (checked.reason === "EXPIRED") return refused("The access token has expired: get a new one with refreshAccessToken");
  if (app.externalIdentity) {
    const identity = await app.externalIdentity.verify(token);
    if (identity) return { ...(await external(app, identity)), expiresAt: expiryOf(token), rolesFromToken: true };
  }
  return refused("The access token is not valid");
}

/** The `exp` of a token already verified. */
function expiryOf(token: string): Date | null {
  const { exp } = decodeJwt(token);
  return typeof exp === "number" ? new Date(exp * 1000) : null;
}

function apiKey(app: App, secret: string): Authentication {
  const id = apiKeyIdOf(secret);
  const key = id ? app.apiKeyQueries.byId(id) : null;
  if (!key || !secretMatches(secret, key.secretHash)) return refused("The API key is not valid");
  if (key.revokedAt) return refused("This API key was revoked");
  return {
    actor: { kind: "API_KEY", apiKeyId: key.id, organizationId: key.organizationId, scopes: key.scopes },
    signInId: null,
    problem: null,
  };
}

function fromUser(app: App, user: UserRecord, roles: readonly Role[], signInId: string | null): Authentication {
  if (user.status === "DEACTIVATED") return refused("This account is deactivated");
  const actor: Actor = { kind: "USER", userId: user.id, organizationId: user.organizationId, email: user.email, roles, teamIds: [] };
  // Only learners' visibility depends on their teams (S5): staff skip the query.
  if (!isStaff(actor)) {
    actor.teamIds = app.teamQueries.teamIdsByUserIds(user.organizationId, [user.id]).get(user.id) ?? [];
  }
  return { actor, user, signInId, problem: null };
}

/**
 * The provider decides roles and organization; the person gets (or is linked to, by e-mail)
 * a user of ours on first sight so their actions have an author and a history.
 */
async function external(app: App, identity: ExternalIdentity): Promise<Authentication> {
  if (!app.identityQueries.organization(identity.organizationId)) return refused("The token's organization is unknown here");
  const linked = identity.email ? app.identityQueries.userByEmail(identity.organizationId, identity.email) : null;
  const userId = linked?.id ?? deterministicUuid(`external-user/${identity.organizationId}/${identity.issuer}/${identity.subject}`);
  let user = linked ?? app.identityQueries.userById(userId);
  if (!user) {
    if (!identity.email) return refused("The token carries no e-mail: this person cannot be registered");
    const now = app.clock.now();
    const result = await app.userRegistration.register({
      type: "RegisterUser",
      userId,
      email: identity.email,
      displayName: identity.email.split("@")[0]!,
      roles: identity.roles,
      country: null,
      isMember: false,
      passwordHash: null,
      source: "EXTERNAL_IDENTITY",
      context: {
        commandId: deterministicUuid(`register/${userId}`),
        organizationId: identity.organizationId,
        actorId: userId,
        now,
        correlationId: deterministicUuid(`register/${userId}/${now.toISOString()}`),
      },
    });
    await app.caughtUp(result.position);
    user = app.identityQueries.userById(userId);
    if (!user) return refused("The account is being created: try again in a moment");
  }
  return fromUser(app, user, identity.roles, null);
}
