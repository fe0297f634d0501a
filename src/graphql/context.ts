import { createHash, randomUUID } from "node:crypto";
import DataLoader from "dataloader";
import type { App } from "../app.js";
import { type Actor, actorIdOf } from "../domain/access/actor.js";
import { authorize as authorizeWithTable, mayCall, type Operation, type Resource } from "../domain/access/authorization.js";
import type { CommandContext } from "../domain/shared/decider.js";
import { DomainError } from "../domain/shared/errors.js";
import { canonicalJson, deterministicUuid } from "../domain/shared/event-metadata.js";
import type { OrganizationRecord, Page, UserRecord } from "../projections/identity.queries.js";
import type { RegistrationPage, RegistrationRecord, SessionRoster } from "../projections/registrations.queries.js";
import type { SessionRecord } from "../projections/sessions.queries.js";
import type { TeamRecord } from "../projections/teams.queries.js";
import { registrationConfirmationKey } from "../adapters/side-effects/mail-notifications.reactor.js";
import { authenticate } from "./authenticate.js";
import { type FirstPageKey, firstPageLoader } from "./first-page-loader.js";
import { unauthenticated } from "./errors.js";

export interface Loaders {
  /** The caller's organization (its settings), read once per request. */
  organization: DataLoader<string, OrganizationRecord | null>;
  userById: DataLoader<string, UserRecord | null>;
  sessionById: DataLoader<string, SessionRecord | null>;
  teamById: DataLoader<string, TeamRecord | null>;
  /** First pages of teams' members, batched across the teams of a page. */
  firstMemberPage: DataLoader<FirstPageKey<{ first: number }>, Page<UserRecord>, string>;
  /** First pages of users' teams, batched across the users of a page (the caller's organization, or their own account's). */
  firstTeamPage: DataLoader<FirstPageKey<{ organizationId: string; first: number }>, Page<TeamRecord>, string>;
  /** The caller's registration on each session (active, else the latest canceled one). */
  myRegistrationBySessionId: DataLoader<string, RegistrationRecord | null>;
  /** When each registration's confirmation e-mail was sent (N1), batched. */
  confirmationSentAt: DataLoader<string, Date | null>;
  /** First pages of sessions' rosters, batched across the sessions of a page. */
  firstRosterPage: DataLoader<FirstPageKey<RosterPageArgs>, RegistrationPage, string>;
}

export interface GraphQLContext {
  app: App;
  actor: Actor | null;
  signInId: string | null;
  /** Why the presented credential was refused (expired, revoked…), if it was. */
  authProblem: string | null;
  /** What a long-lived subscription re-checks: the token's expiry, and whether its roles came with it. */
  credential?: { expiresAt: Date | null; rolesFromToken: boolean };
  /** Correlation id of this request: every event it causes carries it. */
  requestId: string;
  clientIp: string;
  loaders: Loaders;
}

export async function buildContext(
  app: App,
  authorization: unknown,
  request: { requestId?: string; clientIp?: string } = {},
): Promise<GraphQLContext> {
  const { actor, user, signInId, problem, expiresAt, rolesFromToken } = await authenticate(app, authorization);
  const { requestId, clientIp } = request;
  const loaders = createLoaders(app, actor?.organizationId ?? null, actor?.kind === "USER" ? actor.userId : null);
  if (user) loaders.userById.prime(user.id, user);
  return {
    app,
    actor,
    signInId,
    authProblem: problem,
    credential: { expiresAt: expiresAt ?? null, rolesFromToken: rolesFromToken ?? false },
    requestId: requestId && /^[\w-]{1,100}$/.test(requestId) ? requestId : randomUUID(),
    clientIp: clientIp ?? "unknown",
    loaders,
  };
}

/** Which roster of a session, filtered how, and how many. */
export interface RosterPageArgs {
  roster: SessionRoster;
  attended: boolean | null;
  first: number;
}

const noPages = <R>(parentIds: readonly string[]) =>
  new Map<string, Page<R>>(parentIds.map((id) => [id, { records: [], totalCount: () => 0, hasNextPage: false }]));

