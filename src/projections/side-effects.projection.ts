import { SIDE_EFFECT_EVENT_TYPES, type SideEffectEvent } from "../domain/side-effects/side-effect.js";
import type { Projection } from "./projection.js";
import { prepared } from "./read-model-db.js";

/** Where each claimed side effect stands: the runners' retry queue and the webhook delivery log. */
export const sideEffectsProjection: Projection = {
  name: "side-effects",
  tables: ["side_effects"],
  handles: new Set<string>(SIDE_EFFECT_EVENT_TYPES),
  apply(db, recorded) {
    const event = { type: recorded.type, data: recorded.data } as SideEffectEvent;
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
