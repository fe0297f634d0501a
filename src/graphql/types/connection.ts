import { ArgsType, type ClassType, Field, Int, ObjectType } from "type-graphql";
import { ValidationError } from "../../domain/shared/errors.js";
import { decodeCursor } from "../../projections/cursor.js";

@ObjectType()
export class PageInfo {
  @Field(() => Boolean)
  hasNextPage!: boolean;

  @Field(() => Boolean)
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true })
  startCursor!: string | null;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

/**
 * The one shape of every paginated list (Relay-style): `<Name>Edge` and the fields of
 * `<Name>Connection`. A concrete connection is `@ObjectType() class XConnection extends Connection(X, "X") {}`.
 */
export function Connection<Node extends object>(node: ClassType<Node>, name: string, totalCountDescription?: string) {
  @ObjectType(`${name}Edge`)
  class Edge {
    @Field(() => String, { description: "Pass it as `after` to continue right after this node" })
    cursor!: string;

    @Field(() => node)
    node!: Node;
  }

  // Not emitted itself: only the concrete connections that extend it are reachable from the schema.
  @ObjectType(`${name}ConnectionFields`)
  abstract class ConnectionOf {
    @Field(() => [Edge])
    edges!: Edge[];

    @Field(() => [node], { description: "The nodes of `edges`, for clients that need no cursors" })
    nodes!: Node[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    @Field(() => Int, { description: totalCountDescription ?? "How many match, over all pages" })
    totalCount!: number;
  }
  return ConnectionOf;
}

/** `first` and `after` of a list: one page of 1 to `maxSize` nodes, after a cursor. */
export interface Page {
  first: number;
  after: string | null;
}

/** The page arguments of a list, with its default and largest page size. */
export function PageArgs(defaultSize: number, maxSize: number) {
  @ArgsType()
  class PageArgsOf {
    static readonly maxSize = maxSize;

    @Field(() => Int, { defaultValue: defaultSize, description: `How many to return: 1 to ${maxSize}` })
    first!: number;

    @Field(() => String, { nullable: true, description: "The endCursor of the previous page; none for the first page" })
    after?: string | null;
  }
  return PageArgsOf;
}

/** The page arguments as a resolver receives them (before `pageOf` checks them). */
export type PageRequest = { first: number; after?: string | null };

/** Most lists: 20 by default, at most 100. */
export const ListPage = PageArgs(20, 100);

/** The page asked for, checked against its list's largest page size (BAD_USER_INPUT on `first`). */
export function pageOf(args: PageRequest, { maxSize }: { maxSize: number }): Page {
  if (!Number.isInteger(args.first) || args.first < 1 || args.first > maxSize) {
    throw new ValidationError("first", `must be between 1 and ${maxSize}`);
  }
  return { first: args.first, after: args.after ?? null };
}

/** Edges, nodes and pageInfo of one page of keyset-paginated records; totalCount is counted only when selected. */
export function toConnection<R extends { cursor: string }, N>(
  page: { records: R[]; totalCount: () => number; hasNextPage: boolean },
  after: string | null | undefined,
  toNode: (record: R) => N,
) {
  const edges = page.records.map((record) => ({ cursor: record.cursor, node: toNode(record) }));
  return {
    edges,
    nodes: edges.map((edge) => edge.node),
    get totalCount() {
      return page.totalCount();
    },
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: Boolean(after),
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}

/**
 * One page of records already in memory, ordered as their keyset cursors order them (the cursor's
 * key, then its id), so its cursors continue in the read model's own list.
 */
export function pageInMemory<R extends { cursor: string }>(
  records: readonly R[],
  cursorField: string,
  { first, after }: Page,
): { records: R[]; totalCount: () => number; hasNextPage: boolean } {
  const keyed = records
    .map((record) => ({ record, key: decodeCursor(record.cursor, cursorField) }))
    .sort((a, b) => compareKeys(a.key, b.key));
  const from = after ? decodeCursor(after, cursorField) : null;
  const rest = from ? keyed.filter(({ key }) => compareKeys(key, from) > 0) : keyed;
  return { records: rest.slice(0, first).map(({ record }) => record), totalCount: () => records.length, hasNextPage: rest.length > first };
}

const compareKeys = ([keyA, idA]: [string, string], [keyB, idB]: [string, string]) =>
  keyA < keyB ? -1 : keyA > keyB ? 1 : idA < idB ? -1 : idA > idB ? 1 : 0;
