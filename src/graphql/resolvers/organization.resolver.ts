import { Arg, Ctx, Mutation, Query, Resolver } from "type-graphql";
import { ValidationError } from "../../domain/shared/errors.js";
import { answerAfterWrite } from "../after-write.js";
import { authorize, commandContext, requireActor, type GraphQLContext } from "../context.js";
import { notFound } from "../errors.js";
import { CreateOrganizationInput } from "../inputs/identity.input.js";
import { UpdateOrganizationSettingsInput } from "../inputs/organization.input.js";
import { AuthPayload, Organization, toAuthPayload, toOrganizationView, organizationViewOf } from "../types/user.type.js";
import { requestFacts } from "./auth.resolver.js";

@Resolver()
export class OrganizationResolver {
  @Mutation(() => AuthPayload, { description: "Create an organization and its first admin; signs the admin in" })
  async createOrganization(
    @Arg("input", () => CreateOrganizationInput) input: CreateOrganizationInput,
    @Ctx() context: GraphQLContext,
  ): Promise<AuthPayload> {
    const outcome = await context.app.useCases.organizations.createOrganization(context.actor, input, requestFacts(context));
    return toAuthPayload(outcome.answer);
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
    const actor = requireActor(context);
    const { defaultCurrency, idempotencyKey: _key, ...rest } = input;
    // The domain calls it `currency`; this input calls it `defaultCurrency`. Null means "remove" (refused).
    const changes = Object.fromEntries(Object.entries({ ...rest, currency: defaultCurrency }).filter(([, value]) => value !== undefined));
    let outcome;
    try {
      outcome = await context.app.useCases.organizations.updateOrganizationSettings(
        actor,
        JSON.parse(JSON.stringify(changes)),
        commandContext(context, "updateOrganizationSettings", input),
      );
    } catch (error) {
      if (error instanceof ValidationError && error.field === "currency") {
        throw new ValidationError("defaultCurrency", error.message.slice("currency: ".length));
      }
      throw error;
    }
    return answerAfterWrite(
      context,
      outcome,
      () => {
        const organization = context.app.identityQueries.organization(outcome.answer.organizationId);
        return organization && toOrganizationView(organization);
      },
      (snapshot) => organizationViewOf(snapshot, context.app.clock.now()),
    );
  }
}
