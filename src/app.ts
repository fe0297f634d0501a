import type Database from "better-sqlite3";
import { pino, type Logger } from "pino";
import { AttendanceLinks } from "./adapters/attendance/attendance-links.js";
import { systemClock } from "./adapters/clock/system-clock.js";
import { ExternalIdentityVerifier } from "./adapters/auth/external-identity.js";
import { generateApiKeySecret } from "./adapters/auth/api-key-secret.js";
import { resolveJwtSecret } from "./adapters/auth/jwt-secret.js";
import { decoyPasswordHash, hashPassword, verifyPassword } from "./adapters/auth/passwords.js";
import { SignInRateLimiter } from "./adapters/auth/sign-in-rate-limiter.js";
import { SignedTokens } from "./adapters/auth/signed-tokens.js";
import { TokenService } from "./adapters/auth/tokens.js";
import { eventStoreIdentity, openEventStore, readModelsFile } from "./adapters/event-store/open-event-store.js";
import { ensureOwnerOnlyDirectory } from "./adapters/files/owner-only.js";
import { invitationMail } from "./adapters/mail/invitation-mail.js";
import { createMailer, type Mailer } from "./adapters/mail/mailer.js";
import { MailNotificationsReactor } from "./adapters/side-effects/mail-notifications.reactor.js";
import { SideEffectRunner } from "./adapters/side-effects/side-effect-runner.js";
import { WebhookDeliveriesReactor } from "./adapters/side-effects/webhook-deliveries.reactor.js";
import { generateWebhookSecret } from "./adapters/webhooks/webhook-signature.js";
import { type HostResolver, WebhookTargetPolicy } from "./adapters/webhooks/webhook-targets.js";
import { createWorkflowRunner } from "./adapters/workflows/all-workflows.js";
import type { WorkflowRunner } from "./adapters/workflows/workflow-runner.js";
import type { Config } from "./config.js";
import { apiKeyDecider, type ApiKeyCommand, type ApiKeyState } from "./domain/api-keys/decider.js";
import { apiKeyEventCodec, type ApiKeyEvent } from "./domain/api-keys/events.js";
import { ApiKeyUseCases } from "./domain/api-keys/use-cases.js";
import { organizationDecider, type OrganizationCommand, type OrganizationState } from "./domain/organizations/decider.js";
import type { OrganizationEvent } from "./domain/organizations/events.js";
import { OrganizationUseCases } from "./domain/organizations/use-cases.js";
import type { SessionCommand } from "./domain/sessions/decider.js";
import { sessionDecider, type SessionState } from "./domain/sessions/decider.js";
import type { SessionEvent } from "./domain/sessions/events.js";
import { SessionUseCases } from "./domain/sessions/use-cases.js";
import { signInDecider, type SignInCommand, type SignInState } from "./domain/sign-ins/decider.js";
import type { SignInEvent } from "./domain/sign-ins/events.js";
import { SignInUseCases } from "./domain/sign-ins/use-cases.js";
import { CommandHandler } from "./domain/shared/command-handler.js";
import { PAYMENT_METHODS } from "./domain/organizations/settings.js";
import type { Clock } from "./domain/shared/clock.js";
import type { EventStore } from "./domain/shared/event-store.js";
import { assertSameInput } from "./domain/shared/idempotency.js";
import { sideEffectDecider, type SideEffectCommand, type SideEffectState } from "./domain/side-effects/decider.js";
import type { SideEffectEvent } from "./domain/side-effects/events.js";
import { teamDecider, type TeamCommand, type TeamState } from "./domain/teams/decider.js";
import { type TeamEvent, teamStreamName } from "./domain/teams/events.js";
import { TeamUseCases } from "./domain/teams/use-cases.js";
import { webhookDecider, type WebhookCommand, type WebhookState } from "./domain/webhooks/decider.js";
import { webhookEventCodec, type WebhookEvent } from "./domain/webhooks/events.js";
import { WebhookUseCases } from "./domain/webhooks/use-cases.js";
import { userDecider, type UserCommand, type UserState } from "./domain/users/decider.js";
import { emailClaimDecider } from "./domain/users/email-claim.js";
import type { UserEvent } from "./domain/users/events.js";
import { UserUseCases } from "./domain/users/use-cases.js";
import { UserRegistration } from "./domain/users/user-registration.js";
import { ALL_PROJECTIONS } from "./projections/all-projections.js";
import { ApiKeyQueries } from "./projections/api-keys.queries.js";
import { IdentityQueries } from "./projections/identity.queries.js";
import { Projector } from "./projections/projector.js";
import { openCheckedReadModels } from "./projections/read-model-file.js";
import { lockReadModels, type ReadModelsLock } from "./projections/read-model-lock.js";
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
  /**
   * Resolves once the read models include `position` (read-your-writes); false on timeout or when
   * the projector fails meanwhile — never an error: what was recorded is answered from the decision.
   */
  caughtUp(position: bigint | null): Promise<boolean>;
  /** What GET /health answers: ready, or the reasons it is not. */
  health(): Promise<Health>;
  close(): Promise<void>;
}

