import { randomUUID } from "node:crypto";
import { actorIdOf } from "../domain/access/actor.js";
import type { CommandContext } from "../domain/shared/decider.js";
import { deterministicUuid } from "../domain/shared/event-metadata.js";
import { assertSameInput } from "../domain/shared/idempotency.js";
import { requireActor, type GraphQLContext } from "./context.js";

/**
 * The id of what a mutation creates: with an idempotency key it is derived from the key (per
 * organization and caller), so a retry addresses the object the first request created.
 */
export function createdId(context: GraphQLContext, kind: string, input: { idempotencyKey?: string | null }): string {
  const key = input.idempotencyKey;
  if (!key) return randomUUID();
  const actor = requireActor(context);
  return deterministicUuid(`${kind}/${actor.organizationId}/${actorIdOf(actor)}/${key}`);
}

/**
 * Refuses (IDEMPOTENCY_KEY_REUSED) a key already bound to another input before anything is
 * written: for mutations that run several commands, the first of which might otherwise write.
 */
export function refuseReusedKey(context: GraphQLContext, command: CommandContext): Promise<void> {
  return assertSameInput(context.app.store, command);
}

/** Re-exported: the domain's use cases derive follow-up commands too. */
export { followUpContext } from "../domain/shared/idempotency.js";
