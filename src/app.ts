import type Database from "better-sqlite3";
import fs from "node:fs";
import { pino, type Logger } from "pino";
import { resolveJwtSecret } from "./adapters/auth/jwt-secret.js";
import { TokenService } from "./adapters/auth/tokens.js";
import { openEventStore, readModelsFile } from "./adapters/event-store/open-event-store.js";
import type { Config } from "./config.js";
import { organizationDecider, type OrganizationCommand, type OrganizationEvent, type OrganizationState } from "./domain/organizations/organization.js";
import type { SessionCommand } from "./domain/sessions/commands.js";
import { sessionDecider, type SessionState } from "./domain/sessions/decider.js";
import type { SessionEvent } from "./domain/sessions/events.js";
import { CommandHandler } from "./domain/shared/command-handler.js";
import type { EventStore } from "./domain/shared/event-store.js";
import { userDecider, type UserCommand, type UserEvent, type UserState } from "./domain/users/user.js";
import { ALL_PROJECTIONS } from "./projections/all-projections.js";
import { IdentityQueries } from "./projections/identity.queries.js";
import { Projector } from "./projections/projector.js";
import { openReadModels } from "./projections/read-model-db.js";
import { SessionQueries } from "./projections/sessions.queries.js";

/** Everything a request needs, built once at start (the composition root). */
export interface App {
  config: Config;
  logger: Logger;
  store: EventStore;
  readModels: Database.Database;
  projector: Projector;
  tokens: TokenService;
  sessionQueries: SessionQueries;
  identityQueries: IdentityQueries;
  sessions: CommandHandler<SessionCommand, SessionEvent, SessionState>;
  organizations: CommandHandler<OrganizationCommand, OrganizationEvent, OrganizationState>;
  users: CommandHandler<UserCommand, UserEvent, UserState>;
  /** Resolves once the read models include `position` (read-your-writes); false on timeout. */
  caughtUp(position: bigint | null): Promise<boolean>;
  close(): Promise<void>;
}

export function createApp(config: Config, options: { logger?: Logger; store?: EventStore } = {}): App {
  fs.mkdirSync(config.dataDir, { recursive: true });
  const logger = options.logger ?? pino({ level: config.logLevel });
  const store = options.store ?? openEventStore(config.dataDir);
  const readModels = openReadModels(readModelsFile(config.dataDir));
  const projector = new Projector(store, readModels, ALL_PROJECTIONS);
  projector.start();

  return {
    config,
    logger,
    store,
    readModels,
    projector,
    tokens: new TokenService(resolveJwtSecret(config.jwtSecret, config.dataDir), config.accessTokenTtlSeconds),
    sessionQueries: new SessionQueries(readModels),
    identityQueries: new IdentityQueries(readModels),
    sessions: new CommandHandler(store, sessionDecider),
    organizations: new CommandHandler(store, organizationDecider),
    users: new CommandHandler(store, userDecider),
    async caughtUp(position) {
      if (position === null) return true;
      const reached = await projector.waitFor(position, config.readYourWritesTimeoutMs);
      if (!reached) logger.warn({ position: String(position) }, "read models did not catch up in time");
      return reached;
    },
    async close() {
      await projector.stop();
      readModels.close();
      await store.close();
    },
  };
}
