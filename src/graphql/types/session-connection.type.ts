import { Field, Int, ObjectType } from "type-graphql";
import { Session } from "./session.type.js";

@ObjectType()
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => Boolean)
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true })
  startCursor!: string | null;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

@ObjectType()
export class SessionEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => Session)
  node!: Session;
}

@ObjectType()
export class SessionConnection {
  @Field(() => [SessionEdge])
  edges!: SessionEdge[];

  @Field(() => [Session], { description: "The nodes of `edges`, for clients that need no cursors" })
  nodes!: Session[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;

  @Field(() => Int, { description: "Sessions matching the filter, over all pages" })
  totalCount!: number;
}