export interface Health {
  ready: boolean;
  /** Why not ready: the projector, side-effect or workflow runner stopped, or the read models lag. */
  reasons: string[];
  readModelPosition: string;
  headPosition: string | null;
  /** Events the read models have not applied yet, counted up to HEALTH_MAX_LAG_EVENTS + 1. */
  lag: number | null;
  projector: { status: string; restarts: number; lastError?: string };
}

/**
 * A mutation while the read models are down (their projector crashed and is restarting) is
 * refused before anything is written: recorded, it could only be answered from the decision, and
 * the server would go on deciding on read models that no longer follow the log.
 */
export class ReadModelsUnavailableError extends Error {
  readonly code = "SERVICE_UNAVAILABLE";
  /** Read by graphql-js: the error surfaces with this code and message. */
  readonly extensions = { code: "SERVICE_UNAVAILABLE" };
  constructor() {
    super("The read models are not available (they are being restarted); nothing was recorded. Try again shortly");
    this.name = "ReadModelsUnavailableError";
  }
}

export interface UseCases {
  sessions: SessionUseCases;
  teams: TeamUseCases;
  apiKeys: ApiKeyUseCases;
  webhooks: WebhookUseCases;
  users: UserUseCases;
  organizations: OrganizationUseCases;
  signIns: SignInUseCases;
}

export interface AppOptions {
  logger?: Logger;
  store?: EventStore;
  mailer?: Mailer;
  /** The system clock unless given (tests move a clock of their own). */
  clock?: Clock;
  /** Sees every SQL statement run on the read models (tests count queries with it). */
  onReadModelStatement?: (sql: string) => void;
  /** Resolves webhook host names (DNS unless given; tests point names at addresses of their choice). */
  webhookResolver?: HostResolver;
  /** Back-off of the projector's restarts after a failure (tests shorten it). */
  projectorRestart?: { initialDelayMs: number; maxDelayMs: number };
}

const PROJECTOR_RESTART = { initialDelayMs: 500, maxDelayMs: 30_000 };

export function createApp(config: Config, options: AppOptions = {}): App {
  const logger = options.logger ?? pino({ level: config.logLevel });
  ensureOwnerOnlyDirectory(config.dataDir, logger);
  if (config.readModelsDir !== config.dataDir) ensureOwnerOnlyDirectory(config.readModelsDir, logger);
  // Before anything else is opened: a second server on these read models stops here.
  const lock = lockReadModels(readModelsFile(config.readModelsDir));
  try {
    return assemble(config, options, logger, lock);
  } catch (error) {
    lock.release();
    throw error;
  }
}

