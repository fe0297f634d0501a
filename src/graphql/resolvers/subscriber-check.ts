import { GraphQLError } from "graphql";
import type { App } from "../../app.js";
import { type Actor, isStaff } from "../../domain/access/actor.js";
import { mayCall, type Operation } from "../../domain/access/authorization.js";
import type { RecordedEvent } from "../../domain/shared/event-store.js";
import type { ApiKeyRecord } from "../../projections/api-keys.queries.js";
import type { UserRecord } from "../../projections/identity.queries.js";
import { usersProjection } from "../../projections/identity.projection.js";
import type { Projection } from "../../projections/projection.js";
import { apiKeysProjection } from "../../projections/api-keys.projection.js";
import { signInsProjection } from "../../projections/sign-ins.projection.js";
import { teamsProjection } from "../../projections/teams.projection.js";
import { actAs, authorize, type GraphQLContext } from "../context.js";

/**
 * A subscription outlives the request that opened it, so on every delivery it re-checks the
 * caller as they stand now: the access token's expiry (from the clock), their sign-in (signOut,
 * refresh-token reuse), status, roles and teams, or their API key. Lost rights either narrow
 * what is delivered (the resolvers filter with `current()`, and field resolvers such as
 * `privateNote` read the refreshed `context.actor`) or end the subscription with
 * UNAUTHENTICATED / FORBIDDEN.
 */
export class SubscriberCheck {
  readonly #context: GraphQLContext;
  readonly #operation: Operation;
  readonly #initial: Actor;
  readonly #standings: Standings;

  /** Authorizes the subscription as it is opened (throws as the operation would). */
  constructor(context: GraphQLContext, operation: Operation) {
    this.#context = context;
    this.#operation = operation;
    this.#initial = authorize(context, operation);
    this.#standings = standingsOf(context.app);
  }

  /** The caller as subscribed. */
  get actor(): Actor {
    return this.#initial;
  }

