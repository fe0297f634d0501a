import { SIDE_EFFECT_EVENT_TYPES, sideEffectEventCodec } from "../domain/side-effects/events.js";
import type { Projection } from "./projection.js";
import { prepared } from "./read-model-db.js";

/** Where each claimed side effect stands: the runners' retry queue and the webhook delivery log. */
export const sideEffectsProjection: Projection = {
  name: "side-effects",
  version: 1,
  tables: ["side_effects"],
  schema: `
    CREATE TABLE IF NOT EXISTS side_effects (
      key TEXT PRIMARY KEY,
      organization_id TEXT NOT NULL,
      kind TEXT NOT NULL,
      target_id TEXT NOT NULL,
      trigger_event_id TEXT NOT NULL,
      trigger_event_type TEXT NOT NULL,
      trigger_stream TEXT NOT NULL,
      trigger_position INTEGER NOT NULL,
      status TEXT NOT NULL,
      attempts INTEGER NOT NULL,
      claimed_by TEXT NOT NULL,
      last_error TEXT,
      last_status_code INTEGER,
      due_at TEXT,
      created_at TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      seq INTEGER NOT NULL,
      revision INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS side_effects_due ON side_effects (status, due_at);
    CREATE INDEX IF NOT EXISTS side_effects_by_target ON side_effects (target_id, seq);`,
  handles: new Set<string>(SIDE_EFFECT_EVENT_TYPES),
  apply(db, recorded) {
    const event = sideEffectEventCodec.decode(recorded);
    const revision = recorded.revision;
    switch (event.type) {
      case "SideEffectClaimed": {
        const { data } = event;
        prepared(
          db,
          `INSERT INTO side_effects (key, organization_id, kind, target_id, trigger_event_id, trigger_event_type, trigger_stream,
             trigger_position, status, attempts, claimed_by, due_at, created_at, updated_at, seq, revision)
           VALUES (@key, @organizationId, @kind, @targetId, @eventId, @eventType, @streamName, @position, 'IN_PROGRESS',
             @attempt, @claimedBy, @leaseUntil, @claimedAt, @claimedAt, @seq, @revision)
           ON CONFLICT (key) DO UPDATE SET status = 'IN_PROGRESS', attempts = excluded.attempts, claimed_by = excluded.claimed_by,
             due_at = excluded.due_at, updated_at = excluded.updated_at, revision = excluded.revision
           WHERE side_effects.revision < excluded.revision`,
        ).run({
          key: data.key,
          organizationId: String(recorded.metadata.tenantId ?? ""),
          kind: data.kind,
          targetId: data.targetId,
          ...data.trigger,
          position: BigInt(data.trigger.position),
          attempt: data.attempt,
          claimedBy: data.claimedBy,
          leaseUntil: data.leaseUntil,
          claimedAt: data.claimedAt,
          seq: recorded.position,
          revision,
        });
        return;
      }
      case "SideEffectSucceeded":
        prepared(
          db,
          `UPDATE side_effects SET status = 'SUCCEEDED', last_status_code = ?, last_error = NULL, due_at = NULL, updated_at = ?, revision = ?
           WHERE key = ? AND revision < ?`,
        ).run(event.data.statusCode, event.data.completedAt, revision, event.data.key, revision);
        return;
      case "SideEffectFailed":
        prepared(
          db,
          `UPDATE side_effects SET status = ?, last_status_code = ?, last_error = ?, due_at = ?, updated_at = ?, revision = ?
           WHERE key = ? AND revision < ?`,
        ).run(
          event.data.retryAt ? "RETRYING" : "FAILED",
          event.data.statusCode,
          event.data.error,
          event.data.retryAt,
          event.data.failedAt,
          revision,
          event.data.key,
          revision,
        );
    }
  },
};
