/**
 * Walks a GraphQL schema and writes calls for every root operation: arguments generated from
 * the argument types and names, a selection of every scalar field a few levels deep.
 * Used by the tenant-isolation test: a new operation is exercised without anyone listing it.
 *
 * ID arguments are filled from pools of real ids by kind (a session, a user…), guessed from the
 * argument's name (or, for a bare `id`, from the operation's name). A name the rules do not
 * know makes generation throw, naming the operation: extend ID_KIND_RULES then.
 * Optional ID places are left out unless a variant aims them at the victim, or the caller says
 * they must be sent anyway (`alsoFill`: an API key must name the person it registers).
 */
import {
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
} from "graphql";

export type OperationKind = "query" | "mutation" | "subscription";

export interface RootOperation {
  name: string;
  kind: OperationKind;
  field: GraphQLField<unknown, unknown>;
}

/** Every field of Query, Mutation and Subscription. */
export function rootOperations(schema: GraphQLSchema): RootOperation[] {
  const roots: [OperationKind, ReturnType<GraphQLSchema["getQueryType"]>][] = [
    ["query", schema.getQueryType()],
    ["mutation", schema.getMutationType()],
    ["subscription", schema.getSubscriptionType()],
  ];
  return roots.flatMap(([kind, type]) =>
    type ? Object.values(type.getFields()).map((field) => ({ name: field.name, kind, field })) : [],
  );
}

/** What an ID argument points at. "external" = a reference to something no organization owns here (yet). */
export const ID_KINDS = ["session", "registration", "user", "team", "apiKey", "webhook", "organization", "document", "external"] as const;
export type IdKind = (typeof ID_KINDS)[number];

/** First match wins; tested against the argument's name, or the operation's name for a bare `id`. */
export const ID_KIND_RULES: readonly [RegExp, IdKind][] = [
  // Courses and journeys live in the content catalogue, not in this server's tenants (yet).
  [/^(course|journey)/i, "external"],
  [/^document/i, "document"],
  [/^apiKey/i, "apiKey"],
  [/webhook/i, "webhook"], // webhookId, webhook(id)
  [/^organization/i, "organization"],
  [/team/i, "team"], // teamId, teamIds, targetTeamIds, team(id)
  // Before `session`: a registration belongs to a session, its id is not one.
  [/registration/i, "registration"], // registrationId, registration(id)
  [/session/i, "session"], // sessionId, session(id), registrationChanged(sessionId)
  [/(user|assignee|trainer|host|member)/i, "user"], // userId, assigneeId, trainerId, hostId, memberIds, targetUserIds, user(id)
];

export function idKindOf(operation: string, name: string): IdKind {
  const subject = name === "id" ? operation : name;
  const rule = ID_KIND_RULES.find(([pattern]) => pattern.test(subject));
  if (!rule) {
    throw new Error(
      `schema walker: ${operation}: cannot tell what the ID argument "${name}" points at; add a rule to ID_KIND_RULES`,
    );
  }
  return rule[1];
}

/** Real ids by kind; the first of each list is the default. ("external" ids are made up.) */
export type IdPool = Record<Exclude<IdKind, "external">, readonly string[]>;

/** A place in the arguments holding an ID: ["input", "audience", "targetTeamIds"]. */
export interface IdPath {
  path: string[];
  kind: IdKind;
  /** The argument and every input field on the way are required. */
  required: boolean;
}

export interface WalkCall {
  operation: RootOperation;
  /** What this variant targets, for messages: "input.sessionId=victim[2]". */
  label: string;
  document: string;
  variables: Record<string, unknown>;
  /** Where ids of the victim's pool were put. */
  victimIds: { path: string[]; kind: IdKind; id: string }[];
}

export interface GenerateOptions {
  /** Whose ids the walk aims at. */
  victim: IdPool;
  /** The caller's own ids, for the other required ID arguments of a variant. */
  own: IdPool;
  /**
   * A value for a non-ID leaf before the name-based defaults (public operations' credentials…).
   * Return undefined to keep the default.
   */
  leafOverride?: (operation: RootOperation, name: string, typeName: string) => unknown;
  /**
   * Optional ID places to fill like required ones (with the defaults, and with each victim object
   * in turn): arguments the caller must send although the schema makes them optional.
   */
  alsoFill?: (operation: RootOperation, path: readonly string[]) => boolean;
  /** The server's "now" (its clock, not the real date): DateTime values are placed after it. */
  now: () => Date;
}

