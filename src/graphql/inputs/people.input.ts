import { Field, ID, InputType } from "type-graphql";
import { Role, UserStatus } from "../types/enums.js";
import { IDEMPOTENCY } from "./session.input.js";

@InputType()
export class CreateUserInput {
  @Field(() => String)
  email!: string;

  @Field(() => String)
  displayName!: string;

  @Field(() => [Role], { defaultValue: ["LEARNER"] })
  roles!: Role[];

  @Field(() => String, { nullable: true, description: "ISO 3166-1 alpha-2" })
  country?: string | null;

  @Field(() => Boolean, { defaultValue: false })
  isMember!: boolean;

  @Field(() => String, { nullable: true, description: "Without one, the person cannot sign in until invited" })
  password?: string | null;

  @Field(() => [ID], { nullable: true, description: "Teams to add the user to" })
  teamIds?: string[] | null;

  @Field(() => String, IDEMPOTENCY)
  idempotencyKey?: string | null;
}

@InputType({ description: "Creates the user and e-mails a link to choose a password" })
export class InviteUserInput {
  @Field(() => String)
  email!: string;

  @Field(() => String, { nullable: true, description: "Defaults to the part of the e-mail before @" })
  displayName?: string | null;

  @Field(() => [Role], { defaultValue: ["LEARNER"] })
  roles!: Role[];

  @Field(() => String, { nullable: true })
  country?: string | null;

  @Field(() => Boolean, { defaultValue: false })
  isMember!: boolean;

  @Field(() => [ID], { nullable: true })
  teamIds?: string[] | null;

  @Field(() => String, IDEMPOTENCY)
  idempotencyKey?: string | null;
}

@InputType({ description: "Omitted fields stay; null clears the country" })
export class UpdateUserInput {
  @Field(() => ID)
  userId!: string;

  @Field(() => String, { nullable: true })
  displayName?: string | null;

  @Field(() => String, { nullable: true })
  country?: string | null;

  @Field(() => Boolean, { nullable: true })
  isMember?: boolean | null;

  @Field(() => String, IDEMPOTENCY)
  idempotencyKey?: string | null;
}

@InputType()
export class ChangeUserRolesInput {
  @Field(() => ID)
  userId!: string;

  @Field(() => [Role], { description: "The complete new list" })
  roles!: Role[];

  @Field(() => String, IDEMPOTENCY)
  idempotencyKey?: string | null;
}

@InputType()
export class DeactivateUserInput {
  @Field(() => ID)
  userId!: string;

  @Field(() => String, { nullable: true })
  reason?: string | null;

  @Field(() => String, IDEMPOTENCY)
  idempotencyKey?: string | null;
}

@InputType()
export class ReactivateUserInput {
  @Field(() => ID)
  userId!: string;

  @Field(() => String, IDEMPOTENCY)
  idempotencyKey?: string | null;
}

@InputType({ description: "A new invitation replaces the pending one: its link stops working" })
export class SendInvitationInput {
  @Field(() => ID)
  userId!: string;

  @Field(() => String, {
    ...IDEMPOTENCY,
    description: `${IDEMPOTENCY.description}: a retry sends no second e-mail and keeps the first link working`,
  })
  idempotencyKey?: string | null;
}

@InputType()
export class UserFilterInput {
  @Field(() => [Role], { nullable: true, description: "Users holding any of these roles" })
  role?: Role[] | null;

  @Field(() => [UserStatus], { nullable: true })
  status?: UserStatus[] | null;

  @Field(() => Boolean, { nullable: true })
  isMember?: boolean | null;

  @Field(() => ID, { nullable: true, description: "Members of this team" })
  teamId?: string | null;

  @Field(() => String, { nullable: true, description: "Words searched in name and e-mail" })
  search?: string | null;
}

@InputType()
export class CreateTeamInput {
  @Field(() => String)
  name!: string;

  @Field(() => [ID], { nullable: true })
  memberIds?: string[] | null;

  @Field(() => String, IDEMPOTENCY)
  idempotencyKey?: string | null;
}

@InputType()
export class RenameTeamInput {
  @Field(() => ID)
  teamId!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, IDEMPOTENCY)
  idempotencyKey?: string | null;
}

@InputType()
export class TeamMemberInput {
  @Field(() => ID)
  teamId!: string;

  @Field(() => ID)
  userId!: string;

  @Field(() => String, IDEMPOTENCY)
  idempotencyKey?: string | null;
}
