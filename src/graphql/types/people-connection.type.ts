import { ObjectType } from "type-graphql";
import { Connection } from "./connection.js";
import { Team } from "./team.type.js";
import { User } from "./user.type.js";

@ObjectType()
export class UserConnection extends Connection(User, "User") {}

@ObjectType()
export class TeamConnection extends Connection(Team, "Team") {}
