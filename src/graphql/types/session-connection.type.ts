import { ObjectType } from "type-graphql";
import { Connection } from "./connection.js";
import { Session } from "./session.type.js";

@ObjectType()
export class SessionConnection extends Connection(Session, "Session", "Sessions matching the filter, over all pages") {}
