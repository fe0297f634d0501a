import type Database from "better-sqlite3";
import fs from "node:fs";
import { pino, type Logger } from "pino";
import { AttendanceLinks } from "./adapters/attendance/attendance-links.js";
import { systemClock } from "./adapters/clock/system-clock.js";
import { ExternalIdentityVerifier } from "./adapters/auth/external-identity.js";
import { resolveJwtSecret } from "./adapters/auth/jwt-secret.js";
import { SignInRateLimiter } from "./adapters/auth/sign-in-rate-limiter.js";
import { SignedTokens } from "./adapters/auth/signed-tokens.js";
import { TokenService } from "./adapters/auth/tokens.js";
import { eventStoreIdentity, openEventStore, readModelsFile } from "./adapters/event-store/open-event-store.js";
import { createMailer, type Mailer } from "./adapters/mail/mailer.js";
import { MailNotificationsReactor } from "./adapters/side-effects/mail-notifications.reactor.js";
import { SideEffectRunner } from "./adapters/side-effects/side-effect-runner.js";
import { WebhookDeliveriesReactor } from "./adapters/side-effects/webhook-deliveries.reactor.js";
import { createWorkflowRunner } from "./adapters/workflows/all-workflows.js";
import type { WorkflowRunner } from "./adapters/workflows/workflow-runner.js";
import type { Config } from "./config.js";
import { signInDecider, type SignInCommand, type SignInEvent, type SignInState } from "./domain/access/sign-in.js";
import { apiKeyDecider, type ApiKeyCommand, type ApiKeyEvent, type ApiKeyState } from "./domain/api-keys/api-key.js";
import {
  organizationDecider,
  type OrganizationCommand,
  type OrganizationEvent,
  type OrganizationState,
} from "./domain/organizations/organization.js";
import type { SessionCommand } from "./domain/sessions/commands.js";
import { sessionDecider, type SessionState } from "./domain/sessions/decider.js";
import type { SessionEvent } from "./domain/sessions/events.js";
import { SessionUseCases } from "./domain/sessions/use-cases.js";
import { CommandHandler } from "./domain/shared/command-handler.js";
import type { Clock } from "./domain/shared/clock.js";
import type { EventStore } from "./domain/shared/event-store.js";
import {
  sideEffectDecider,
  type SideEffectCommand,
  type SideEffectEvent,
  type SideEffectState,
} from "./domain/side-effects/side-effect.js";
import { teamDecider, type TeamCommand, type TeamEvent, type TeamState } from "./domain/teams/team.js";
import { webhookDecider, type WebhookCommand, type WebhookEvent, type WebhookState } from "./domain/webhooks/webhook.js";
import type { UserCommand } from "./domain/users/commands.js";
import { userDecider, type UserState } from "./domain/users/decider.js";
import { emailClaimDecider } from "./domain/users/email-claim.js";
import type { UserEvent } from "./domain/users/events.js";
import { UserRegistration } from "./domain/users/user-registration.js";
import { ALL_PROJECTIONS } from "./projections/all-projections.js";
import { ApiKeyQueries } from "./projections/api-keys.queries.js";
import { IdentityQueries } from "./projections/identity.queries.js";
import { Projector } from "./projections/projector.js";
import { openReadModels } from "./projections/read-model-db.js";
import { EventLogQueries } from "./projections/event-log.queries.js";
import { RegistrationQueries } from "./projections/registrations.queries.js";
import { SessionQueries } from "./projections/sessions.queries.js";
import { SideEffectQueries } from "./projections/side-effects.queries.js";
import { TeamQueries } from "./projections/teams.queries.js";
import { WebhookQueries } from "./projections/webhooks.queries.js";

