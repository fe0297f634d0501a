import DataLoader from "dataloader";

/** Which parent's first page of a relation, with the arguments that shape the page (`first`, filters). */
export interface FirstPageKey<Args> {
  parentId: string;
  args: Args;
}

/**
 * First pages of a list relation (a team's members, a session's participants…) for every parent
 * of a page in one query per distinct set of arguments. Later pages follow their own cursor and
 * are not batched: a client pages through one parent's list at a time.
 */
export function firstPageLoader<Args, Page>(
  load: (parentIds: readonly string[], args: Args) => Map<string, Page>,
): DataLoader<FirstPageKey<Args>, Page, string> {
  const groupOf = (key: FirstPageKey<Args>) => JSON.stringify(key.args);
  return new DataLoader(
    async (keys) => {
      const groups = new Map<string, { args: Args; parentIds: string[] }>();
      for (const key of keys) {
        const group = groupOf(key);
        const found = groups.get(group);
        if (found) found.parentIds.push(key.parentId);
        else groups.set(group, { args: key.args, parentIds: [key.parentId] });
      }
      const pages = new Map([...groups].map(([group, { args, parentIds }]) => [group, load(parentIds, args)]));
      return keys.map((key) => pages.get(groupOf(key))!.get(key.parentId)!);
    },
    { cacheKeyFn: (key) => JSON.stringify([key.args, key.parentId]) },
  );
}
