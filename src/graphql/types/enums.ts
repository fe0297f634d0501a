import { registerEnumType } from "type-graphql";
import { API_KEY_SCOPES } from "../../domain/access/actor.js";
import { PAYMENT_METHODS } from "../../domain/organizations/settings.js";
import { APPLIED_PRICES } from "../../domain/payments/price-to-pay.js";
import { ROLES, USER_STATUSES } from "../../domain/users/user.js";
import {
  ATTENDANCE_METHODS,
  CANCELLATION_REASONS,
  REGISTRATION_STATUSES,
} from "../../domain/sessions/events.js";
import { SESSION_FORMAT_KINDS, SESSION_MODES, SESSION_STATUSES } from "../../domain/sessions/values.js";

/** A GraphQL enum whose values are exactly the domain's list: they cannot drift apart. */
function enumOf<const Values extends readonly string[]>(values: Values): { [V in Values[number]]: V } {
  return Object.fromEntries(values.map((value) => [value, value])) as { [V in Values[number]]: V };
}

export const SessionStatus = enumOf(SESSION_STATUSES);
export type SessionStatus = (typeof SESSION_STATUSES)[number];
export const SessionCreationStatus = enumOf(["DRAFT", "LEAD"] as const);
export type SessionCreationStatus = keyof typeof SessionCreationStatus;
export const SessionMode = enumOf(SESSION_MODES);
export type SessionMode = (typeof SESSION_MODES)[number];
export const SessionFormatKind = enumOf(SESSION_FORMAT_KINDS);
export type SessionFormatKind = (typeof SESSION_FORMAT_KINDS)[number];
export const Role = enumOf(ROLES);
export type Role = (typeof ROLES)[number];
export const UserStatus = enumOf(USER_STATUSES);
export type UserStatus = (typeof USER_STATUSES)[number];
export const PaymentMethod = enumOf(PAYMENT_METHODS);
export type PaymentMethod = (typeof PAYMENT_METHODS)[number];
export const AppliedPrice = enumOf(APPLIED_PRICES);
export type AppliedPrice = (typeof APPLIED_PRICES)[number];
/** GraphQL names cannot hold ":": SESSIONS_READ stands for the scope "sessions:read". */
export const ApiKeyScope = Object.fromEntries(
  API_KEY_SCOPES.map((scope) => [scope.replace(":", "_").toUpperCase(), scope]),
) as Record<string, (typeof API_KEY_SCOPES)[number]>;
export const SessionOrderField = enumOf(["START", "NAME", "CREATED"] as const);
export type SessionOrderField = keyof typeof SessionOrderField;
export const SortDirection = enumOf(["ASC", "DESC"] as const);
export type SortDirection = keyof typeof SortDirection;
export const RegistrationStatus = enumOf(REGISTRATION_STATUSES);
export type RegistrationStatus = (typeof REGISTRATION_STATUSES)[number];
export const CancellationReason = enumOf(CANCELLATION_REASONS);
export type CancellationReason = (typeof CANCELLATION_REASONS)[number];
export const AttendanceMethod = enumOf(ATTENDANCE_METHODS);
export type AttendanceMethod = (typeof ATTENDANCE_METHODS)[number];
export const Timeframe = enumOf(["UPCOMING", "PAST"] as const);
export type Timeframe = keyof typeof Timeframe;
export const RegistrationChangeKind = enumOf(["REGISTERED", "WAITLISTED", "PROMOTED", "CANCELED", "ATTENDED"] as const);
export type RegistrationChangeKind = keyof typeof RegistrationChangeKind;

registerEnumType(SessionStatus, {
  name: "SessionStatus",
  description: "DRAFT → LEAD → PLANNED → CONFIRMED; any status but CANCELED may become CANCELED; LEAD may go back to DRAFT",
});
registerEnumType(SessionCreationStatus, { name: "SessionCreationStatus", description: "A session starts as DRAFT or LEAD" });
registerEnumType(SessionMode, { name: "SessionMode" });
registerEnumType(SessionFormatKind, { name: "SessionFormatKind" });
registerEnumType(Role, { name: "Role" });
registerEnumType(SessionOrderField, { name: "SessionOrderField" });
registerEnumType(SortDirection, { name: "SortDirection" });
registerEnumType(UserStatus, {
  name: "UserStatus",
  description: "INVITED: waiting for the person to accept the invitation; DEACTIVATED: cannot sign in, history kept",
});
registerEnumType(PaymentMethod, { name: "PaymentMethod", description: "CASH: pay at the session; CHECK: check by mail" });
registerEnumType(AppliedPrice, {
  name: "AppliedPrice",
  description: "Which price a buyer pays: REGULAR, PROMO (the promotional price, within its period) or MEMBER (members of the organization)",
});
registerEnumType(ApiKeyScope, { name: "ApiKeyScope", description: "SESSIONS_READ is the scope sessions:read, and so on" });
registerEnumType(RegistrationStatus, {
  name: "RegistrationStatus",
  description: "REGISTERED: holds a seat; WAITLISTED: waits for one, first come first served; CANCELED",
});
registerEnumType(CancellationReason, { name: "CancellationReason" });
registerEnumType(AttendanceMethod, {
  name: "AttendanceMethod",
  description: "LINK: the participant opened the attendance link / QR code; STAFF: marked by staff",
});
registerEnumType(Timeframe, { name: "Timeframe", description: "UPCOMING: not ended yet; PAST: ended" });
registerEnumType(RegistrationChangeKind, { name: "RegistrationChangeKind" });
