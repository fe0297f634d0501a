import { randomUUID } from "node:crypto";
import type { Actor } from "../access/actor.js";
import { authorize, authorizeManagingUser, authorizeRoleGrant, mayCall } from "../access/authorization.js";
import type { RegistrationOutcome } from "../sessions/use-cases.js";
import type { SignInMethod } from "../sign-ins/events.js";
import type { PasswordHasher, RequestFacts, SignInOutcome, SignInRateLimit } from "../sign-ins/use-cases.js";
import type { Clock } from "../shared/clock.js";
import type { CommandHandler, Decision } from "../shared/command-handler.js";
import type { CommandContext } from "../shared/decider.js";
import { DomainError, ValidationError } from "../shared/errors.js";
import { deterministicUuid } from "../shared/event-metadata.js";
import { type Outcome, outcomeOf } from "../shared/outcome.js";
import { countryCodeSchema, emailSchema, nonEmptyText, parseOrThrow } from "../shared/validation.js";
import { existingUser, type RegisterUser, type User, type UserCommand, type UserState, userStatus } from "./decider.js";
import { type UserEvent, userStreamName } from "./events.js";
import { passwordSchema, type Role, type UserSource, type UserStatus, userProfileSchema } from "./user.js";

/** A user as the read model shows it (what sign-ins and the e-mail check read). */
export interface UserAccount {
  id: string;
  organizationId: string;
  email: string;
  displayName: string;
  roles: Role[];
  status: UserStatus;
  country: string | null;
  isMember: boolean;
  hasPassword: boolean;
  invitationExpiresAt: string | null;
  passwordHash: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface UserDirectory {
  /** A user by id whatever the organization. */
  user(userId: string): UserAccount | null;
  userByEmail(organizationId: string, email: string): UserAccount | null;
  organization(organizationId: string): { id: string; name: string } | null;
  teamExists(organizationId: string, teamId: string): boolean;
}

/** What an invitation e-mail tells; the adapter signs its token and builds its link. */
export interface Invitation {
  userId: string;
  invitationId: string;
  email: string;
  displayName: string;
  organizationName: string | null;
  expiresAt: Date;
}

/** The new person of a sign-up, checked and ready to record: nothing is written yet. */
export interface PreparedSignUp {
  organizationId: string;
  email: string;
  displayName: string;
  country: string | null;
  passwordHash: string;
}

export interface UserPorts {
  users: CommandHandler<UserCommand, UserEvent, UserState>;
  /** Registers with the e-mail claimed first (src/domain/users/user-registration.ts). */
  registration: { register(command: RegisterUser): Promise<Decision<UserEvent, UserState>> };
  /** Adds the user to a team (the teams context decides). */
  teamMembership: { add(teamId: string, userId: string, context: CommandContext): Promise<{ position: bigint | null }> };
  directory: UserDirectory;
  passwords: Pick<PasswordHasher, "hash" | "verify">;
  limiter: SignInRateLimit;
  invitations: { ttlHours: number; send(invitation: Invitation): Promise<void> };
  /** Refuses (IDEMPOTENCY_KEY_REUSED) a key already bound to another input, before anything is written. */
  assertSameInput(context: CommandContext): Promise<void>;
  /** Resolves once the read models show `position` (false on timeout). */
  caughtUp(position: bigint | null): Promise<boolean>;
  signIns: { start(user: { id: string; organizationId: string }, method: SignInMethod, correlationId: string): Promise<SignInOutcome> };
  /** S8: the seat of a person whose account is recorded by `recordAccount` (the sessions context decides). */
  seats: {
    signUpAndRegister(
      signUp: { organizationId: string; sessionId: string; userId: string; email: string; country: string | null },
      context: CommandContext,
      recordAccount: () => Promise<void>,
    ): Promise<RegistrationOutcome>;
  };
  clock: Clock;
  onInvitationNotSent(error: unknown, userId: string): void;
}

/** A user as their stream tells it after a command: the answer when the read model lags. */
export interface UserSnapshot {
  user: User;
  status: UserStatus;
}

export type UserOutcome = Outcome<UserEvent, UserSnapshot>;

/** What staff give when they add a person; `userId` is the new user's id. */
export interface NewUser {
  userId: string;
  email: string;
  displayName: string;
  roles: Role[];
  country?: string | null;
  isMember: boolean;
  teamIds?: string[] | null;
}

export interface SignUpFields {
  organizationId: string;
  email: string;
  password: string;
  displayName: string;
  country?: string | null;
  idempotencyKey?: string | null;
}

/**
 * People: staff add, invite and manage them; people sign up on their own. Each use case
 * authorizes the caller once (on the target user's stream when the rule depends on them),
 * decides, appends and answers the user as decided.
 */
export class UserUseCases {
  constructor(private readonly ports: UserPorts) {}

