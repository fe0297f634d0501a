import { API_KEY_EVENT_TYPES, type ApiKeyEvent } from "../domain/api-keys/api-key.js";
import type { Projection } from "./projection.js";
import { prepared } from "./read-model-db.js";

export const apiKeysProjection: Projection = {
  name: "api-keys",
  tables: ["api_keys"],
  handles: new Set<string>(API_KEY_EVENT_TYPES),
  apply(db, recorded) {
    const event = { type: recorded.type, data: recorded.data } as ApiKeyEvent;
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
