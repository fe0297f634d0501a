import { lexicographicSortSchema, printSchema, type GraphQLSchema } from "graphql";
import { createPubSub } from "@graphql-yoga/subscription";
import { buildSchema } from "type-graphql";
import { ApiKeyResolver } from "./resolvers/api-key.resolver.js";
import { AuditResolver } from "./resolvers/audit.resolver.js";
import { AuthResolver } from "./resolvers/auth.resolver.js";
import { EventFeedResolver } from "./resolvers/event-feed.resolver.js";
import { WebhookResolver } from "./resolvers/webhook.resolver.js";
import { OrganizationResolver } from "./resolvers/organization.resolver.js";
import { PeopleResolver } from "./resolvers/people.resolver.js";
import { TeamResolver } from "./resolvers/team.resolver.js";
import { SessionMutationsResolver } from "./resolvers/session-mutations.resolver.js";
import { SessionSubscriptionResolver } from "./resolvers/session-subscription.resolver.js";
import { SessionResolver } from "./resolvers/session.resolver.js";
import { RegistrationMutationsResolver } from "./resolvers/registration-mutations.resolver.js";
import { RegistrationResolver } from "./resolvers/registration.resolver.js";
import { RegistrationSubscriptionResolver } from "./resolvers/registration-subscription.resolver.js";
import { SessionRegistrationsResolver } from "./resolvers/session-registrations.resolver.js";
import { SessionPriceResolver } from "./resolvers/session-price.resolver.js";

export function buildAppSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: [
      AuthResolver,
      OrganizationResolver,
      PeopleResolver,
      TeamResolver,
      ApiKeyResolver,
      SessionResolver,
      SessionMutationsResolver,
      SessionSubscriptionResolver,
      SessionRegistrationsResolver,
      SessionPriceResolver,
      RegistrationResolver,
      RegistrationMutationsResolver,
      RegistrationSubscriptionResolver,
      AuditResolver,
      EventFeedResolver,
      WebhookResolver,
    ],
    // Input is validated with zod in the domain, not with class-validator.
    validate: false,
    // Required by type-graphql; our subscriptions feed from the projector instead.
    pubSub: createPubSub(),
  });
}

/** The SDL committed as schema.graphql (sorted, so diffs show real changes only). */
export async function printAppSchema(): Promise<string> {
  return `${printSchema(lexicographicSortSchema(await buildAppSchema()))}\n`;
}