/** Per request and per organization: a loader never returns another tenant's rows. */
function createLoaders(app: App, organizationId: string | null, userId: string | null): Loaders {
  const none = <T>(ids: readonly string[], empty: T) => ids.map(() => empty);
  return {
    organization: new DataLoader(async (ids) => ids.map((id) => (id === organizationId ? app.identityQueries.organization(id) : null))),
    userById: new DataLoader(async (ids) => {
      if (!organizationId) return none(ids, null);
      const found = app.identityQueries.usersByIds(organizationId, ids);
      return ids.map((id) => found.get(id) ?? null);
    }),
    sessionById: new DataLoader(async (ids) => {
      if (!organizationId) return none(ids, null);
      const found = app.sessionQueries.byIds(organizationId, ids);
      return ids.map((id) => found.get(id) ?? null);
    }),
    teamById: new DataLoader(async (ids) => {
      if (!organizationId) return none(ids, null);
      const found = app.teamQueries.byIds(organizationId, ids);
      return ids.map((id) => found.get(id) ?? null);
    }),
    firstMemberPage: firstPageLoader((teamIds, { first }) =>
      organizationId ? app.identityQueries.firstMemberPages(organizationId, teamIds, first) : noPages(teamIds),
    ),
    // Within the organization given: a sign-in's answer shows the person's own teams before they act as anyone.
    firstTeamPage: firstPageLoader((userIds, args) => app.teamQueries.firstTeamPages(args.organizationId, userIds, args.first)),
    // Sessions are loaded within the caller's organization: their ids are enough.
    firstRosterPage: firstPageLoader((sessionIds, { roster, attended, first }) =>
      app.registrationQueries.firstRosterPages(sessionIds, roster, { attended: attended ?? undefined }, first),
    ),
    confirmationSentAt: new DataLoader(async (registrationIds) => {
      const sent = app.sideEffectQueries.succeededAt(registrationIds.map(registrationConfirmationKey));
      return registrationIds.map((id) => {
        const at = sent.get(registrationConfirmationKey(id));
        return at ? new Date(at) : null;
      });
    }),
    myRegistrationBySessionId: new DataLoader(async (ids) => {
      if (!organizationId || !userId) return none(ids, null);
      const found = app.registrationQueries.latestOfUser(organizationId, userId, ids);
      return ids.map((id) => found.get(id) ?? null);
    }),
  };
}

export function requireActor(context: GraphQLContext): Actor {
  if (context.actor) return context.actor;
  if (context.authProblem) throw new DomainError("UNAUTHENTICATED", context.authProblem);
  throw unauthenticated();
}

/** Checks the authorization table (src/domain/access/authorization.ts) and returns the caller. */
export function authorize(context: GraphQLContext, operation: Operation, resource?: Resource): Actor {
  if (!mayCall(context.actor, operation, resource) && !context.actor) requireActor(context);
  authorizeWithTable(context.actor, operation, resource);
  return context.actor!;
}

/**
 * For operations a relation can grant (the session's assignee, the participant…): refuses now
 * whoever would be refused even holding every relation; the resource is checked once loaded.
 */
export function authorizeBeforeLoading(context: GraphQLContext, operation: Operation): Actor {
  const actor = requireActor(context);
  const self = actor.kind === "USER" ? actor.userId : undefined;
  authorizeWithTable(actor, operation, { userId: self, sessionAssigneeId: self, sessionTrainerIds: self ? [self] : [] });
  return actor;
}

/** From now on this request acts as `actor` (a person who just signed up and in). */
export function actAs(context: GraphQLContext, actor: Actor): void {
  context.actor = actor;
  context.loaders = createLoaders(context.app, actor.organizationId, actor.kind === "USER" ? actor.userId : null);
}

/** A person (not an API key). */
export function requireUser(context: GraphQLContext, operation: Operation): Extract<Actor, { kind: "USER" }> {
  const actor = authorize(context, operation);
  if (actor.kind !== "USER") throw new DomainError("FORBIDDEN", `${operation} is for people, not API keys`);
  return actor;
}

/**
 * Context of a command sent by the caller. With an idempotency key (in the mutation's input), the
 * command id (and so the event ids) is the same on every retry of the same operation by the same
 * caller, and the key is bound to a hash of the input: the same key with another input is refused.
 */
export function commandContext(
  context: GraphQLContext,
  operation: string,
  input?: { idempotencyKey?: string | null } | null,
): CommandContext {
  const actor = requireActor(context);
  const actorId = actorIdOf(actor);
  const key = input?.idempotencyKey;
  return {
    commandId: key ? deterministicUuid(`${actor.organizationId}/${actorId}/${operation}/${key}`) : randomUUID(),
    organizationId: actor.organizationId,
    actorId,
    now: context.app.clock.now(),
    correlationId: context.requestId,
    ...(key ? { inputHash: inputHash(input) } : {}),
  };
}

/** sha256 of the input as JSON with sorted keys (dates as ISO strings), the key itself left out. */
function inputHash(input: { idempotencyKey?: string | null }): string {
  const { idempotencyKey: _key, ...rest } = JSON.parse(JSON.stringify(input)) as Record<string, unknown>;
  return createHash("sha256").update(canonicalJson(rest)).digest("hex");
}