const isRequired = (item: GraphQLArgument | GraphQLInputField) => isNonNullType(item.type) && item.defaultValue === undefined;

/** Every place an ID can go in the operation's arguments (input objects followed a few levels deep). */
export function idPaths(operation: RootOperation): IdPath[] {
  const paths: IdPath[] = [];
  const visit = (type: GraphQLInputType, path: string[], required: boolean, depth: number, seen: string[]) => {
    const named = getNamedType(type);
    if (isScalarType(named) && named.name === "ID") {
      paths.push({ path, kind: idKindOf(operation.name, path[path.length - 1]!), required });
    } else if (isInputObjectType(named) && depth < 4 && !seen.includes(named.name)) {
      for (const field of Object.values(named.getFields())) {
        visit(field.type, [...path, field.name], required && isRequired(field), depth + 1, [...seen, named.name]);
      }
    }
  };
  for (const arg of operation.field.args) visit(arg.type, [arg.name], isRequired(arg), 0, []);
  return paths;
}

/**
 * The variants of one operation:
 * - every required ID aimed at the victim's default object;
 * - for every required ID place and every victim object of its kind (objects differ: a DRAFT and a
 *   PLANNED session, an ADMIN and an invited user), and for every optional ID place and the victim's
 *   default object: that place aimed at the object, the other required IDs at the caller's own
 *   default objects.
 * Duplicates are dropped. Throws (naming the operation) when a value cannot be generated.
 */
export function generateCalls(operation: RootOperation, options: GenerateOptions): WalkCall[] {
  const paths = idPaths(operation).map((idPath) => ({
    ...idPath,
    required: idPath.required || (options.alsoFill?.(operation, idPath.path) ?? false),
  }));
  const calls: WalkCall[] = [];
  const seen = new Set<string>();
  const add = (assigned: Map<string, string>, defaults: IdPool, label: string) => {
    const victimIds: WalkCall["victimIds"] = [];
    const placed: string[] = [];
    const variables = buildArguments(operation, assigned, defaults, options, victimIds, placed);
    // Same ids in the same places = the same call (other leaves only differ by their counters).
    const key = JSON.stringify(placed);
    if (seen.has(key)) return;
    seen.add(key);
    calls.push({ operation, label, document: documentFor(operation, variables), variables, victimIds });
  };
  add(new Map(), options.victim, "required IDs → victim");
  for (const idPath of paths) {
    if (idPath.kind === "external") continue;
    const candidates = idPath.required ? options.victim[idPath.kind] : options.victim[idPath.kind].slice(0, 1);
    candidates.forEach((id, index) => {
      add(new Map([[idPath.path.join("."), id]]), options.own, `${idPath.path.join(".")} → victim ${idPath.kind} #${index}`);
    });
  }
  return calls;
}

function buildArguments(
  operation: RootOperation,
  assigned: Map<string, string>,
  defaults: IdPool,
  options: GenerateOptions,
  victimIds: WalkCall["victimIds"],
  placed: string[],
): Record<string, unknown> {
  const victimSet = new Set(Object.values(options.victim).flat());
  const filled = idPaths(operation)
    .filter((idPath) => options.alsoFill?.(operation, idPath.path))
    .map((idPath) => idPath.path.join("."));
  const passesThrough = (path: string[]) =>
    [...assigned.keys(), ...filled].some((key) => `${key}.`.startsWith(`${path.join(".")}.`));

  const value = (type: GraphQLInputType, path: string[]): unknown => {
    if (isNonNullType(type)) return value(type.ofType, path);
    if (isListType(type)) return [value(type.ofType, path)];
    const named = type as GraphQLNamedType;
    const name = path[path.length - 1]!;
    if (isInputObjectType(named)) {
      const object: Record<string, unknown> = {};
      for (const field of Object.values(named.getFields())) {
        const fieldPath = [...path, field.name];
        if (isRequired(field) || passesThrough(fieldPath)) object[field.name] = value(field.type, fieldPath);
      }
      return object;
    }
    if (isScalarType(named) && named.name === "ID") {
      const kind = idKindOf(operation.name, name);
      if (kind === "external") {
        placed.push(`${path.join(".")}=external`);
        return `00000000-0000-4000-8000-${String(++unique).padStart(12, "0")}`;
      }
      const id = assigned.get(path.join(".")) ?? defaults[kind][0];
      if (id === undefined) {
        throw new Error(`schema walker: ${operation.name}: no ${kind} id to put in ${path.join(".")}; add one to the pools`);
      }
      placed.push(`${path.join(".")}=${id}`);
      if (victimSet.has(id)) victimIds.push({ path, kind, id });
      return id;
    }
    const override = options.leafOverride?.(operation, name, named.name);
    if (override !== undefined) return override;
    // The first value as the SDL lists them (sorted): PRIVATE before PUBLIC, so audience targets count.
    if (isEnumType(named)) return named.getValues().map((enumValue) => enumValue.name).sort()[0];
    if (isScalarType(named)) return scalarFor(operation, named.name, name, options.now);
    throw new Error(`schema walker: ${operation.name}: cannot generate ${path.join(".")} of type ${named.name}`);
  };

  const variables: Record<string, unknown> = {};
  for (const arg of operation.field.args) {
    if (isRequired(arg) || passesThrough([arg.name])) variables[arg.name] = value(arg.type, [arg.name]);
  }
  return variables;
}

