import { WEBHOOK_EVENT_TYPES, webhookEventCodec } from "../domain/webhooks/events.js";
import type { Projection } from "./projection.js";
import { prepared } from "./read-model-db.js";

export const webhooksProjection: Projection = {
  name: "webhooks",
  version: 1,
  tables: ["webhooks"],
  schema: `
    CREATE TABLE IF NOT EXISTS webhooks (
      id TEXT PRIMARY KEY,
      organization_id TEXT NOT NULL,
      url TEXT NOT NULL,
      event_types TEXT NOT NULL,
      description TEXT,
      secret TEXT NOT NULL,
      enabled INTEGER NOT NULL,
      deleted_at TEXT,
      created_by TEXT NOT NULL,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      revision INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS webhooks_by_organization ON webhooks (organization_id, created_at, id);`,
  handles: new Set<string>(WEBHOOK_EVENT_TYPES),
  apply(db, recorded) {
    const event = webhookEventCodec.decode(recorded);
    const revision = recorded.revision;
    switch (event.type) {
      case "WebhookRegistered":
        prepared(
          db,
          `INSERT INTO webhooks (id, organization_id, url, event_types, description, secret, enabled, created_by, created_at, updated_at, revision)
           VALUES (@webhookId, @organizationId, @url, @eventTypes, @description, @secret, 1, @createdBy, @createdAt, @createdAt, @revision)
           ON CONFLICT (id) DO NOTHING`,
        ).run({ ...event.data, eventTypes: JSON.stringify(event.data.eventTypes), revision });
        return;
      case "WebhookUpdated":
        prepared(
          db,
          `UPDATE webhooks SET url = @url, event_types = @eventTypes, description = @description, enabled = @enabled,
             updated_at = @updatedAt, revision = @revision WHERE id = @webhookId AND revision < @revision`,
        ).run({ ...event.data, eventTypes: JSON.stringify(event.data.eventTypes), enabled: event.data.enabled ? 1 : 0, revision });
        return;
      case "WebhookSecretRotated":
        prepared(db, "UPDATE webhooks SET secret = ?, updated_at = ?, revision = ? WHERE id = ? AND revision < ?").run(
          event.data.secret,
          event.data.rotatedAt,
          revision,
          event.data.webhookId,
          revision,
        );
        return;
      case "WebhookDeleted":
        prepared(db, "UPDATE webhooks SET deleted_at = ?, updated_at = ?, revision = ? WHERE id = ? AND revision < ?").run(
          event.data.deletedAt,
          event.data.deletedAt,
          revision,
          event.data.webhookId,
          revision,
        );
        return;
      case "WebhookReplayRequested":
        prepared(db, "UPDATE webhooks SET revision = ? WHERE id = ? AND revision < ?").run(revision, event.data.webhookId, revision);
    }
  },
};
