import {
  GraphQLError,
  Kind,
  getNamedType,
  getNullableType,
  getOperationAST,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isObjectType,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValueNode,
  type VariableDefinitionNode,
} from "graphql";

/** The longest text any input takes (a session's description). */
export const MAX_TEXT_INPUT = 20_000;
/** Arguments and input fields named `search`: longer patterns only make SQLite's LIKE give up. */
export const MAX_SEARCH_TEXT = 200;
/** Entries of any list argument or input field (session audiences, filters…). */
export const MAX_LIST_INPUT = 1_000;

class Refusal {
  constructor(
    readonly field: string,
    readonly message: string,
  ) {}
}

const refuse = (field: string, message: string): never => {
  throw new Refusal(field, message);
};

/**
 * BAD_USER_INPUT (with `field`, as the domain's validation errors) for the first text or list over
 * its bound among the arguments of the operation to run — literals and the raw variables, which
 * may not match their types yet (coercion reports those). Run after validation, before coercion.
 * Each fragment and each variable is walked once, so the work follows the size of the request.
 */
export function checkInputBounds(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | null | undefined,
  operationName: string | null | undefined,
): GraphQLError | null {
  const operation = getOperationAST(document, operationName);
  if (!operation) return null;
  try {
    new BoundsWalk(schema, document, operation, variables ?? {}).run();
    return null;
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    return new GraphQLError(`${error.field}: ${error.message}`, {
      extensions: { code: "BAD_USER_INPUT", field: error.field },
    });
  }
}

class BoundsWalk {
  private readonly fragments = new Map<string, FragmentDefinitionNode>();
  private readonly walkedFragments = new Set<string>();
  private readonly walkedVariables = new Set<string>();
  private readonly variableDefinitions = new Map<string, VariableDefinitionNode>();

  constructor(
    private readonly schema: GraphQLSchema,
    document: DocumentNode,
    private readonly operation: OperationDefinitionNode,
    private readonly variables: Record<string, unknown>,
  ) {
    for (const definition of document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) this.fragments.set(definition.name.value, definition);
    }
    for (const definition of operation.variableDefinitions ?? []) this.variableDefinitions.set(definition.variable.name.value, definition);
  }

  run(): void {
    this.selections(this.operation.selectionSet, this.schema.getRootType(this.operation.operation) ?? undefined);
  }

  private selections(selectionSet: SelectionSetNode, parent: GraphQLNamedType | undefined): void {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const field = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[selection.name.value] : undefined;
        for (const argument of selection.arguments ?? []) {
          const definition = field?.args.find((arg) => arg.name === argument.name.value);
          if (definition) this.literal(argument.value, definition.type, argument.name.value, argument.name.value);
        }
        if (selection.selectionSet) this.selections(selection.selectionSet, field && getNamedType(field.type));
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? this.schema.getType(selection.typeCondition.name.value) : parent;
        this.selections(selection.selectionSet, type ?? undefined);
      } else {
        const name = selection.name.value;
        const fragment = this.fragments.get(name);
        if (!fragment || this.walkedFragments.has(name)) continue;
        this.walkedFragments.add(name);
        this.selections(fragment.selectionSet, this.schema.getType(fragment.typeCondition.name.value) ?? undefined);
      }
    }
  }

  /** A value written in the document (validated against its type) or a variable in it. */
  private literal(node: ValueNode, type: GraphQLInputType, path: string, name: string): void {
    const nullable = getNullableType(type);
    if (node.kind === Kind.VARIABLE) {
      this.variable(node.name.value, type, path, name);
    } else if (node.kind === Kind.STRING) {
      this.text(node.value, path, name);
    } else if (node.kind === Kind.LIST) {
      if (node.values.length > MAX_LIST_INPUT) refuse(path, `must have at most ${MAX_LIST_INPUT} entries`);
      const item = isListType(nullable) ? nullable.ofType : type;
      node.values.forEach((value, index) => this.literal(value, item, `${path}.${index}`, name));
    } else if (node.kind === Kind.OBJECT && isInputObjectType(nullable)) {
      const fields = nullable.getFields();
      for (const field of node.fields) {
        const definition = fields[field.name.value];
        if (definition) this.literal(field.value, definition.type, `${path}.${field.name.value}`, field.name.value);
      }
    }
  }

  private variable(variable: string, type: GraphQLInputType, path: string, name: string): void {
    // A variable used in several places is walked once (once more where it is a search).
    const key = `${variable}${name === "search" ? " search" : ""}`;
    if (this.walkedVariables.has(key)) return;
    this.walkedVariables.add(key);
    if (Object.hasOwn(this.variables, variable)) return this.raw(this.variables[variable], type, path, name);
    const definition = this.variableDefinitions.get(variable);
    if (definition?.defaultValue) this.literal(definition.defaultValue, type, path, name);
  }

  /** A variable's value as the client sent it (JSON): any shape, whatever its type says. */
  private raw(value: unknown, type: GraphQLInputType, path: string, name: string): void {
    const nullable = getNullableType(type);
    if (typeof value === "string") {
      this.text(value, path, name);
    } else if (Array.isArray(value)) {
      if (value.length > MAX_LIST_INPUT) refuse(path, `must have at most ${MAX_LIST_INPUT} entries`);
      // Anything but a list type refuses an array when coercing: nothing more to look at.
      if (isListType(nullable)) value.forEach((item, index) => this.raw(item, nullable.ofType, `${path}.${index}`, name));
    } else if (isListType(nullable)) {
      this.raw(value, nullable.ofType, path, name); // one value where a list is expected is a list of one
    } else if (isInputObjectType(nullable) && typeof value === "object" && value !== null) {
      const fields = nullable.getFields();
      const object = value as Record<string, unknown>;
      for (const [field, definition] of Object.entries(fields)) {
        if (Object.hasOwn(object, field)) this.raw(object[field], definition.type, `${path}.${field}`, field);
      }
    }
  }

  private text(value: string, path: string, name: string): void {
    if (name === "search" && value.length > MAX_SEARCH_TEXT) refuse(path, `must be at most ${MAX_SEARCH_TEXT} characters`);
    if (value.length > MAX_TEXT_INPUT) refuse(path, `must be at most ${MAX_TEXT_INPUT} characters`);
  }
}
