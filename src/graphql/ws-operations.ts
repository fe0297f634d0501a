import {
  GraphQLError,
  getOperationAST,
  getVariableValues,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type GraphQLSchema,
  type ValidationRule,
} from "graphql";
import type { SubscribePayload } from "graphql-ws";
import { checkInputBounds } from "./input-bounds.js";
import { checkQueryCost } from "./query-limits.js";

/** The same error with a code, as Apollo labels it over HTTP (a rule's own code is kept). */
function withCode(error: GraphQLError, code: string): GraphQLError {
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    extensions: { ...error.extensions, code: typeof error.extensions.code === "string" ? error.extensions.code : code },
  });
}

/**
 * graphql-ws `onSubscribe`: what Apollo does over HTTP before executing — parse, validate with the
 * same rules, resolve the operation, bound the inputs, coerce the variables, check the cost — each
 * refusal with the code Apollo gives it. Nothing runs (not even the context, so no token lookup) for a refused operation.
 */
export function prepareWsOperation(schema: GraphQLSchema, rules: readonly ValidationRule[], maxCost: number) {
  return (payload: SubscribePayload): ExecutionArgs | GraphQLError[] => {
    let document: DocumentNode;
    try {
      document = parse(payload.query);
    } catch (error) {
      if (error instanceof GraphQLError) return [withCode(error, "GRAPHQL_PARSE_FAILED")];
      throw error;
    }
    const validationErrors = validate(schema, document, [...specifiedRules, ...rules]);
    if (validationErrors.length > 0) return validationErrors.map((error) => withCode(error, "GRAPHQL_VALIDATION_FAILED"));
    const operationName = payload.operationName ?? undefined;
    const operation = getOperationAST(document, operationName);
    if (!operation) {
      const message = operationName ? `Unknown operation named "${operationName}"` : "Name the operation to run (operationName)";
      return [new GraphQLError(message, { extensions: { code: "OPERATION_RESOLUTION_FAILURE" } })];
    }
    const variables = payload.variables ?? {};
    const outOfBounds = checkInputBounds(schema, document, variables, operationName);
    if (outOfBounds) return [outOfBounds];
    // At most 50 errors, then graphql-js's "Too many errors", as execute() does over HTTP.
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables, { maxErrors: 50 });
    if (coerced.errors) return coerced.errors.map((error) => withCode(error, "BAD_USER_INPUT"));
    const tooComplex = checkQueryCost(schema, document, variables, operationName, maxCost);
    if (tooComplex) return [tooComplex];
    return { schema, document, variableValues: variables, operationName };
  };
}
