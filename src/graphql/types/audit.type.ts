import { DateTimeResolver, JSONObjectResolver } from "graphql-scalars";
import { Field, ID, Int, ObjectType } from "type-graphql";
import { Connection } from "./connection.js";

@ObjectType({ description: "One recorded event with who, when, what and why" })
export class AuditEvent {
  @Field(() => String, { description: "Global position in the event log (a 64-bit integer as a string)" })
  position!: string;

  @Field(() => String, { description: "`<category>-<id>`, e.g. session-…" })
  streamName!: string;

  @Field(() => String, { description: "Revision within the stream (0 = first event), as a string" })
  revision!: string;

  @Field(() => String)
  type!: string;

  @Field(() => ID, { nullable: true, description: "Who: a user id or api-key:<id>" })
  actorId!: string | null;

  @Field(() => DateTimeResolver, { description: "When it happened" })
  occurredAt!: Date;

  @Field(() => ID)
  eventId!: string;

  @Field(() => String, { nullable: true, description: "Why: the request that caused it (all its events share it)" })
  correlationId!: string | null;

  @Field(() => String, { nullable: true, description: "Why: the command or event that caused it" })
  causationId!: string | null;

  @Field(() => JSONObjectResolver, {
    description:
      "What: the event's data (password and key hashes redacted; people's e-mails, roles, country and membership too, unless the caller may read people: staff, API keys with people:read)",
  })
  data!: Record<string, unknown>;

  @Field(() => JSONObjectResolver, { description: "The full metadata, including the previous event's hash" })
  metadata!: Record<string, unknown>;
}

@ObjectType()
export class AuditEventConnection extends Connection(AuditEvent, "AuditEvent") {}

@ObjectType({ description: "The first event whose recorded predecessor hash does not match the stored predecessor" })
export class HashChainBreak {
  @Field(() => String)
  streamName!: string;

  @Field(() => String)
  revision!: string;

  @Field(() => String)
  position!: string;

  @Field(() => ID)
  eventId!: string;

  @Field(() => String, { nullable: true, description: "The hash of the previous event as it is stored now" })
  expectedPreviousHash!: string | null;

  @Field(() => String, { nullable: true, description: "The hash this event recorded when it was written" })
  recordedPreviousHash!: string | null;
}

@ObjectType({ description: "Whether the organization's history is as it was written (each event chained to the hash of the one before)" })
export class EventHistoryVerification {
  @Field(() => Boolean)
  intact!: boolean;

  @Field(() => Int)
  streamsChecked!: number;

  @Field(() => Int)
  eventsChecked!: number;

  @Field(() => HashChainBreak, { nullable: true })
  firstBreak!: HashChainBreak | null;
}
