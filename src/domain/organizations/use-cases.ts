import { randomUUID } from "node:crypto";
import type { Actor } from "../access/actor.js";
import { authorize } from "../access/authorization.js";
import type { SignInMethod } from "../sign-ins/events.js";
import type { PasswordHasher, RequestFacts, SignInOutcome, SignInRateLimit } from "../sign-ins/use-cases.js";
import type { Clock } from "../shared/clock.js";
import type { CommandHandler, Decision } from "../shared/command-handler.js";
import type { CommandContext } from "../shared/decider.js";
import { DomainError, ValidationError } from "../shared/errors.js";
import { deterministicUuid } from "../shared/event-metadata.js";
import { type Outcome, outcomeOf } from "../shared/outcome.js";
import { emailSchema, nonEmptyText, parseOrThrow } from "../shared/validation.js";
import type { RegisterUser, UserState } from "../users/decider.js";
import type { UserEvent } from "../users/events.js";
import type { UserAccount } from "../users/use-cases.js";
import { passwordSchema } from "../users/user.js";
import { type OrganizationCommand, organizationProfileSchema, type OrganizationState } from "./decider.js";
import { type OrganizationEvent, organizationStreamName } from "./events.js";
import type { OrganizationSettings, PaymentMethod } from "./settings.js";

/** An organization as the read model shows it. */
export interface OrganizationAccount {
  id: string;
  name: string;
  timezone: string;
  currency: string;
  settings: OrganizationSettings;
  createdAt: string;
}

export interface OrganizationPorts {
  organizations: CommandHandler<OrganizationCommand, OrganizationEvent, OrganizationState>;
  /** Registers with the e-mail claimed first (src/domain/users/user-registration.ts). */
  registration: { register(command: RegisterUser): Promise<Decision<UserEvent, UserState>> };
  accounts: { user(userId: string): UserAccount | null };
  passwords: Pick<PasswordHasher, "hash" | "verify">;
  limiter: SignInRateLimit;
  /** Resolves once the read models show `position` (false on timeout). */
  caughtUp(position: bigint | null): Promise<boolean>;
  signIns: { start(user: { id: string; organizationId: string }, method: SignInMethod, correlationId: string): Promise<SignInOutcome> };
  /** The payment methods this server can take (STRIPE needs its Stripe account). */
  availablePaymentMethods: readonly PaymentMethod[];
  clock: Clock;
}

/** An organization as its stream tells it after a command: the answer when the read model lags. */
export interface OrganizationSnapshot {
  organizationId: string;
  settings: OrganizationSettings;
  createdAt: string | null;
}

export type OrganizationOutcome = Outcome<OrganizationEvent, OrganizationSnapshot>;

/** Organizations (§0): creating one with its first ADMIN, and its settings. */
export class OrganizationUseCases {
  constructor(private readonly ports: OrganizationPorts) {}

  /**
   * A new organization and its first ADMIN, signed in. With an idempotency key, one organization
   * per key and admin e-mail: a retry addresses the same one, and gets tokens only by proving to
   * be the admin created first (their password).
   */
  async createOrganization(
    actor: Actor | null,
    input: {
      name: string;
      timezone: string;
      currency: string;
      adminEmail: string;
      adminName?: string | null;
      password: string;
      idempotencyKey?: string | null;
    },
    request: RequestFacts,
  ): Promise<SignInOutcome> {
    authorize(actor, "createOrganization");
    const { clock, limiter, passwords } = this.ports;
    const profile = parseOrThrow(organizationProfileSchema, input);
    const email = parseOrThrow(emailSchema, input.adminEmail, "adminEmail");
    const displayName = parseOrThrow(nonEmptyText(200), input.adminName ?? email.split("@")[0], "adminName");
    parseOrThrow(passwordSchema, input.password, "password");
    await limiter.beforeAttempt(email, request.clientIp);

    const key = input.idempotencyKey;
    const fromKey = (kind: string) => (key ? deterministicUuid(`${kind}/${email}/${key}`) : randomUUID());
    const organizationId = fromKey("organization");
    const userId = fromKey("organization-admin");
    const context: CommandContext = {
      commandId: fromKey("create-organization"),
      organizationId,
      actorId: userId,
      now: clock.now(),
      correlationId: request.requestId,
    };
    await this.ports.organizations.handle(organizationStreamName(organizationId), {
      type: "CreateOrganization",
      organizationId,
      ...profile,
      context,
    });
    const registered = await this.ports.registration.register({
      type: "RegisterUser",
      userId,
      email,
      displayName,
      roles: ["ADMIN"],
      country: null,
      isMember: false,
      passwordHash: await passwords.hash(input.password),
      source: "ORGANIZATION_CREATED",
      context: { ...context, commandId: fromKey("create-organization-admin") },
    });
    // The admin signs in at once: token checks read the read model.
    await this.ports.caughtUp(registered.position);
    if (registered.events.length === 0) {
      const admin = registered.state.kind === "Existing" ? this.ports.accounts.user(userId) : null;
      if (!admin?.passwordHash || !(await passwords.verify(input.password, admin.passwordHash))) {
        await limiter.recordFailure(email);
        throw new DomainError("ALREADY_EXISTS", "An organization was already created with this idempotency key and e-mail: sign in", {
          field: "idempotencyKey",
        });
      }
    }
    return this.ports.signIns.start({ id: userId, organizationId }, "ORGANIZATION_CREATED", request.requestId);
  }

  /** §0 settings (ADMIN): omitted settings stay as they are; none can be removed. */
  async updateOrganizationSettings(
    actor: Actor,
    changes: Record<string, unknown>,
    context: CommandContext,
  ): Promise<OrganizationOutcome> {
    authorize(actor, "updateOrganizationSettings");
    const cleared = Object.entries(changes).find(([, value]) => value === null);
    if (cleared) throw new ValidationError(cleared[0], "cannot be removed: omit it to keep the current value");
    const decision = await this.ports.organizations.handle(organizationStreamName(actor.organizationId), {
      type: "UpdateOrganizationSettings",
      organizationId: actor.organizationId,
      changes,
      availablePaymentMethods: this.ports.availablePaymentMethods,
      context,
    });
    return organizationOutcome(decision);
  }
}

function organizationOutcome(decision: Decision<OrganizationEvent, OrganizationState>): OrganizationOutcome {
  const { state } = decision;
  if (state.kind === "Initial") throw new DomainError("NOT_FOUND", "Organization was not found");
  return outcomeOf(decision, { organizationId: state.organizationId, settings: state.settings, createdAt: state.createdAt ?? null });
}
