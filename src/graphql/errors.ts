import { unwrapResolverError } from "@apollo/server/errors";
import { GraphQLError, type GraphQLFormattedError } from "graphql";
import type { Logger } from "pino";
import { DomainError, ValidationError } from "../domain/shared/errors.js";
import { EventStoreUnavailableError } from "../domain/shared/event-store.js";

export const unauthenticated = () =>
  new GraphQLError("Sign in first: send an access token as `Authorization: Bearer <token>`", {
    extensions: { code: "UNAUTHENTICATED" },
  });

export const forbidden = (message: string) => new GraphQLError(message, { extensions: { code: "FORBIDDEN" } });

export const notFound = (what: string, id: string) =>
  new GraphQLError(`${what} ${id} was not found`, { extensions: { code: "NOT_FOUND" } });

/** graphql-js stops coercing variables after 50 errors with this error, which has no code. */
const TOO_MANY_VARIABLE_ERRORS = "Too many errors processing variables, error limit reached. Execution aborted.";

/** graphql-js's "Did you mean …?" hints, which name fields, arguments and enum values of the schema. */
const SUGGESTION = / ?Did you mean(.+?)\?$/;

/**
 * Maps every error to a stable `extensions.code` and a message a person can act on.
 * Unknown errors become INTERNAL_SERVER_ERROR without details; nothing leaks a stack trace.
 * Without `suggestions`, "Did you mean …?" hints are removed from messages.
 */
export function formatError(logger: Logger, { suggestions }: { suggestions: boolean }) {
  const format = formatEveryError(logger);
  if (suggestions) return format;
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const result = format(formatted, error);
    return { ...result, message: result.message.replace(SUGGESTION, "") };
  };
}

function formatEveryError(logger: Logger) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrapResolverError(error);
    const base = { message: formatted.message, locations: formatted.locations, path: formatted.path };
    if (original instanceof ValidationError) {
      return {
        ...base,
        message: original.message,
        extensions: { code: "BAD_USER_INPUT", field: original.field },
      };
    }
    if (original instanceof DomainError) {
      return { ...base, message: original.message, extensions: { code: original.code, ...original.details } };
    }
    if (original instanceof GraphQLError && original.message === TOO_MANY_VARIABLE_ERRORS) {
      return { ...base, extensions: { code: "BAD_USER_INPUT" } };
    }
    if (original instanceof EventStoreUnavailableError) {
      logger.error({ err: original }, "event store unavailable");
      return { ...base, message: "The service is temporarily unavailable; try again", extensions: { code: "SERVICE_UNAVAILABLE" } };
    }
    // Apollo relabels every validation error GRAPHQL_VALIDATION_FAILED; keep our rules' own codes and details.
    const ruleError = original instanceof GraphQLError && original.originalError instanceof GraphQLError
      ? original.originalError
      : undefined;
    if (ruleError && typeof ruleError.extensions.code === "string") return { ...base, extensions: { ...ruleError.extensions } };
    const code = formatted.extensions?.code;
    if (typeof code === "string" && code !== "INTERNAL_SERVER_ERROR") {
      const { stacktrace: _ignored, ...extensions } = formatted.extensions ?? {};
      return { ...base, extensions };
    }
    logger.error({ err: original }, "unexpected error");
    return { ...base, message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR" } };
  };
}
