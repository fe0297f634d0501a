import { randomUUID } from "node:crypto";
import type { Actor } from "../access/actor.js";
import { authorize, type Operation } from "../access/authorization.js";
import type { OrganizationAccount } from "../organizations/use-cases.js";
import type { Clock } from "../shared/clock.js";
import type { CommandHandler } from "../shared/command-handler.js";
import type { CommandContext } from "../shared/decider.js";
import { DomainError, ValidationError } from "../shared/errors.js";
import { type Outcome, outcomeOf } from "../shared/outcome.js";
import { emailSchema, nonEmptyText, parseOrThrow } from "../shared/validation.js";
import type { UserCommand, UserState } from "../users/decider.js";
import { type UserEvent, userStreamName } from "../users/events.js";
import { passwordSchema } from "../users/user.js";
import type { UserAccount } from "../users/use-cases.js";
import type { SignInCommand, SignInState } from "./decider.js";
import { type SignInEvent, type SignInMethod, signInStreamName } from "./events.js";

/** Hashes and checks passwords (never stored, never logged). */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, hash: string): Promise<boolean>;
  /** A hash of nobody's password: an unknown e-mail costs the same time as a known one. */
  decoy(): Promise<string>;
}

/** Attempts per client IP (every one) and per e-mail (failures only). */
export interface SignInRateLimit {
  beforeAttempt(email: string, clientIp: string): Promise<void>;
  recordFailure(email: string): Promise<void>;
  recordSuccess(email: string): Promise<void>;
}

/** Tokens signed by this server: `verify` answers the parts, or null when the token is not ours. */
export interface SignedTokenPort {
  sign(parts: readonly string[]): string;
  verify(token: string, partCount: number): string[] | null;
}

/** Accounts as the read model shows them (token checks read the same). */
export interface AccountDirectory {
  /** Every account with this e-mail (one per organization at most). */
  usersByEmail(email: string): UserAccount[];
  user(userId: string): UserAccount | null;
  organization(organizationId: string): OrganizationAccount | null;
}

export interface SignInPorts {
  signIns: CommandHandler<SignInCommand, SignInEvent, SignInState>;
  users: CommandHandler<UserCommand, UserEvent, UserState>;
  accounts: AccountDirectory;
  passwords: PasswordHasher;
  limiter: SignInRateLimit;
  accessTokens: { issue(principal: { userId: string; organizationId: string; signInId: string }, now: Date): Promise<{ token: string; expiresAt: Date }> };
  /** `rt_<organization id>.<sign-in id>.<generation>.<mac>` */
  refreshTokens: SignedTokenPort;
  refreshTokenTtlSeconds: number;
  /** `inv_<user id>.<invitation id>.<mac>` */
  invitationTokens: Pick<SignedTokenPort, "verify">;
  /** Resolves once the read models show `position` (false on timeout): token checks read them. */
  caughtUp(position: bigint | null): Promise<boolean>;
  clock: Clock;
}

/** The request a public operation comes with. */
export interface RequestFacts {
  clientIp: string;
  /** Correlation id of every event the request causes. */
  requestId: string;
}

/** What a started or refreshed sign-in hands out, with the account it is for. */
export interface SignInGrant {
  signInId: string;
  token: string;
  expiresAt: Date;
  refreshToken: string;
  refreshTokenExpiresAt: Date;
  user: UserAccount;
  organization: OrganizationAccount;
}

export type SignInOutcome = Outcome<SignInEvent, SignInGrant>;
/** Done (signed out, password changed): the position tells when the read models show it. */
export type DoneOutcome = Outcome<SignInEvent | UserEvent, true>;

const WRONG_CREDENTIALS = "The e-mail or password is incorrect";

/**
 * Signing in and out, refreshing tokens, accepting an invitation, changing one's password. A sign-in
 * is only started for an account the read model shows, since every token check reads it there.
 */
export class SignInUseCases {
  constructor(private readonly ports: SignInPorts) {}