function assemble(config: Config, options: AppOptions, logger: Logger, lock: ReadModelsLock): App {
  const clock = options.clock ?? systemClock;
  const store = options.store ?? openEventStore(config, clock);
  const readModels = openCheckedReadModels(readModelsFile(config.readModelsDir), {
    source: eventStoreIdentity(config),
    now: () => clock.now(),
    ...(options.onReadModelStatement ? { onStatement: options.onReadModelStatement } : {}),
    onDamaged: ({ file, movedTo, reason }) =>
      logger.error({ file, movedTo, reason }, "the read models were damaged: moved aside, rebuilding them from the event log"),
  });
  const projector = new Projector(store, readModels, ALL_PROJECTIONS, {
    restart: options.projectorRestart ?? PROJECTOR_RESTART,
    logger,
  });
  projector.start();
  // Every command handler a request (or a workflow) writes through: refused while the read models are down.
  const commandStore = refusingWhileReadModelsDown(store, projector);
  const secret = resolveJwtSecret(config.jwtSecret, config.dataDir);
  const users = new CommandHandler(commandStore, userDecider);
  const mailer =
    options.mailer ?? createMailer({ smtpUrl: config.smtpUrl, from: config.mailFrom, logger, logContents: !config.production });
  const sessionQueries = new SessionQueries(readModels);
  const identityQueries = new IdentityQueries(readModels);
  const webhookQueries = new WebhookQueries(readModels);
  const webhookTargets = new WebhookTargetPolicy(config.webhooks.allowedHosts);
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
        targets: webhookTargets,
        ...(options.webhookResolver ? { resolve: options.webhookResolver } : {}),
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
  const sessions = new CommandHandler(commandStore, sessionDecider);
  const emailClaims = new CommandHandler(commandStore, emailClaimDecider);
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
  const organizations = new CommandHandler(commandStore, organizationDecider);
  const userRegistration = new UserRegistration(emailClaims, users);
  const teams = new CommandHandler(commandStore, teamDecider);
  const signIns = new CommandHandler(commandStore, signInDecider);
  const tokens = new TokenService(secret, config.accessTokenTtlSeconds, clock);
  const refreshTokens = new SignedTokens(secret, "refresh-token", "rt_");
  const invitationTokens = new SignedTokens(secret, "invitation", "inv_");
  const signInLimiter = new SignInRateLimiter(config.signInLimits);
  const caughtUp = async (position: bigint | null): Promise<boolean> => {
    if (position === null) return true;
    const reached = await projector
      .waitFor(position, config.readYourWritesTimeoutMs, { failFast: true })
      .catch(() => false);
    if (!reached) logger.warn({ position: String(position) }, "read models did not catch up in time");
    return reached;
  };
  const apiKeys = new CommandHandler(commandStore, apiKeyDecider);
  const webhooks = new CommandHandler(commandStore, webhookDecider);
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
        organizationPricing: (organizationId) => {
          const organization = identityQueries.organization(organizationId);
          return organization && {
            defaultCurrency: organization.currency,
            vatCategories: organization.settings.vatCategories.map((category) => category.name),
          };
        },
      },
      onSeatNotGivenBack: (error, registrationId) => logger.error({ err: error, registrationId }, "could not give a seat back"),
    }),
    teams: new TeamUseCases({
      teams,
      directory: { userExists: (organizationId, userId) => identityQueries.usersByIds(organizationId, [userId]).has(userId) },
    }),
    apiKeys: new ApiKeyUseCases({
      apiKeys,
      newSecret: generateApiKeySecret,
      history: async (streamName) => (await store.readStream(streamName)).map((event) => apiKeyEventCodec.decode(event)),
    }),
    webhooks: new WebhookUseCases({
      webhooks,
      newSecret: generateWebhookSecret,
      recordedBy: async (streamName, commandId) =>
        (await store.readStream(streamName))
          .filter((event) => event.metadata.commandId === commandId)
          .map((event) => webhookEventCodec.decode(event)),
      headPosition: () => store.headPosition(),
      targets: webhookTargets,
    }),
    users: new UserUseCases({
      users,
      registration: userRegistration,
      teamMembership: {
        add: (teamId, userId, context) => teams.handle(teamStreamName(teamId), { type: "AddTeamMember", teamId, userId, context }),
      },
      directory: {
        user: (userId) => identityQueries.userById(userId),
        userByEmail: (organizationId, email) => identityQueries.userByEmail(organizationId, email),
        organization: (organizationId) => identityQueries.organization(organizationId),
        teamExists: (organizationId, teamId) => teamQueries.byIds(organizationId, [teamId]).has(teamId),
      },
      passwords: { hash: hashPassword, verify: verifyPassword },
      limiter: signInLimiter,
      invitations: { ttlHours: config.invitationTtlHours, send: invitationMail(mailer, invitationTokens, config.publicUrl) },
      assertSameInput: (context) => assertSameInput(store, context),
      caughtUp,
      signIns: { start: (user, method, correlationId) => useCases.signIns.start(user, method, correlationId) },
      seats: {
        signUpAndRegister: (signUp, context, recordAccount) => useCases.sessions.signUpAndRegister(signUp, context, recordAccount),
      },
      clock,
      onInvitationNotSent: (error, userId) => logger.error({ err: error, userId }, "invitation e-mail could not be sent"),
    }),
    organizations: new OrganizationUseCases({
      organizations,
      registration: userRegistration,
      accounts: { user: (userId) => identityQueries.userById(userId) },
      passwords: { hash: hashPassword, verify: verifyPassword },
      limiter: signInLimiter,
      caughtUp,
      signIns: { start: (user, method, correlationId) => useCases.signIns.start(user, method, correlationId) },
      availablePaymentMethods: PAYMENT_METHODS.filter((method) => method !== "STRIPE" || config.stripe !== null),
      clock,
    }),
    signIns: new SignInUseCases({
      signIns,
      users,
      accounts: {
        usersByEmail: (email) => identityQueries.usersByEmail(email),
        user: (userId) => identityQueries.userById(userId),
        organization: (organizationId) => identityQueries.organization(organizationId),
      },
      passwords: { hash: hashPassword, verify: verifyPassword, decoy: decoyPasswordHash },
      limiter: signInLimiter,
      accessTokens: tokens,
      refreshTokens,
      refreshTokenTtlSeconds: config.refreshTokenTtlSeconds,
      invitationTokens,
      caughtUp,
      clock,
    }),
  };

  return {
    config,
    clock,
    logger,
    store,
    readModels,
    projector,
    tokens,
    refreshTokens,
    invitationTokens,
    externalIdentity: config.externalIdentity ? new ExternalIdentityVerifier(config.externalIdentity, { clock }) : null,
    attendanceLinks,
    signInLimiter,
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
    organizations,
    users,
    userRegistration,
    teams,
    apiKeys,
    signIns,
    webhooks,
    sideEffects,
    sideEffectRunner,
    workflowRunner,
    useCases,
    caughtUp,
    health: () => health(config, store, projector, sideEffectRunner, workflowRunner),
    async close() {
      await workflowRunner.stop();
      await sideEffectRunner.stop();
      await projector.stop();
      readModels.close();
      lock.release();
      await store.close();
    },
  };
}

