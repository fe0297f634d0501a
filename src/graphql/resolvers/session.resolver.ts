import { Arg, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from "type-graphql";
import { ValidationError } from "../../domain/shared/errors.js";
import { requirePrincipal, type GraphQLContext } from "../context.js";
import { SessionFilterInput, SessionOrderByInput } from "../inputs/session.input.js";
import { SessionOrderField, SortDirection } from "../types/enums.js";
import { SessionConnection } from "../types/session-connection.type.js";
import { Session } from "../types/session.type.js";
import { toSessionView } from "../types/session.view.js";
import { User } from "../types/user.type.js";
import { toUserView } from "../types/user.view.js";
import { loadSessionView } from "./session-view-loader.js";

export const MAX_PAGE_SIZE = 100;

@Resolver(() => Session)
export class SessionResolver {
  @Query(() => Session, { nullable: true, description: "One session of your organization; NOT_FOUND otherwise" })
  async session(@Arg("id", () => ID) id: string, @Ctx() context: GraphQLContext): Promise<Session> {
    requirePrincipal(context);
    return loadSessionView(context, id);
  }

  @Query(() => SessionConnection, { description: "Sessions of your organization, filtered, ordered and paginated" })
  sessions(
    @Ctx() context: GraphQLContext,
    @Arg("filter", () => SessionFilterInput, { nullable: true }) filter?: SessionFilterInput | null,
    @Arg("orderBy", () => SessionOrderByInput, { nullable: true }) orderBy?: SessionOrderByInput | null,
    @Arg("first", () => Int, { defaultValue: 20, description: `1 to ${MAX_PAGE_SIZE}` }) first = 20,
    @Arg("after", () => String, { nullable: true, description: "endCursor of the previous page" }) after?: string | null,
  ): SessionConnection {
    const principal = requirePrincipal(context);
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE_SIZE) {
      throw new ValidationError("first", `must be between 1 and ${MAX_PAGE_SIZE}`);
    }
    const page = context.app.sessionQueries.list(
      principal.organizationId,
      {
        statuses: filter?.status ?? undefined,
        modes: filter?.mode ?? undefined,
        formats: filter?.format ?? undefined,
        categories: filter?.category ?? undefined,
        languages: filter?.language ?? undefined,
        assigneeIds: filter?.assigneeId ?? undefined,
        startsFrom: filter?.startsFrom?.toISOString(),
        startsBefore: filter?.startsBefore?.toISOString(),
        search: filter?.search ?? undefined,
      },
      { field: orderBy?.field ?? SessionOrderField.START, direction: orderBy?.direction ?? SortDirection.ASC },
      first,
      after ?? undefined,
    );
    for (const record of page.records) context.loaders.sessionById.prime(record.session.id, record);
    const edges = page.records.map((record) => ({ cursor: record.cursor, node: toSessionView(record.session, record) }));
    return {
      edges,
      nodes: edges.map((edge) => edge.node),
      totalCount: page.totalCount,
      pageInfo: {
        hasNextPage: page.hasNextPage,
        hasPreviousPage: Boolean(after),
        startCursor: edges[0]?.cursor ?? null,
        endCursor: edges[edges.length - 1]?.cursor ?? null,
      },
    };
  }

  @FieldResolver(() => User, { nullable: true, description: "The manager responsible for setting it up" })
  async assignee(@Root() session: Session, @Ctx() context: GraphQLContext): Promise<User | null> {
    if (!session.assigneeId) return null;
    const user = await context.loaders.userById.load(session.assigneeId);
    return user ? toUserView(user) : null;
  }
}