  /** Without a password the person signs in after an invitation. Only an ADMIN gives staff roles. */
  async createUser(actor: Actor, input: NewUser & { password?: string | null }, context: CommandContext): Promise<UserOutcome> {
    authorize(actor, "createUser");
    authorizeRoleGrant(actor, input.roles);
    if (input.password != null) parseOrThrow(passwordSchema, input.password, "password");
    const passwordHash = input.password ? await this.ports.passwords.hash(input.password) : null;
    return this.register(actor, input, passwordHash, "ADDED_BY_STAFF", context);
  }

  /** Adds the person and e-mails them a link to choose their password. */
  async inviteUser(actor: Actor, input: Omit<NewUser, "displayName"> & { displayName?: string | null }, context: CommandContext): Promise<UserOutcome> {
    authorize(actor, "inviteUser");
    authorizeRoleGrant(actor, input.roles);
    const email = parseOrThrow(emailSchema, input.email, "email");
    await this.register(actor, { ...input, displayName: input.displayName ?? email.split("@")[0]! }, null, "INVITED", context);
    // Recorded after the registration (and its teams): its position is the later one.
    return this.invite(actor, input.userId, followUp(context, "invitation"), hasKey(context));
  }

  /** A new invitation: earlier links stop working. Non-ADMINs invite LEARNERs only. */
  async sendInvitation(actor: Actor, input: { userId: string }, context: CommandContext): Promise<UserOutcome> {
    authorize(actor, "sendInvitation");
    return this.invite(actor, input.userId, context, hasKey(context), (user) => authorizeManagingUser(actor, user.roles, user.userId));
  }

  /** Name, country, membership: staff (non-ADMINs: of LEARNERs), or the user their own name and country. */
  async updateUser(
    actor: Actor,
    input: { userId: string; displayName?: string | null; country?: string | null; isMember?: boolean | null },
    context: CommandContext,
  ): Promise<UserOutcome> {
    authorize(actor, "updateUser", { userId: input.userId });
    const decision = await this.ports.users.handle(userStreamName(input.userId), (state) => {
      const user = existingUser(state, actor.organizationId, input.userId);
      authorizeManagingUser(actor, user.roles, user.userId);
      if (input.isMember != null && !mayCall(actor, "updateUser")) {
        throw new DomainError("FORBIDDEN", "Only staff change a membership", { field: "isMember" });
      }
      if (input.displayName === null) throw new ValidationError("displayName", "cannot be removed");
      if (input.isMember === null) throw new ValidationError("isMember", "cannot be removed");
      const changes = Object.fromEntries(
        Object.entries({ displayName: input.displayName, country: input.country, isMember: input.isMember }).filter(
          ([, value]) => value !== undefined,
        ),
      );
      return { type: "UpdateUser", userId: user.userId, changes, context };
    });
    return userOutcome(decision);
  }

  /** ADMIN; an ADMIN cannot remove their own ADMIN role. */
  async changeUserRoles(actor: Actor, input: { userId: string; roles: unknown }, context: CommandContext): Promise<UserOutcome> {
    authorize(actor, "changeUserRoles");
    const { userId, roles } = input;
    return userOutcome(await this.ports.users.handle(userStreamName(userId), { type: "ChangeUserRoles", userId, roles, context }));
  }

  /** ADMIN, not oneself: the user can no longer sign in; their history is kept. */
  async deactivateUser(actor: Actor, input: { userId: string; reason?: string | null }, context: CommandContext): Promise<UserOutcome> {
    authorize(actor, "deactivateUser");
    const { userId } = input;
    return userOutcome(
      await this.ports.users.handle(userStreamName(userId), { type: "DeactivateUser", userId, reason: input.reason ?? null, context }),
    );
  }

