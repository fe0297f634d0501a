import { GraphQLError, type ASTVisitor, type ValidationContext } from "graphql";

/** Refuses `__schema` and `__type` (`__typename` stays allowed), once per field asked for. */
export function noIntrospection(context: ValidationContext): ASTVisitor {
  return {
    Field(node) {
      if (node.name.value === "__schema" || node.name.value === "__type") {
        context.reportError(
          new GraphQLError(`Introspection is turned off on this server: "${node.name.value}" cannot be queried`, { nodes: [node] }),
        );
      }
    },
  };
}
