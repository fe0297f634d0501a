import { createUnionType, Field, ID, ObjectType } from "type-graphql";
import type { SessionFormat as DomainFormat } from "../../domain/sessions/values.js";

@ObjectType({ description: "A live online session at a link" })
export class WebinarFormat {
  @Field(() => String)
  link!: string;

  // Nullable in every format so clients can select trainerId across the union without a conflict.
  @Field(() => ID, { nullable: true, description: "Always set for this format" })
  trainerId!: string;

  @Field(() => ID, { nullable: true })
  hostId!: string | null;
}

@ObjectType({ description: "An in-person session at a place" })
export class ClassroomFormat {
  // Nullable in every format so clients can select trainerId across the union without a conflict.
  @Field(() => ID, { nullable: true, description: "Always set for this format" })
  trainerId!: string;

  @Field(() => ID, { nullable: true })
  hostId!: string | null;

  @Field(() => String)
  place!: string;

  @Field(() => String)
  address!: string;

  @Field(() => String, { nullable: true })
  notes!: string | null;

  @Field(() => String, { nullable: true })
  helpfulLink!: string | null;

  @Field(() => [ID], { description: "Courses the trainer may use for free during the session" })
  courseIds!: string[];
}

@ObjectType({ description: "Self-paced online content: a course and/or a journey" })
export class OnlineFormat {
  @Field(() => ID, { nullable: true })
  trainerId!: string | null;

  @Field(() => ID, { nullable: true })
  courseId!: string | null;

  @Field(() => ID, { nullable: true })
  journeyId!: string | null;
}

export const SessionFormat = createUnionType({
  name: "SessionFormat",
  types: () => [WebinarFormat, ClassroomFormat, OnlineFormat] as const,
  resolveType: (value) => {
    switch ((value as DomainFormat).kind) {
      case "WEBINAR":
        return WebinarFormat;
      case "CLASSROOM":
        return ClassroomFormat;
      case "ONLINE":
        return OnlineFormat;
      default:
        return undefined;
    }
  },
});
