import { z } from "zod";
import type { CommandContext } from "./decider.js";
import { DomainError } from "./errors.js";
import { eventCodec } from "./event-codec.js";
import { deterministicUuid, metadataOf } from "./event-metadata.js";
import { type EventStore, WrongExpectedRevisionError } from "./event-store.js";

/**
 * An idempotency key is bound to the first input it was sent with: a retry with the same input
 * is answered as the first was; the same key with another input is refused
 * (IDEMPOTENCY_KEY_REUSED), never silently answered with the first result. The binding is
 * recorded on its own stream, created with "no stream" expected, when the command first writes.
 */
export const IDEMPOTENCY_CATEGORY = "idempotency";

export type IdempotencyKeyUsed = { type: "IdempotencyKeyUsed"; data: { inputHash: string; streamName: string; usedAt: string } };

export const idempotencyEventCodec = eventCodec<IdempotencyKeyUsed>({
  IdempotencyKeyUsed: z.object({ inputHash: z.string(), streamName: z.string(), usedAt: z.string() }),
});

/** The command id is derived from the key (per organization, caller and operation): its stream is the key's. */
const keyStream = (context: CommandContext) => `${IDEMPOTENCY_CATEGORY}-${context.commandId}`;

const reused = () =>
  new DomainError(
    "IDEMPOTENCY_KEY_REUSED",
    "This idempotency key was already used with a different input: send a new key for a new request",
  );

/** Binds the command's key to its input before the command writes (nothing to do without a key). */
export async function bindIdempotencyKey(store: EventStore, streamName: string, context: CommandContext): Promise<void> {
  if (context.inputHash === undefined) return;
  // The event id depends on the input: the same input is a retried append, another one a conflict.
  const event = {
    id: deterministicUuid(`${context.commandId}/idempotency/${context.inputHash}`),
    type: "IdempotencyKeyUsed",
    data: { inputHash: context.inputHash, streamName, usedAt: context.now.toISOString() },
    metadata: metadataOf(context, null),
  };
  try {
    await store.appendToStream(keyStream(context), [event], { expectedRevision: "no_stream" });
  } catch (error) {
    if (!(error instanceof WrongExpectedRevisionError)) throw error;
    await assertSameInput(store, context);
  }
}

/** For a command that writes nothing (already applied): refused if its key was bound to another input. */
export async function assertSameInput(store: EventStore, context: CommandContext): Promise<void> {
  if (context.inputHash === undefined) return;
  const [first] = await store.readStream(keyStream(context), { maxCount: 1 });
  if (first && idempotencyEventCodec.decode(first).data.inputHash !== context.inputHash) throw reused();
}

/**
 * The context of a further command run by the same request (adding the members of a new team…):
 * its id is derived from the request's, so a retry is recorded once; the key is bound by the first.
 */
export function followUpContext(command: CommandContext, step: string): CommandContext {
  const { inputHash: _bound, ...rest } = command;
  return { ...rest, commandId: deterministicUuid(`${command.commandId}/${step}`) };
}
