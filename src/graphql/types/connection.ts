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