  async reactivateUser(actor: Actor, input: { userId: string }, context: CommandContext): Promise<UserOutcome> {
    authorize(actor, "reactivateUser");
    const { userId } = input;
    return userOutcome(await this.ports.users.handle(userStreamName(userId), { type: "ReactivateUser", userId, context }));
  }

  /**
   * A LEARNER account of one's own, then signed in. With an idempotency key, one account per key
   * and e-mail in the organization: a retry finds it recorded and is answered only when it brings
   * the password of that account.
   */
  async signUp(actor: Actor | null, input: SignUpFields, request: RequestFacts): Promise<SignInOutcome> {
    authorize(actor, "signUp");
    const signUp = await this.prepareSignUp(input, request.clientIp);
    const key = input.idempotencyKey;
    const fromKey = (kind: string) => (key ? deterministicUuid(`${kind}/${signUp.organizationId}/${signUp.email}/${key}`) : randomUUID());
    const userId = fromKey("sign-up");
    const recorded = await this.recordLearner(signUp, userId, fromKey("sign-up-command"), request.requestId);
    if (!recorded) {
      const user = this.ports.directory.user(userId);
      const usable =
        user?.passwordHash && user.status !== "DEACTIVATED" && (await this.ports.passwords.verify(input.password, user.passwordHash));
      if (!usable) {
        await this.ports.limiter.recordFailure(signUp.email);
        throw new DomainError("ALREADY_EXISTS", "An account was already created with this idempotency key and e-mail: sign in", {
          field: "idempotencyKey",
        });
      }
    }
    return this.ports.signIns.start({ id: userId, organizationId: signUp.organizationId }, "SIGN_UP", request.requestId);
  }

  /**
   * S8, the public session link: a LEARNER account, its seat (or place in line) and a sign-in. The
   * seat is decided first; the account is recorded by the sessions context's compensating step.
   */
  async signUpAndRegister(
    actor: Actor | null,
    input: SignUpFields & { sessionId: string },
    request: RequestFacts,
  ): Promise<{ registration: RegistrationOutcome; signIn: SignInOutcome; person: Extract<Actor, { kind: "USER" }> }> {
    authorize(actor, "signUpAndRegister");
    const signUp = await this.prepareSignUp(input, request.clientIp);
    const { organizationId, email, country } = signUp;
    if (this.ports.directory.userByEmail(organizationId, email)) {
      throw new DomainError("ALREADY_EXISTS", "This e-mail already has an account here: sign in, then register", { field: "email" });
    }
    const userId = randomUUID();
    const context = { commandId: randomUUID(), organizationId, actorId: userId, now: this.ports.clock.now(), correlationId: request.requestId };
    const registration = await this.ports.seats.signUpAndRegister(
      { organizationId, sessionId: input.sessionId, userId, email, country },
      context,
      async () => void (await this.recordLearner(signUp, userId, randomUUID(), request.requestId)),
    );
    const signIn = await this.ports.signIns.start({ id: userId, organizationId }, "SIGN_UP", request.requestId);
    return { registration, signIn, person: { kind: "USER", userId, organizationId, email, roles: ["LEARNER"], teamIds: [] } };
  }

  /** Validates a sign-up, applies the per-IP limit and hashes the password. */
  private async prepareSignUp(input: SignUpFields, clientIp: string): Promise<PreparedSignUp> {
    const email = parseOrThrow(emailSchema, input.email, "email");
    const displayName = parseOrThrow(nonEmptyText(200), input.displayName, "displayName");
    const country = input.country == null ? null : parseOrThrow(countryCodeSchema, input.country, "country");
    parseOrThrow(passwordSchema, input.password, "password");
    await this.ports.limiter.beforeAttempt(email, clientIp);
    const organization = this.ports.directory.organization(input.organizationId);
    if (!organization) throw new DomainError("NOT_FOUND", `Organization ${input.organizationId} was not found`);
    return { organizationId: organization.id, email, displayName, country, passwordHash: await this.ports.passwords.hash(input.password) };
  }

