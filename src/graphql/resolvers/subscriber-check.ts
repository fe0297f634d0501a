import type { App } from "../../app.js";
import type { Actor } from "../../domain/access/actor.js";

/** Checked on every event: a user deactivated (or a key revoked) while subscribed stops receiving at once. */
export function subscriberStillActive(app: App, actor: Actor): boolean {
  if (actor.kind === "USER") return app.identityQueries.userById(actor.userId)?.status !== "DEACTIVATED";
  return !app.apiKeyQueries.byId(actor.apiKeyId)?.revokedAt;
}