  async signIn(
    actor: Actor | null,
    input: { email: string; password: string; organizationId?: string | null },
    request: RequestFacts,
  ): Promise<SignInOutcome> {
    authorize(actor, "signIn");
    const { accounts, limiter, passwords } = this.ports;
    const email = parseOrThrow(emailSchema, input.email, "email");
    await limiter.beforeAttempt(email, request.clientIp);
    const candidates = accounts.usersByEmail(email).filter((user) => !input.organizationId || user.organizationId === input.organizationId);
    const matches: UserAccount[] = [];
    for (const user of candidates) {
      if (user.passwordHash && (await passwords.verify(input.password, user.passwordHash))) matches.push(user);
    }
    // Unknown e-mail: spend the same time as a real check, so timing does not tell.
    if (candidates.length === 0) await passwords.verify(input.password, await passwords.decoy());
    // A deactivated account gets the same answer as a wrong password: nothing tells it exists.
    const usable = matches.filter((user) => user.status !== "DEACTIVATED");
    if (usable.length === 0) {
      await limiter.recordFailure(email);
      throw new DomainError("UNAUTHENTICATED", WRONG_CREDENTIALS);
    }
    if (usable.length > 1) {
      throw new ValidationError("organizationId", "is needed: this account exists in several organizations");
    }
    await limiter.recordSuccess(email);
    return this.start(usable[0]!, "PASSWORD", request.requestId);
  }

  /**
   * Starts a sign-in (a refresh-token family) with its first tokens, for an account the read model
   * already shows (callers that just recorded it wait for it first).
   */
  async start(user: { id: string; organizationId: string }, method: SignInMethod, correlationId: string): Promise<SignInOutcome> {
    const account = this.readableAccount(user);
    const now = this.ports.clock.now();
    const signInId = randomUUID();
    const expiresAt = new Date(now.getTime() + this.ports.refreshTokenTtlSeconds * 1000);
    const decision = await this.ports.signIns.handle(signInStreamName(signInId), {
      type: "StartSignIn",
      signInId,
      userId: user.id,
      method,
      expiresAt,
      context: selfContext(user.organizationId, user.id, now, correlationId),
    });
    return outcomeOf(decision, await this.grant(account, signInId, 0, expiresAt));
  }

  /** Rotates the refresh token; presenting an older generation ends the sign-in (it leaked). */
  async refreshAccessToken(actor: Actor | null, input: { refreshToken: string }, request: RequestFacts): Promise<SignInOutcome> {
    authorize(actor, "refreshAccessToken");
    const invalid = () => new DomainError("UNAUTHENTICATED", "The refresh token is not valid: sign in again");
    const parts = this.ports.refreshTokens.verify(input.refreshToken.trim(), 3);
    if (!parts || !/^\d{1,9}$/.test(parts[2]!)) throw invalid();
    const [organizationId, signInId, generation] = parts as [string, string, string];
    const now = this.ports.clock.now();
    const expiresAt = new Date(now.getTime() + this.ports.refreshTokenTtlSeconds * 1000);
    const decision = await this.ports.signIns.handle(signInStreamName(signInId), (state) => {
      if (state.kind === "Initial" || state.organizationId !== organizationId) throw invalid();
      return {
        type: "RefreshSignIn",
        signInId,
        generation: Number(generation),
        expiresAt,
        context: { commandId: randomUUID(), organizationId, actorId: `sign-in:${signInId}`, now, correlationId: request.requestId },
      };
    });
    const state = decision.state;
    if (state.kind !== "Active") {
      // The reuse ended the sign-in: once this is answered, its access tokens are refused too.
      await this.ports.caughtUp(decision.position);
      throw new DomainError("UNAUTHENTICATED", "This refresh token was already used, so its sign-in has ended: sign in again");
    }
    const user = this.ports.accounts.user(state.userId);
    if (!user || user.status === "DEACTIVATED") throw new DomainError("UNAUTHENTICATED", "This account is deactivated");
    return outcomeOf(decision, await this.grant(this.readableAccount(user), signInId, state.generation, new Date(state.expiresAt)));
  }

  /** Sets the password from an invitation e-mail (and the name, if given), then signs in. */
  async acceptInvitation(
    actor: Actor | null,
    input: { token: string; password: string; displayName?: string | null },
    request: RequestFacts,
  ): Promise<SignInOutcome> {
    authorize(actor, "acceptInvitation");
    const parts = this.ports.invitationTokens.verify(input.token.trim(), 2);
    const user = parts ? this.ports.accounts.user(parts[0]!) : null;
    if (!parts || !user) throw new DomainError("INVALID_INVITATION", "This invitation is not valid", { reason: "UNKNOWN" });
    parseOrThrow(passwordSchema, input.password, "password");
    const displayName = input.displayName == null ? null : parseOrThrow(nonEmptyText(200), input.displayName, "displayName");
    const { users, clock, passwords } = this.ports;
    const context = selfContext(user.organizationId, user.id, clock.now(), request.requestId);
    let decision = await users.handle(userStreamName(user.id), {
      type: "AcceptInvitation",
      userId: user.id,
      invitationId: parts[1]!,
      passwordHash: await passwords.hash(input.password),
      context,
    });
    if (displayName) {
      decision = await users.handle(userStreamName(user.id), {
        type: "UpdateUser",
        userId: user.id,
        changes: { displayName },
        context: { ...context, commandId: randomUUID() },
      });
    }
    await this.ports.caughtUp(decision.position);
    return this.start(user, "INVITATION", request.requestId);
  }

