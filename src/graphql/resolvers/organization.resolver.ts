import { randomUUID } from "node:crypto";
import { Arg, Ctx, Mutation, Query, Resolver } from "type-graphql";
import { hashPassword, verifyPassword } from "../../adapters/auth/passwords.js";
import { organizationProfileSchema, organizationStreamName } from "../../domain/organizations/organization.js";
import type { CommandContext } from "../../domain/shared/decider.js";
import { DomainError, ValidationError } from "../../domain/shared/errors.js";
import { deterministicUuid } from "../../domain/shared/event-metadata.js";
import { emailSchema, nonEmptyText, parseOrThrow } from "../../domain/shared/validation.js";
import { passwordSchema } from "../../domain/users/user.js";
import { authorize, commandContext, type GraphQLContext } from "../context.js";
import { notFound } from "../errors.js";
import { CreateOrganizationInput } from "../inputs/identity.input.js";
import { UpdateOrganizationSettingsInput } from "../inputs/organization.input.js";
import { startSignIn } from "../services/sign-in.js";
import { AuthPayload, Organization } from "../types/user.type.js";
import { toOrganizationView } from "../types/user.view.js";

@Resolver()
export class OrganizationResolver {
  @Mutation(() => AuthPayload, { description: "Create an organization and its first admin; signs the admin in" })
  async createOrganization(
    @Arg("input", () => CreateOrganizationInput) input: CreateOrganizationInput,
    @Ctx() context: GraphQLContext,
  ): Promise<AuthPayload> {
    authorize(context, "createOrganization");
    const profile = parseOrThrow(organizationProfileSchema, input);
    const email = parseOrThrow(emailSchema, input.adminEmail, "adminEmail");
    const displayName = parseOrThrow(nonEmptyText(200), input.adminName ?? email.split("@")[0], "adminName");
    parseOrThrow(passwordSchema, input.password, "password");
    await context.app.signInLimiter.beforeAttempt(email, context.clientIp);

    // With a key, one organization per key and admin e-mail: a retry addresses the same one.
    const key = input.idempotencyKey;
    const fromKey = (kind: string) => (key ? deterministicUuid(`${kind}/${email}/${key}`) : randomUUID());
    const organizationId = fromKey("organization");
    const userId = fromKey("organization-admin");
    const ctx: CommandContext = {
      commandId: fromKey("create-organization"),
      organizationId,
      actorId: userId,
      now: context.app.clock.now(),
      correlationId: context.requestId,
    };
    const { app } = context;
    await app.organizations.handle(organizationStreamName(organizationId), {
      type: "CreateOrganization",
      organizationId,
      ...profile,
      context: ctx,
    });
    const registered = await app.userRegistration.register({
      type: "RegisterUser",
      userId,
      email,
      displayName,
      roles: ["ADMIN"],
      country: null,
      isMember: false,
      passwordHash: await hashPassword(input.password),
      source: "ORGANIZATION_CREATED",
      context: { ...ctx, commandId: fromKey("create-organization-admin") },
    });
    await app.caughtUp(registered.position);
    if (registered.events.length === 0) {
      // A retry: tokens only for whoever proves to be the admin created first (their password).
      const admin = registered.state.kind === "Existing" ? app.identityQueries.userById(userId) : null;
      if (!admin?.passwordHash || !(await verifyPassword(input.password, admin.passwordHash))) {
        await app.signInLimiter.recordFailure(email);
        throw new DomainError("ALREADY_EXISTS", "An organization was already created with this idempotency key and e-mail: sign in", {
          field: "idempotencyKey",
        });
      }
    }
    return startSignIn(context, { id: userId, organizationId }, "ORGANIZATION_CREATED");
  }

  @Query(() => Organization, { description: "The signed-in user's organization, with its settings" })
  organization(@Ctx() context: GraphQLContext): Organization {
    const actor = authorize(context, "organization");
    const organization = context.app.identityQueries.organization(actor.organizationId);
    if (!organization) throw notFound("Organization", actor.organizationId);
    return toOrganizationView(organization);
  }

  @Mutation(() => Organization, { description: "§0 settings (ADMIN): omitted fields stay as they are" })
  async updateOrganizationSettings(
    @Arg("input", () => UpdateOrganizationSettingsInput) input: UpdateOrganizationSettingsInput,
    @Ctx() context: GraphQLContext,
  ): Promise<Organization> {
    const actor = authorize(context, "updateOrganizationSettings");
    const { defaultCurrency, idempotencyKey: _key, ...rest } = input;
    const changes = Object.fromEntries(
      Object.entries({ ...rest, currency: defaultCurrency }).filter(([, value]) => value !== undefined && value !== null),
    );
    const cleared = Object.entries({ ...rest, defaultCurrency }).find(([, value]) => value === null);
    if (cleared) throw new ValidationError(cleared[0], "cannot be removed: omit it to keep the current value");
    let result;
    try {
      result = await context.app.organizations.handle(organizationStreamName(actor.organizationId), {
        type: "UpdateOrganizationSettings",
        organizationId: actor.organizationId,
        changes: JSON.parse(JSON.stringify(changes)),
        context: commandContext(context, "updateOrganizationSettings", input),
      });
    } catch (error) {
      // The domain calls it `currency`; this input calls it `defaultCurrency`.
      if (error instanceof ValidationError && error.field === "currency") {
        throw new ValidationError("defaultCurrency", error.message.slice("currency: ".length));
      }
      throw error;
    }
    await context.app.caughtUp(result.position);
    const organization = context.app.identityQueries.organization(actor.organizationId);
    if (!organization) throw notFound("Organization", actor.organizationId);
    return toOrganizationView(organization);
  }
}
