import { redactedJson } from "../domain/audit/redact.js";
import type { Projection } from "./projection.js";
import { prepared } from "./read-model-db.js";

/**
 * N3: every event of the log, indexed by organization, stream, type, actor and time, so auditors
 * page through history by position with filters. Secrets (password and key hashes) are redacted.
 */
export const eventLogProjection: Projection = {
  name: "event-log",
  version: 1,
  tables: ["event_log"],
  schema: `
    CREATE TABLE IF NOT EXISTS event_log (
      position INTEGER PRIMARY KEY,
      organization_id TEXT NOT NULL,
      stream_name TEXT NOT NULL,
      category TEXT NOT NULL,
      revision INTEGER NOT NULL,
      type TEXT NOT NULL,
      actor_id TEXT,
      occurred_at TEXT NOT NULL,
      event_id TEXT NOT NULL,
      data TEXT NOT NULL,
      metadata TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS event_log_by_stream ON event_log (organization_id, stream_name, position);
    CREATE INDEX IF NOT EXISTS event_log_by_type ON event_log (organization_id, type, position);
    CREATE INDEX IF NOT EXISTS event_log_by_actor ON event_log (organization_id, actor_id, position);
    CREATE INDEX IF NOT EXISTS event_log_by_time ON event_log (organization_id, occurred_at, position);`,
  handles: "ALL",
  writeOnly: true,
  apply(db, event) {
    const organizationId = event.metadata.tenantId;
    if (typeof organizationId !== "string") return;
    prepared(
      db,
      `INSERT OR IGNORE INTO event_log (position, organization_id, stream_name, category, revision, type, actor_id,
         occurred_at, event_id, data, metadata)
       VALUES (@position, @organizationId, @streamName, @category, @revision, @type, @actorId, @occurredAt, @eventId,
         @data, @metadata)`,
    ).run({
      position: event.position,
      organizationId,
      streamName: event.streamName,
      category: event.streamName.split("-")[0],
      revision: event.revision,
      type: event.type,
      actorId: typeof event.metadata.actorId === "string" ? event.metadata.actorId : null,
      occurredAt: String(event.metadata.occurredAt ?? event.recordedAt.toISOString()),
      eventId: event.id,
      data: redactedJson(event.data),
      metadata: JSON.stringify(event.metadata),
    });
  },
};
