import { DateTimeResolver } from "graphql-scalars";
import { Field, ID, ObjectType } from "type-graphql";
import { SessionStatus } from "./enums.js";
import { Session } from "./session.type.js";

@ObjectType({ description: "A session moved from one status to another" })
export class SessionStatusChange {
  @Field(() => ID)
  sessionId!: string;

  @Field(() => SessionStatus)
  previousStatus!: SessionStatus;

  @Field(() => SessionStatus)
  status!: SessionStatus;

  @Field(() => String, { nullable: true })
  reason!: string | null;

  @Field(() => ID, { description: "The user who changed it" })
  changedBy!: string;

  @Field(() => DateTimeResolver)
  changedAt!: Date;

  @Field(() => String, { description: "Global position of the event in the log" })
  position!: string;

  @Field(() => Session, { description: "The session as it is after the change" })
  session!: Session;
}