/** Everything a request needs, built once at start (the composition root). */
export interface App {
  config: Config;
  /** Every reading of "now" (commands, token checks, side-effect schedules, event stamps). */
  clock: Clock;
  logger: Logger;
  store: EventStore;
  readModels: Database.Database;
  projector: Projector;
  tokens: TokenService;
  /** Refresh tokens: `rt_<sign-in id>.<generation>.<mac>`. */
  refreshTokens: SignedTokens;
  /** Invitation tokens: `inv_<user id>.<invitation id>.<mac>`. */
  invitationTokens: SignedTokens;
  externalIdentity: ExternalIdentityVerifier | null;
  /** S6: signed attendance links and their QR codes. */
  attendanceLinks: AttendanceLinks;
  signInLimiter: SignInRateLimiter;
  mailer: Mailer;
  sessionQueries: SessionQueries;
  registrationQueries: RegistrationQueries;
  eventLogQueries: EventLogQueries;
  identityQueries: IdentityQueries;
  teamQueries: TeamQueries;
  apiKeyQueries: ApiKeyQueries;
  webhookQueries: WebhookQueries;
  sideEffectQueries: SideEffectQueries;
  sessions: CommandHandler<SessionCommand, SessionEvent, SessionState>;
  organizations: CommandHandler<OrganizationCommand, OrganizationEvent, OrganizationState>;
  users: CommandHandler<UserCommand, UserEvent, UserState>;
  userRegistration: UserRegistration;
  teams: CommandHandler<TeamCommand, TeamEvent, TeamState>;
  apiKeys: CommandHandler<ApiKeyCommand, ApiKeyEvent, ApiKeyState>;
  signIns: CommandHandler<SignInCommand, SignInEvent, SignInState>;
  webhooks: CommandHandler<WebhookCommand, WebhookEvent, WebhookState>;
  sideEffects: CommandHandler<SideEffectCommand, SideEffectEvent, SideEffectState>;
  /** E-mails and webhook deliveries, claimed so that one replica runs each. */
  sideEffectRunner: SideEffectRunner;
  /** Heals what a process that died between two streams left behind (e-mail claims, sign-up seats). */
  workflowRunner: WorkflowRunner;
  /** What resolvers call: each context's use cases (authorize, load, decide, append, answer). */
  useCases: UseCases;
  /** Resolves once the read models include `position` (read-your-writes); false on timeout. */
  caughtUp(position: bigint | null): Promise<boolean>;
  close(): Promise<void>;
}

export interface UseCases {
  sessions: SessionUseCases;
}

export interface AppOptions {
  logger?: Logger;
  store?: EventStore;
  mailer?: Mailer;
  /** The system clock unless given (tests move a clock of their own). */
  clock?: Clock;
  /** Sees every SQL statement run on the read models (tests count queries with it). */
  onReadModelStatement?: (sql: string) => void;
}

