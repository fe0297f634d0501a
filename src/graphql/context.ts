import { randomUUID } from "node:crypto";
import DataLoader from "dataloader";
import type { Principal } from "../adapters/auth/tokens.js";
import type { App } from "../app.js";
import type { CommandContext } from "../domain/shared/decider.js";
import { deterministicUuid } from "../domain/shared/event-metadata.js";
import type { UserRecord } from "../projections/identity.queries.js";
import type { SessionRecord } from "../projections/sessions.queries.js";
import { unauthenticated } from "./errors.js";

export interface Loaders {
  userById: DataLoader<string, UserRecord | null>;
  sessionById: DataLoader<string, SessionRecord | null>;
}

export interface GraphQLContext {
  app: App;
  principal: Principal | null;
  /** Correlation id of this request: every event it causes carries it. */
  requestId: string;
  loaders: Loaders;
}

export async function buildContext(app: App, authorization: unknown, requestId?: string): Promise<GraphQLContext> {
  const principal = await authenticate(app, authorization);
  return {
    app,
    principal,
    requestId: requestId && /^[\w-]{1,100}$/.test(requestId) ? requestId : randomUUID(),
    loaders: principal ? createLoaders(app, principal.organizationId) : emptyLoaders(),
  };
}

async function authenticate(app: App, authorization: unknown): Promise<Principal | null> {
  if (typeof authorization !== "string") return null;
  const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  if (!match) return null;
  return app.tokens.verify(match[1]!);
}

/** Per request and per organization: a loader never returns another tenant's rows. */
function createLoaders(app: App, organizationId: string): Loaders {
  return {
    userById: new DataLoader(async (ids) => {
      const found = app.identityQueries.usersByIds(organizationId, ids);
      return ids.map((id) => found.get(id) ?? null);
    }),
    sessionById: new DataLoader(async (ids) => {
      const found = app.sessionQueries.byIds(organizationId, ids);
      return ids.map((id) => found.get(id) ?? null);
    }),
  };
}

function emptyLoaders(): Loaders {
  return {
    userById: new DataLoader(async (ids) => ids.map(() => null)),
    sessionById: new DataLoader(async (ids) => ids.map(() => null)),
  };
}

export function requirePrincipal(context: GraphQLContext): Principal {
  if (!context.principal) throw unauthenticated();
  return context.principal;
}

/**
 * Context of a command sent by the caller. With an idempotency key, the command id (and so
 * the event ids) is the same on every retry of the same operation by the same user.
 */
export function commandContext(context: GraphQLContext, operation: string, idempotencyKey?: string | null): CommandContext {
  const principal = requirePrincipal(context);
  return {
    commandId: idempotencyKey
      ? deterministicUuid(`${principal.organizationId}/${principal.userId}/${operation}/${idempotencyKey}`)
      : randomUUID(),
    organizationId: principal.organizationId,
    actorId: principal.userId,
    now: new Date(),
    correlationId: context.requestId,
  };
}
