import { createUnionType, Field, ID, Int, ObjectType } from "type-graphql";
import type { SessionAudience as DomainAudience } from "../../domain/sessions/values.js";

@ObjectType({ description: "A public session: everyone in the organization can see it and register, within the participant range" })
export class PublicAudience {
  @Field(() => Int)
  minParticipants!: number;

  @Field(() => Int)
  maxParticipants!: number;

  @Field(() => Boolean, { description: "Beyond maxParticipants, people join a first-come, first-served waitlist; off, a full session refuses them" })
  waitlistEnabled!: boolean;
}

@ObjectType({ description: "A private session: only the teams, people and e-mails it targets can see it and register; with no target, nobody can" })
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
