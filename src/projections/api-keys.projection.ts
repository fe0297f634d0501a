import { API_KEY_EVENT_TYPES, apiKeyEventCodec } from "../domain/api-keys/events.js";
import type { Projection } from "./projection.js";
import { prepared } from "./read-model-db.js";

export const apiKeysProjection: Projection = {
  name: "api-keys",
  version: 1,
  tables: ["api_keys"],
  schema: `
    CREATE TABLE IF NOT EXISTS api_keys (
      id TEXT PRIMARY KEY,
      organization_id TEXT NOT NULL,
      name TEXT NOT NULL,
      scopes TEXT NOT NULL,
      secret_hash TEXT NOT NULL,
      prefix TEXT NOT NULL,
      created_by TEXT NOT NULL,
      created_at TEXT NOT NULL,
      revoked_at TEXT,
      revision INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS api_keys_by_organization ON api_keys (organization_id, created_at);`,
  handles: new Set<string>(API_KEY_EVENT_TYPES),
  apply(db, recorded) {
    const event = apiKeyEventCodec.decode(recorded);
    switch (event.type) {
      case "ApiKeyCreated":
        prepared(
          db,
          `INSERT INTO api_keys (id, organization_id, name, scopes, secret_hash, prefix, created_by, created_at, revision)
           VALUES (@apiKeyId, @organizationId, @name, @scopes, @secretHash, @prefix, @createdBy, @createdAt, @revision)
           ON CONFLICT (id) DO NOTHING`,
        ).run({ ...event.data, scopes: JSON.stringify(event.data.scopes), revision: recorded.revision });
        return;
      case "ApiKeyRevoked":
        prepared(db, "UPDATE api_keys SET revoked_at = ?, revision = ? WHERE id = ? AND revision < ?").run(
          event.data.revokedAt,
          recorded.revision,
          event.data.apiKeyId,
          recorded.revision,
        );
    }
  },
};
