import { DateTimeResolver } from "graphql-scalars";
import { Field, InputType } from "type-graphql";

@InputType({ description: "Every field narrows the history; omitted fields do not" })
export class EventHistoryFilter {
  @Field(() => String, { nullable: true, description: "One stream, e.g. session-<id>" })
  streamName?: string | null;

  @Field(() => [String], { nullable: true, description: "Event types, e.g. SessionCanceled" })
  types?: string[] | null;

  @Field(() => [String], { nullable: true, description: "Stream categories, e.g. session, user, team" })
  categories?: string[] | null;

  @Field(() => String, { nullable: true, description: "A user id or api-key:<id>" })
  actorId?: string | null;

  @Field(() => DateTimeResolver, { nullable: true, description: "Inclusive" })
  from?: Date | null;

  @Field(() => DateTimeResolver, { nullable: true, description: "Exclusive" })
  to?: Date | null;
}
