import { randomUUID } from "node:crypto";
import { Arg, Ctx, Mutation, Query, Resolver } from "type-graphql";
import { hashPassword } from "../../adapters/auth/passwords.js";
import { organizationProfileSchema, organizationStreamName } from "../../domain/organizations/organization.js";
import type { CommandContext } from "../../domain/shared/decider.js";
import { ValidationError } from "../../domain/shared/errors.js";
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

    const organizationId = randomUUID();
    const userId = randomUUID();
    const ctx: CommandContext = {
      commandId: randomUUID(),
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
      context: { ...ctx, commandId: randomUUID() },
    });
    await app.caughtUp(registered.position);
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
    const { defaultCurrency, ...rest } = input;
    const changes = Object.fromEntries(
      Object.entries({ ...rest, currency: defaultCurrency }).filter(([, value]) => value !== undefined && value !== null),
    );
    const cleared = Object.entries(input).find(([, value]) => value === null);
    if (cleared) throw new ValidationError(cleared[0], "cannot be removed: omit it to keep the current value");
    let result;
    try {
      result = await context.app.organizations.handle(organizationStreamName(actor.organizationId), {
        type: "UpdateOrganizationSettings",
        organizationId: actor.organizationId,
        changes: JSON.parse(JSON.stringify(changes)),
        context: commandContext(context, "updateOrganizationSettings"),
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