let unique = 0;
const DAY = 86_400_000;

/** A valid-looking value for a scalar, by type and field name; instants are 30 days after `now`. */
function scalarFor(operation: RootOperation, typeName: string, name: string, now: () => Date): unknown {
  unique += 1;
  switch (typeName) {
    case "String": {
      if (/email/i.test(name)) return `walker-${unique}-${Date.now()}@walker.test`;
      if (/password/i.test(name)) return "correct horse battery 9";
      if (/(url|link)$/i.test(name)) return `https://walker.example.com/${unique}`;
      if (/currency/i.test(name)) return "EUR";
      if (/timezone/i.test(name)) return "Europe/Brussels";
      if (/countr/i.test(name)) return "BE";
      if (/language/i.test(name)) return "en";
      if (/token/i.test(name)) return `walker-token-${unique}`;
      if (/^eventTypes$/.test(name)) return "SessionConfirmed";
      if (/position$/i.test(name)) return "0";
      return `Walker ${name} ${unique}`;
    }
    case "Int":
      return /max/i.test(name) ? 10 : 1;
    case "Float":
      return 1;
    case "Boolean":
      return false;
    case "DateTime": {
      const start = now().getTime() + 30 * DAY;
      return new Date(/end/i.test(name) ? start + 2 * 3_600_000 : start).toISOString();
    }
    default:
      throw new Error(`schema walker: ${operation.name}: no value for the scalar ${typeName} (field ${name}); teach scalarFor`);
  }
}

/** `mutation Walk($input: X!) { op(input: $input) { …selection } }` for the arguments given. */
export function documentFor(operation: RootOperation, variables: Record<string, unknown>): string {
  const args = operation.field.args.filter((arg) => arg.name in variables);
  const declarations = args.map((arg) => `$${arg.name}: ${arg.type.toString()}`).join(", ");
  const passing = args.map((arg) => `${arg.name}: $${arg.name}`).join(", ");
  return `${operation.kind} Walk${declarations ? `(${declarations})` : ""} { ${operation.name}${
    passing ? `(${passing})` : ""
  }${selectionFor(operation.field.type)} }`;
}

/** `__typename`, every scalar field, and object fields down to `maxDepth` levels (unions: every member). */
export function selectionFor(type: GraphQLOutputType, maxDepth = 3, depth = 0): string {
  const named = getNamedType(type);
  if (isLeafType(named)) return "";
  if (isUnionType(named) || isInterfaceType(named)) {
    const members = isUnionType(named) ? named.getTypes() : [];
    return ` { __typename ${members.map((member) => `... on ${member.name}${selectionFor(member, maxDepth, depth)}`).join(" ")} }`;
  }
  if (!isObjectType(named)) return "";
  const parts = ["__typename"];
  for (const field of Object.values(named.getFields())) {
    if (field.args.some((arg) => isRequired(arg))) continue;
    if (isLeafType(getNamedType(field.type))) parts.push(field.name);
    else if (depth + 1 < maxDepth) parts.push(`${field.name}${selectionFor(field.type, maxDepth, depth + 1)}`);
  }
  return ` { ${parts.join(" ")} }`;
}
