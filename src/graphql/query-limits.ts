import {
  GraphQLError,
  Kind,
  getNamedType,
  getNullableType,
  isLeafType,
  isListType,
  type ASTVisitor,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValidationContext,
} from "graphql";
import { getComplexity, type ComplexityEstimator } from "graphql-query-complexity";

/** Size assumed for a list that takes no `first` argument (a team's members, a user's teams…). */
export const ASSUMED_LIST_SIZE = 10;

/** Fields whose resolver does far more work than reading one object (weights per call). */
const FIELD_WEIGHTS: Record<string, number> = {
  // Re-reads every event of the organization and checks its hash chains.
  "Query.verifyEventHistory": 100,
  "Query.sessionAsOf": 10,
};

/** Past this many selections (fragments counted where spread) the cost is not computed: refused. */
const MAX_EVALUATED_SELECTIONS = 10_000;

/**
 * The cost model: every object a field returns costs 1 plus what is selected in it, times the
 * number of objects — `first` for a paginated list (its default when omitted), ASSUMED_LIST_SIZE
 * for a list without pagination. Scalars are free (they come with their object), and so is
 * `pageInfo`; `edges` and `nodes` are counted once per item of their connection.
 */
const estimator: ComplexityEstimator = ({ type, field, args, childComplexity }) => {
  if (isLeafType(getNamedType(field.type))) return 0;
  if (getNamedType(field.type).name === "PageInfo") return 0;
  const weight = FIELD_WEIGHTS[`${type.name}.${field.name}`] ?? 1;
  if (typeof args.first === "number" && args.first > 0) return weight + args.first * childComplexity;
  if (isListType(getNullableType(field.type)) && !type.name.endsWith("Connection")) {
    return ASSUMED_LIST_SIZE * (weight + childComplexity);
  }
  return weight + childComplexity;
};

export interface QueryCostLimits {
  maxCost: number;
  maxAliases: number;
}

export const tooComplex = (message: string, extensions: Record<string, unknown>) =>
  new GraphQLError(message, { extensions: { code: "QUERY_TOO_COMPLEX", ...extensions } });

/**
 * The operation's cost with its variables, or the QUERY_TOO_COMPLEX error when it is over the
 * limit. Run after validation (the cost needs the variables, validation results are cached
 * without them) and before execution.
 */
export function checkQueryCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | undefined,
  maxCost: number,
): GraphQLError | null {
  let cost: number;
  try {
    cost = getComplexity({
      schema,
      query: document,
      variables: variables ?? {},
      ...(operationName ? { operationName } : {}),
      estimators: [estimator],
      maxQueryNodes: MAX_EVALUATED_SELECTIONS,
    });
  } catch (error) {
    if (error instanceof GraphQLError && /maximum allowed number of nodes/.test(error.message)) {
      return tooComplex(
        `The query selects more than ${MAX_EVALUATED_SELECTIONS} fields (fragments counted where they are spread); split it`,
        { limit: maxCost },
      );
    }
    // Bad variables: execution refuses them (BAD_USER_INPUT) before resolving anything.
    return null;
  }
  if (cost <= maxCost) return null;
  return tooComplex(
    `The query costs ${cost}; the limit is ${maxCost}. Ask for smaller pages (first) or fewer nested lists ` +
      `(a list without first counts as ${ASSUMED_LIST_SIZE} items)`,
    { cost, limit: maxCost },
  );
}

/** Validation rule: refuses operations with more than `maxAliases` aliased fields (fragments counted where spread). */
export function aliasLimit(maxAliases: number) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of context.getDocument().definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }
    // Memoised per fragment, so a fragment spread many times is counted without re-walking it.
    const fragmentAliases = new Map<string, number>();
    const aliasesIn = (selectionSet: SelectionSetNode | undefined, seen: ReadonlySet<string>): number => {
      if (!selectionSet) return 0;
      let count = 0;
      for (const selection of selectionSet.selections) {
        if (selection.kind === Kind.FIELD) {
          count += (selection.alias ? 1 : 0) + aliasesIn(selection.selectionSet, seen);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          count += aliasesIn(selection.selectionSet, seen);
        } else {
          const name = selection.name.value;
          const fragment = fragments.get(name);
          if (!fragment || seen.has(name)) continue; // cycles are reported by NoFragmentCyclesRule
          let inFragment = fragmentAliases.get(name);
          if (inFragment === undefined) {
            inFragment = aliasesIn(fragment.selectionSet, new Set([...seen, name]));
            fragmentAliases.set(name, inFragment);
          }
          count += inFragment;
        }
      }
      return count;
    };
    return {
      OperationDefinition(node) {
        const aliases = aliasesIn(node.selectionSet, new Set());
        if (aliases > maxAliases) {
          const error = tooComplex(`The operation has ${aliases} aliased fields; the limit is ${maxAliases}`, {
            aliases,
            limit: maxAliases,
          });
          context.reportError(new GraphQLError(error.message, { nodes: [node], extensions: error.extensions }));
        }
      },
    };
  };
}
