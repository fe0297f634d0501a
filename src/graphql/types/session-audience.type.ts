import { createUnionType, Field, ID, Int, ObjectType } from "type-graphql";
import type { SessionAudience as DomainAudience } from "../../domain/sessions/values.js";

@ObjectType({ description: "S5: everyone in the organization can see and register, within the range" })
export class PublicAudience {
  @Field(() => Int)
  minParticipants!: number;

  @Field(() => Int)
  maxParticipants!: number;

  @Field(() => Boolean, { description: "Beyond max, people join a first-come waitlist (S9)" })
  waitlistEnabled!: boolean;
}

@ObjectType({ description: "S5: only the targets can see and register; with no target, nobody can" })
export class PrivateAudience {
  @Field(() => [ID])
  targetTeamIds!: string[];

  @Field(() => [ID])
  targetUserIds!: string[];

  @Field(() => [String])
  invitedEmails!: string[];
}

export const SessionAudience = createUnionType({
  name: "SessionAudience",
  types: () => [PublicAudience, PrivateAudience] as const,
  resolveType: (value) => ((value as DomainAudience).mode === "PUBLIC" ? PublicAudience : PrivateAudience),
});