function refusingWhileReadModelsDown(store: EventStore, projector: Projector): EventStore {
  return {
    appendToStream: (streamName, events, options) =>
      events.length > 0 && !projector.available
        ? Promise.reject(new ReadModelsUnavailableError())
        : store.appendToStream(streamName, events, options),
    readStream: (streamName, options) => store.readStream(streamName, options),
    readAll: (options) => store.readAll(options),
    subscribe: (options) => store.subscribe(options),
    headPosition: () => store.headPosition(),
    close: () => store.close(),
  };
}

async function health(
  config: Config,
  store: EventStore,
  projector: Projector,
  sideEffectRunner: SideEffectRunner,
  workflowRunner: WorkflowRunner,
): Promise<Health> {
  const reasons: string[] = [];
  const { restarts, lastError } = projector.failures;
  if (projector.status === "restarting" || (projector.status === "running" && !projector.available)) {
    reasons.push(`the projector failed and is being restarted (${lastError ?? "unknown error"})`);
  } else if (projector.status !== "running") {
    reasons.push(`the projector is ${projector.status}${lastError ? ` (${lastError})` : ""}`);
  }
  if (!sideEffectRunner.running) reasons.push("the side-effect runner stopped");
  if (!workflowRunner.running) reasons.push("the workflow runner stopped");
  const checkpoint = projector.checkpoint;
  let head: bigint | null = null;
  let lag: number | null = null;
  try {
    head = await store.headPosition();
    if (head !== null && head > checkpoint) {
      // Counted in events, not positions (EventStoreDB's positions are byte offsets), and only up to the bound.
      const behind = await store.readAll({ ...(checkpoint > 0n ? { after: checkpoint } : {}), maxCount: config.healthMaxLagEvents + 1 });
      lag = behind.length;
    } else {
      lag = 0;
    }
    if (lag > config.healthMaxLagEvents) {
      reasons.push(`the read models are more than ${config.healthMaxLagEvents} events behind the event store`);
    }
  } catch (error) {
    reasons.push(`the event store is unavailable (${(error as Error).message})`);
  }
  return {
    ready: reasons.length === 0,
    reasons,
    readModelPosition: checkpoint.toString(),
    headPosition: head === null ? null : head.toString(),
    lag,
    projector: { status: projector.status, restarts, ...(lastError ? { lastError } : {}) },
  };
}
