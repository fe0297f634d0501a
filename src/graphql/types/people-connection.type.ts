import { Field, Int, ObjectType } from "type-graphql";
import { PageInfo } from "./session-connection.type.js";
import { Team } from "./team.type.js";
import { User } from "./user.type.js";

@ObjectType()
export class UserEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => User)
  node!: User;
}

@ObjectType()
export class UserConnection {
  @Field(() => [UserEdge])
  edges!: UserEdge[];

  @Field(() => [User])
  nodes!: User[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int)
  totalCount!: number;
}

@ObjectType()
export class TeamEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => Team)
  node!: Team;
}

@ObjectType()
export class TeamConnection {
  @Field(() => [TeamEdge])
  edges!: TeamEdge[];

  @Field(() => [Team])
  nodes!: Team[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int)
  totalCount!: number;
}

/** Edges, nodes and pageInfo of one page of keyset-paginated records. */
export function toConnection<R extends { cursor: string }, N>(
  page: { records: R[]; totalCount: number; hasNextPage: boolean },
  after: string | null | undefined,
  toNode: (record: R) => N,
) {
  const edges = page.records.map((record) => ({ cursor: record.cursor, node: toNode(record) }));
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