  /**
   * The caller with their current rights, also set on the context; throws the error that ends
   * the subscription when the token expired, the sign-in ended, the account or key is gone, or
   * the operation itself is no longer allowed. At most one read-model lookup per caller and
   * identity change (shared by all their subscriptions), none on most deliveries.
   */
  current(): Actor {
    const context = this.#context;
    const expiresAt = context.credential?.expiresAt;
    if (expiresAt && context.app.clock.now().getTime() >= expiresAt.getTime()) {
      throw ended("UNAUTHENTICATED", "The access token has expired: the subscription ended; subscribe again with a new token (refreshAccessToken)");
    }
    const actor = this.#standings.actorNow(this.#initial, context.signInId, context.credential?.rolesFromToken ?? false);
    if (!mayCall(actor, this.#operation)) {
      throw ended(
        "FORBIDDEN",
        actor.kind === "API_KEY"
          ? `This API key may no longer use ${this.#operation}: the subscription ended`
          : `Your roles no longer allow ${this.#operation}: the subscription ended`,
        { operation: this.#operation },
      );
    }
    if (context.actor && !sameRights(context.actor, actor)) {
      actAs(context, actor);
      const user = actor.kind === "USER" ? this.#standings.userOf(actor.userId, context.signInId) : null;
      if (user) context.loaders.userById.prime(user.id, user);
    }
    return actor;
  }

  /**
   * Calls `end` with the error as soon as an event about the caller's account, sign-in or key
   * that takes their rights away is projected, without waiting for the next delivery.
   */
  watch(end: (error: unknown) => void): () => void {
    const actor = this.#initial;
    const keys =
      actor.kind === "API_KEY"
        ? [`apikey:${actor.apiKeyId}`]
        : [`user:${actor.userId}`, ...(this.#context.signInId ? [`signin:${this.#context.signInId}`] : [])];
    return this.#standings.watch(keys, () => {
      try {
        this.current();
      } catch (error) {
        end(error);
      }
    });
  }
}

function ended(code: "UNAUTHENTICATED" | "FORBIDDEN", message: string, details: Record<string, unknown> = {}): GraphQLError {
  // A GraphQLError (not a DomainError): it keeps its code when it ends an iterator, where graphql-ws wraps it.
  return new GraphQLError(message, { extensions: { code, ...details } });
}

function sameRights(a: Actor, b: Actor): boolean {
  const same = (x: readonly string[], y: readonly string[]) => x.length === y.length && x.every((item, i) => item === y[i]);
  if (a.kind === "API_KEY") return b.kind === "API_KEY" && same(a.scopes, b.scopes);
  return b.kind === "USER" && same(a.roles, b.roles) && same(a.teamIds, b.teamIds);
}

type Standing =
  | { kind: "USER"; user: UserRecord | null; signInEnded: boolean; teamIds?: readonly string[] }
  | { kind: "API_KEY"; key: ApiKeyRecord | null };

/** The projections writing every row a standing reads: only their events can change one. */
const IDENTITY_PROJECTIONS: readonly Projection[] = [usersProjection, signInsProjection, apiKeysProjection, teamsProjection];
const handledBy = (projection: Projection, event: RecordedEvent) => projection.handles !== "ALL" && projection.handles.has(event.type);
const MAX_CACHED = 10_000;

/**
 * Per app: callers' standings as the read models hold them, shared by every subscription and
 * dropped whenever an identity event is projected (so a lookup happens once per caller after a
 * change, not once per delivery and subscriber).
 */
class Standings {
  readonly #app: App;
  readonly #cache = new Map<string, Standing>();
  readonly #watchers = new Map<string, Set<() => void>>();

  constructor(app: App) {
    this.#app = app;
    app.projector.onProjected((event) => {
      if (!IDENTITY_PROJECTIONS.some((projection) => handledBy(projection, event))) return;
      this.#cache.clear();
      const key = handledBy(usersProjection, event)
        ? `user:${String(event.data.userId)}`
        : handledBy(signInsProjection, event)
          ? `signin:${String(event.data.signInId)}`
          : handledBy(apiKeysProjection, event)
            ? `apikey:${String(event.data.apiKeyId)}`
            : null;
      for (const watcher of [...(key ? (this.#watchers.get(key) ?? []) : [])]) watcher();
    });
  }

  actorNow(initial: Actor, signInId: string | null, rolesFromToken: boolean): Actor {
    if (initial.kind === "API_KEY") {
      const standing = this.#standing(`apikey:${initial.apiKeyId}`, () => ({
        kind: "API_KEY",
        key: this.#app.apiKeyQueries.byId(initial.apiKeyId),
      }));
      const key = standing.kind === "API_KEY" ? standing.key : null;
      if (!key || key.revokedAt) throw ended("UNAUTHENTICATED", "This API key was revoked: the subscription ended");
      return { ...initial, scopes: key.scopes };
    }
    const standing = this.#userStanding(initial.userId, signInId);
    const user = standing.user;
    if (!user) throw ended("UNAUTHENTICATED", "The account was not found: the subscription ended");
    if (user.status === "DEACTIVATED") throw ended("UNAUTHENTICATED", "This account is deactivated: the subscription ended");
    if (standing.signInEnded) throw ended("UNAUTHENTICATED", "This sign-in has ended (signed out): the subscription ended; sign in again");
    const actor: Actor = { ...initial, roles: rolesFromToken ? initial.roles : user.roles, teamIds: [] };
    // As at authentication: only learners' visibility depends on their teams (S5).
    if (!isStaff(actor)) {
      standing.teamIds ??= this.#app.teamQueries.teamIdsByUserIds(user.organizationId, [user.id]).get(user.id) ?? [];
      actor.teamIds = standing.teamIds;
    }
    return actor;
  }

  userOf(userId: string, signInId: string | null): UserRecord | null {
    return this.#userStanding(userId, signInId).user;
  }

  watch(keys: string[], watcher: () => void): () => void {
    for (const key of keys) {
      let set = this.#watchers.get(key);
      if (!set) this.#watchers.set(key, (set = new Set()));
      set.add(watcher);
    }
    return () => {
      for (const key of keys) {
        const set = this.#watchers.get(key);
        set?.delete(watcher);
        if (set?.size === 0) this.#watchers.delete(key);
      }
    };
  }

  #userStanding(userId: string, signInId: string | null): Extract<Standing, { kind: "USER" }> {
    const standing = this.#standing(`user:${userId}:${signInId ?? ""}`, () => {
      const holder = this.#app.identityQueries.tokenHolder(userId, signInId);
      return { kind: "USER", user: holder?.user ?? null, signInEnded: holder?.signInEnded ?? false };
    });
    return standing as Extract<Standing, { kind: "USER" }>;
  }

  #standing(key: string, read: () => Standing): Standing {
    let standing = this.#cache.get(key);
    if (!standing) {
      standing = read();
      if (this.#cache.size >= MAX_CACHED) this.#cache.clear();
      this.#cache.set(key, standing);
    }
    return standing;
  }
}

const standings = new WeakMap<App, Standings>();

function standingsOf(app: App): Standings {
  let found = standings.get(app);
  if (!found) standings.set(app, (found = new Standings(app)));
  return found;
}
