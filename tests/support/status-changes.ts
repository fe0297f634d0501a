import type { Client } from "graphql-ws";

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface StatusChange {
  sessionId: string;
  previousStatus: string;
  status: string;
  changedBy?: string;
}

/** Subscribes to sessionStatusChanged and keeps what it delivers (changes and errors). */
export function collectStatusChanges(client: Client, query: string) {
  const state = { changes: [] as StatusChange[], errors: [] as unknown[], unsubscribe: () => undefined as void };
  state.unsubscribe = client.subscribe<{ sessionStatusChanged: StatusChange }>(
    { query },
    {
      next: (result) => {
        if (result.errors) state.errors.push(...result.errors);
        if (result.data?.sessionStatusChanged) state.changes.push(result.data.sessionStatusChanged);
      },
      error: (error) => void state.errors.push(...(Array.isArray(error) ? error : [error])),
      complete: () => undefined,
    },
  );
  return state;
}

/** Polls until `condition` holds; fails naming `what` after `timeoutMs`. */
export async function until(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(10);
  }
}