  /**
   * Records the LEARNER account (unique e-mail per organization) and waits until it can sign in.
   * Answers whether it was recorded now (false: a retry found it recorded already).
   */
  private async recordLearner(signUp: PreparedSignUp, userId: string, commandId: string, correlationId: string): Promise<boolean> {
    const { organizationId, passwordHash, email, displayName, country } = signUp;
    const decision = await this.ports.registration.register({
      type: "RegisterUser",
      userId,
      email,
      displayName,
      country,
      roles: ["LEARNER"],
      isMember: false,
      passwordHash,
      source: "SIGN_UP",
      context: { commandId, organizationId, actorId: userId, now: this.ports.clock.now(), correlationId },
    });
    await this.ports.caughtUp(decision.position);
    return decision.events.length > 0;
  }

  /** Registers the person (e-mail claimed first), then adds them to their teams. */
  private async register(
    actor: Actor,
    input: NewUser,
    passwordHash: string | null,
    source: Extract<UserSource, "ADDED_BY_STAFF" | "INVITED">,
    context: CommandContext,
  ): Promise<UserOutcome> {
    // Checked before the e-mail is claimed, so bad input leaves no trace.
    const profile = parseOrThrow(userProfileSchema, { ...input, country: input.country ?? null });
    const teamIds = [...new Set(input.teamIds ?? [])];
    for (const teamId of teamIds) {
      if (!this.ports.directory.teamExists(actor.organizationId, teamId)) throw new DomainError("NOT_FOUND", `Team ${teamId} was not found`);
    }
    // A key sent before with another input is refused before the e-mail is claimed.
    await this.ports.assertSameInput(context);
    const { userId } = input;
    const decision = await this.ports.registration.register({ type: "RegisterUser", userId, ...profile, passwordHash, source, context });
    let position = decision.position;
    for (const teamId of teamIds) {
      const added = await this.ports.teamMembership.add(teamId, userId, followUp(context, `team/${teamId}`));
      position = added.position ?? position;
    }
    return { ...userOutcome(decision), position };
  }

  /**
   * Records a new invitation (replacing any earlier one) and e-mails its link. `fromKey`: the request
   * carries an idempotency key, so the invitation id derives from the command id and a retry finds
   * the invitation already recorded (no second e-mail, the first link keeps working).
   */
  private async invite(
    actor: Actor,
    userId: string,
    context: CommandContext,
    fromKey: boolean,
    authorizeOn: (user: User) => void = () => undefined,
  ): Promise<UserOutcome> {
    const invitationId = fromKey ? deterministicUuid(`${context.commandId}/invitation`) : randomUUID();
    const expiresAt = new Date(context.now.getTime() + this.ports.invitations.ttlHours * 3600_000);
    const decision = await this.ports.users.handle(userStreamName(userId), (state) => {
      authorizeOn(existingUser(state, actor.organizationId, userId));
      return { type: "InviteUser", userId, invitationId, expiresAt, context };
    });
    const outcome = userOutcome(decision);
    if (decision.events.length > 0) {
      const { email, displayName, organizationId } = outcome.answer.user;
      const organizationName = this.ports.directory.organization(organizationId)?.name ?? null;
      try {
        await this.ports.invitations.send({ userId, invitationId, email, displayName, organizationName, expiresAt });
      } catch (error) {
        // The invitation stands; staff can send it again with sendInvitation.
        this.ports.onInvitationNotSent(error, userId);
      }
    }
    return outcome;
  }
}

/** The user after a decision. */
export function userOutcome(decision: Decision<UserEvent, UserState>): UserOutcome {
  const { state } = decision;
  if (state.kind === "Initial") throw new DomainError("NOT_FOUND", "User was not found");
  return outcomeOf(decision, { user: state.user, status: userStatus(state.user) });
}

/** With an idempotency key, the command's input is bound to it (and its ids derive from it). */
function hasKey(context: CommandContext): boolean {
  return context.inputHash !== undefined;
}

/** A further command of the same request: its id derives from the request's, so a retry records it once. */
function followUp(context: CommandContext, step: string): CommandContext {
  const { inputHash: _bound, ...rest } = context;
  return { ...rest, commandId: deterministicUuid(`${context.commandId}/${step}`) };
}
