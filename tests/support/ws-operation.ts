import type { Client } from "graphql-ws";

/** What one operation over graphql-ws ended with: its last result, or the errors it was refused with. */
export type WsOutcome = { data?: any; errors: { message: string; path?: readonly (string | number)[]; extensions?: Record<string, any> }[] };

/** Runs one operation over graphql-ws to its end. */
export function overWs(
  client: Client,
  query: string,
  variables?: Record<string, unknown>,
  extensions?: Record<string, unknown>,
): Promise<WsOutcome> {
  return new Promise((resolve, reject) => {
    let outcome: WsOutcome = { errors: [] };
    client.subscribe(
      { query, ...(variables ? { variables } : {}), ...(extensions ? { extensions } : {}) },
      {
        next: (result) => void (outcome = { data: result.data, errors: (result.errors ?? []) as WsOutcome["errors"] }),
        error: (error) => (Array.isArray(error) ? resolve({ errors: error }) : reject(error)),
        complete: () => resolve(outcome),
      },
    );
  });
}
