import { registerEnumType } from "type-graphql";

export enum SessionStatus {
  DRAFT = "DRAFT",
  LEAD = "LEAD",
  PLANNED = "PLANNED",
  CONFIRMED = "CONFIRMED",
  CANCELED = "CANCELED",
}
export enum SessionCreationStatus {
  DRAFT = "DRAFT",
  LEAD = "LEAD",
}
export enum SessionMode {
  PUBLIC = "PUBLIC",
  PRIVATE = "PRIVATE",
}
export enum SessionFormatKind {
  WEBINAR = "WEBINAR",
  CLASSROOM = "CLASSROOM",
  ONLINE = "ONLINE",
}
export enum Role {
  ADMIN = "ADMIN",
  MANAGER = "MANAGER",
  TRAINER = "TRAINER",
  HOST = "HOST",
  EMPLOYEE = "EMPLOYEE",
  LEARNER = "LEARNER",
  AUDITOR = "AUDITOR",
}
export enum SessionOrderField {
  START = "START",
  NAME = "NAME",
  CREATED = "CREATED",
}
export enum SortDirection {
  ASC = "ASC",
  DESC = "DESC",
}

registerEnumType(SessionStatus, {
  name: "SessionStatus",
  description: "S3 lifecycle: DRAFT → LEAD → PLANNED → CONFIRMED, any non-canceled → CANCELED",
});
registerEnumType(SessionCreationStatus, { name: "SessionCreationStatus", description: "A session starts as DRAFT or LEAD" });
registerEnumType(SessionMode, { name: "SessionMode" });
registerEnumType(SessionFormatKind, { name: "SessionFormatKind" });
registerEnumType(Role, { name: "Role" });
registerEnumType(SessionOrderField, { name: "SessionOrderField" });
registerEnumType(SortDirection, { name: "SortDirection" });