  /** Ends the caller's sign-in: its access and refresh tokens stop working once the read models show it. */
  async signOut(actor: Actor, signInId: string | null, correlationId: string): Promise<DoneOutcome> {
    const person = requirePerson(actor, "signOut");
    if (!signInId) return { events: [], position: null, revision: null, answer: true };
    const decision = await this.ports.signIns.handle(signInStreamName(signInId), {
      type: "EndSignIn",
      signInId,
      userId: person.userId,
      context: selfContext(person.organizationId, person.userId, this.ports.clock.now(), correlationId),
    });
    return outcomeOf(decision, true);
  }

  /** One's own password, with the current one (rate-limited like a sign-in). */
  async changePassword(
    actor: Actor,
    input: { currentPassword: string; newPassword: string; idempotencyKey?: string | null },
    request: RequestFacts,
  ): Promise<DoneOutcome> {
    const person = requirePerson(actor, "changePassword");
    const { accounts, limiter, passwords } = this.ports;
    parseOrThrow(passwordSchema, input.newPassword, "newPassword");
    await limiter.beforeAttempt(person.email, request.clientIp);
    const user = accounts.user(person.userId);
    if (!user?.passwordHash || !(await passwords.verify(input.currentPassword, user.passwordHash))) {
      // A retry (same key) of a change that was applied: the new password is already the current one.
      if (input.idempotencyKey && user?.passwordHash && (await passwords.verify(input.newPassword, user.passwordHash))) {
        return { events: [], position: null, revision: null, answer: true };
      }
      await limiter.recordFailure(person.email);
      throw new ValidationError("currentPassword", "is not your current password");
    }
    const decision = await this.ports.users.handle(userStreamName(person.userId), {
      type: "ChangePassword",
      userId: person.userId,
      passwordHash: await passwords.hash(input.newPassword),
      context: selfContext(person.organizationId, person.userId, this.ports.clock.now(), request.requestId),
    });
    return outcomeOf(decision, true);
  }

  /** The account and its organization as the read model shows them: tokens for anything else would be refused. */
  private readableAccount(user: { id: string; organizationId: string }): { user: UserAccount; organization: OrganizationAccount } {
    const account = this.ports.accounts.user(user.id);
    const organization = this.ports.accounts.organization(user.organizationId);
    if (!account || account.organizationId !== user.organizationId || !organization) {
      throw new DomainError("CONCURRENCY_CONFLICT", "The account is still being set up: try again in a moment");
    }
    return { user: account, organization };
  }

  private async grant(
    account: { user: UserAccount; organization: OrganizationAccount },
    signInId: string,
    generation: number,
    refreshTokenExpiresAt: Date,
  ): Promise<SignInGrant> {
    const { id: userId, organizationId } = account.user;
    const { token, expiresAt } = await this.ports.accessTokens.issue({ userId, organizationId, signInId }, this.ports.clock.now());
    return {
      signInId,
      token,
      expiresAt,
      refreshToken: this.ports.refreshTokens.sign([organizationId, signInId, String(generation)]),
      refreshTokenExpiresAt,
      ...account,
    };
  }
}

/** A person (not an API key) allowed the operation. */
function requirePerson(actor: Actor, operation: Operation): Extract<Actor, { kind: "USER" }> {
  authorize(actor, operation);
  if (actor.kind !== "USER") throw new DomainError("FORBIDDEN", `${operation} is for people, not API keys`);
  return actor;
}

/** The context of a command a person gives about their own account. */
function selfContext(organizationId: string, userId: string, now: Date, correlationId: string): CommandContext {
  return { commandId: randomUUID(), organizationId, actorId: userId, now, correlationId };
}
