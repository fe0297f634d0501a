import { Field, ID, ObjectType } from "type-graphql";
import { DateTimeResolver } from "graphql-scalars";
import { Role } from "./enums.js";

@ObjectType()
export class User {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  email!: string;

  @Field(() => String)
  displayName!: string;

  @Field(() => [Role])
  roles!: Role[];

  @Field(() => DateTimeResolver)
  createdAt!: Date;
}

@ObjectType()
export class Organization {
  @Field(() => ID)
  id!: string;

  @Field(() => String)
  name!: string;

  @Field(() => String, { description: "IANA time zone in which sessions are shown" })
  timezone!: string;

  @Field(() => String, { description: "Default ISO 4217 currency" })
  currency!: string;

  @Field(() => DateTimeResolver)
  createdAt!: Date;
}

@ObjectType()
export class AuthPayload {
  @Field(() => String, { description: "Bearer access token (JWT) for the Authorization header" })
  token!: string;

  @Field(() => DateTimeResolver)
  expiresAt!: Date;

  @Field(() => User)
  user!: User;

  @Field(() => Organization)
  organization!: Organization;
}
