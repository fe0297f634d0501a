/** Stable codes a client can switch on. They surface as GraphQL `extensions.code`. */
export type DomainErrorCode =
  | "VALIDATION"
  | "INVALID_TRANSITION"
  | "SESSION_INCOMPLETE"
  | "SESSION_CANCELED"
  | "SESSION_ENDED"
  | "NOT_FOUND"
  | "ALREADY_EXISTS"
  | "FORBIDDEN"
  | "UNAUTHENTICATED"
  | "CONCURRENCY_CONFLICT"
  | "IDEMPOTENCY_KEY_REUSED"
  | "INVALID_INVITATION"
  | "RATE_LIMITED"
  | "SESSION_NOT_OPEN"
  | "REGISTRATION_CLOSED"
  | "SESSION_FULL"
  | "NOT_IN_AUDIENCE"
  | "COUNTRY_NOT_ALLOWED"
  | "PAYMENT_REQUIRED"
  | "NOT_A_PARTICIPANT"
  | "OUTSIDE_ATTENDANCE_WINDOW"
  | "INVALID_ATTENDANCE_LINK"
  | "ALREADY_CLAIMED"
  | "ORDER_NOT_PENDING"
  | "ORDER_NOT_PAID";

/** A broken business rule, with a message a person can act on. */
export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "DomainError";
  }
}

/** Invalid input, naming the field (dotted path, e.g. `format.link`). */
export class ValidationError extends DomainError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super("VALIDATION", `${field}: ${message}`, { field });
    this.name = "ValidationError";
  }
}

export function assertNever(value: never): never {
  throw new Error(`Unexpected value: ${JSON.stringify(value)}`);
}