export function createApp(config: Config, options: AppOptions = {}): App {
  fs.mkdirSync(config.dataDir, { recursive: true });
  const logger = options.logger ?? pino({ level: config.logLevel });
  const clock = options.clock ?? systemClock;
  const store = options.store ?? openEventStore(config, clock);
  const readModels = openReadModels(readModelsFile(config.dataDir), options.onReadModelStatement, eventStoreIdentity(config));
  const projector = new Projector(store, readModels, ALL_PROJECTIONS);
  projector.start();
  const secret = resolveJwtSecret(config.jwtSecret, config.dataDir);
  const users = new CommandHandler(store, userDecider);
  const mailer =
    options.mailer ?? createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, logger, logContents: !config.production });
  const sessionQueries = new SessionQueries(readModels);
  const identityQueries = new IdentityQueries(readModels);
  const webhookQueries = new WebhookQueries(readModels);
  const sideEffectQueries = new SideEffectQueries(readModels);
  const sideEffects = new CommandHandler(store, sideEffectDecider);
  const sideEffectRunner = new SideEffectRunner({
    store,
    db: readModels,
    projector,
    effects: sideEffects,
    queries: sideEffectQueries,
    reactors: [
      new MailNotificationsReactor(mailer, identityQueries, sessionQueries, config.publicUrl),
      new WebhookDeliveriesReactor(store, webhookQueries, {
        clock,
        timeoutMs: config.webhooks.timeoutMs,
        retryPolicy: {
          maxAttempts: config.webhooks.maxAttempts,
          baseDelayMs: config.webhooks.retryBaseMs,
          maxDelayMs: config.webhooks.retryMaxMs,
        },
      }),
    ],
    instanceId: config.instanceId,
    clock,
    logger,
    leaseMs: config.sideEffects.leaseMs,
    sweepIntervalMs: config.sideEffects.sweepIntervalMs,
  });
  sideEffectRunner.start();
  const sessions = new CommandHandler(store, sessionDecider);
  const emailClaims = new CommandHandler(store, emailClaimDecider);
  const workflowRunner = createWorkflowRunner({
    store,
    db: readModels,
    clock,
    logger,
    intervalMs: config.sideEffects.sweepIntervalMs,
    emailClaims,
    sessions,
  });
  workflowRunner.start();
  const registrationQueries = new RegistrationQueries(readModels);
  const teamQueries = new TeamQueries(readModels);
  const attendanceLinks = new AttendanceLinks(new SignedTokens(secret, "attendance", "att_"), config.publicUrl);
  const useCases: UseCases = {
    sessions: new SessionUseCases({
      sessions,
      clock,
      attendanceTokens: attendanceLinks,
      directory: {
        user: (organizationId, userId) => identityQueries.usersByIds(organizationId, [userId]).get(userId) ?? null,
        teamIdsOf: (organizationId, userId) => teamQueries.teamIdsByUserIds(organizationId, [userId]).get(userId) ?? [],
        teamExists: (organizationId, teamId) => teamQueries.byIds(organizationId, [teamId]).has(teamId),
        sessionIdOfRegistration: (organizationId, registrationId) =>
          registrationQueries.byIds(organizationId, [registrationId]).get(registrationId)?.sessionId ?? null,
        organizationTimezone: (organizationId) => identityQueries.organization(organizationId)?.timezone ?? null,
      },
      onSeatNotGivenBack: (error, registrationId) => logger.error({ err: error, registrationId }, "could not give a seat back"),
    }),
  };

  return {
    config,
    clock,
    logger,
    store,
    readModels,
    projector,
    tokens: new TokenService(secret, config.accessTokenTtlSeconds, clock),
    refreshTokens: new SignedTokens(secret, "refresh-token", "rt_"),
    invitationTokens: new SignedTokens(secret, "invitation", "inv_"),
    externalIdentity: config.externalIdentity ? new ExternalIdentityVerifier(config.externalIdentity, { clock }) : null,
    attendanceLinks,
    signInLimiter: new SignInRateLimiter(config.signInLimits),
    mailer,
    sessionQueries,
    registrationQueries,
    eventLogQueries: new EventLogQueries(readModels),
    identityQueries,
    teamQueries,
    apiKeyQueries: new ApiKeyQueries(readModels),
    webhookQueries,
    sideEffectQueries,
    sessions,
    organizations: new CommandHandler(store, organizationDecider),
    users,
    userRegistration: new UserRegistration(emailClaims, users),
    teams: new CommandHandler(store, teamDecider),
    apiKeys: new CommandHandler(store, apiKeyDecider),
    signIns: new CommandHandler(store, signInDecider),
    webhooks: new CommandHandler(store, webhookDecider),
    sideEffects,
    sideEffectRunner,
    workflowRunner,
    useCases,
    async caughtUp(position) {
      if (position === null) return true;
      const reached = await projector.waitFor(position, config.readYourWritesTimeoutMs);
      if (!reached) logger.warn({ position: String(position) }, "read models did not catch up in time");
      return reached;
    },
    async close() {
      await workflowRunner.stop();
      await sideEffectRunner.stop();
      await projector.stop();
      readModels.close();
      await store.close();
    },
  };
}
