import {
  DuplicateEventIdError,
  WrongExpectedRevisionError,
  type EventToAppend,
  type ExpectedRevision,
} from "../../domain/shared/event-store.js";

/** Rules every adapter applies the same way before writing. */

/** `current` is -1n for a missing stream; an expected -1n is treated like "no_stream". */
export function assertExpectedRevision(streamName: string, expected: ExpectedRevision, current: bigint): void {
  const ok =
    expected === "no_stream" ? current === -1n : expected === "stream_exists" ? current >= 0n : expected === current;
  if (!ok) throw new WrongExpectedRevisionError(streamName, expected, current === -1n ? "no_stream" : current);
}

export function assertDistinctIds(events: EventToAppend[]): void {
  if (new Set(events.map((e) => e.id)).size !== events.length) {
    throw new DuplicateEventIdError("The batch contains the same event id more than once");
  }
}

export function eventIdsAlreadyUsed(streamName: string, events: EventToAppend[]): Error {
  return new DuplicateEventIdError(
    `Event ids already used: the batch for ${streamName} (${events.map((e) => e.id).join(", ")}) ` +
      "overlaps events already recorded, but is not a retry of one earlier append to this stream",
  );
}
