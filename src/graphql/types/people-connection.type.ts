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
