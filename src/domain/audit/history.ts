import type { Decider } from "../shared/decider.js";
import type { DomainEvent } from "../shared/event-codec.js";
import { hashEvent } from "../shared/event-metadata.js";
import type { EventStore, RecordedEvent } from "../shared/event-store.js";

/** Up to which point history is replayed: a past instant, a stream revision, or both. */
export interface AsOf {
  at?: Date;
  revision?: bigint;
}

/**
 * N3: an aggregate exactly as it was, rebuilt with the domain's own evolve from its events up to
 * `asOf` (events that occurred at or before `at`, with a revision at or below `revision`).
 */
export function stateAsOf<State, Event extends DomainEvent>(
  decider: Pick<Decider<unknown, Event, State>, "codec" | "initialState" | "evolve">,
  events: readonly RecordedEvent[],
  asOf: AsOf,
): { state: State; revision: bigint | null; lastEvent: RecordedEvent | null } {
  let state = decider.initialState();
  let lastEvent: RecordedEvent | null = null;
  for (const event of events) {
    if (asOf.revision !== undefined && event.revision > asOf.revision) break;
    if (asOf.at !== undefined && occurredAt(event) > asOf.at.getTime()) break;
    state = decider.evolve(state, decider.codec.decode(event));
    lastEvent = event;
  }
  return { state, revision: lastEvent?.revision ?? null, lastEvent };
}

export function occurredAt(event: RecordedEvent): number {
  const at = Date.parse(String(event.metadata.occurredAt));
  return Number.isNaN(at) ? event.recordedAt.getTime() : at;
}

export interface ChainBreak {
  streamName: string;
  revision: bigint;
  position: bigint;
  eventId: string;
  /** The hash of the stream's previous event as stored now. */
  expectedPreviousHash: string | null;
  /** What the event says its predecessor's hash was when it was written. */
  recordedPreviousHash: string | null;
}

/**
 * Checks each stream's hash chain: every event's metadata holds the hash of the event before it
 * in its stream. Feed it each stream's events in order (streams one after another or interleaved);
 * `firstBreak` is, of each stream's first break, the one earliest in the log: an event whose
 * recorded predecessor hash does not match (its predecessor, or it, was altered or removed).
 */
export class HashChainVerifier {
  private readonly lastHash = new Map<string, { revision: bigint; hash: string }>();
  private readonly brokenStreams = new Set<string>();
  events = 0;
  firstBreak: ChainBreak | null = null;

  get streams(): number {
    return this.lastHash.size;
  }

  check(event: RecordedEvent): void {
    this.events += 1;
    const previous = this.lastHash.get(event.streamName) ?? null;
    const recorded = (event.metadata.previousEventHash as string | null | undefined) ?? null;
    const expected = previous?.hash ?? null;
    const inSequence = previous === null ? event.revision === 0n : event.revision === previous.revision + 1n;
    // A stream's first break (as fed) competes with other streams' by position in the log.
    const broken = (recorded !== expected || !inSequence) && !this.brokenStreams.has(event.streamName);
    if (broken) this.brokenStreams.add(event.streamName);
    if (broken && (!this.firstBreak || event.position < this.firstBreak.position)) {
      this.firstBreak = {
        streamName: event.streamName,
        revision: event.revision,
        position: event.position,
        eventId: event.id,
        expectedPreviousHash: expected,
        recordedPreviousHash: recorded,
      };
    }
    this.lastHash.set(event.streamName, { revision: event.revision, hash: hashEvent(event) });
  }
}

/**
 * Verifies the hash chains of the streams named, read from the event store itself a page at a
 * time; `pause` lets other work run between pages (a long history must not stall the server).
 */
export async function verifyStreams(
  store: Pick<EventStore, "readStream">,
  streamNames: AsyncIterable<string>,
  pageSize: number,
  pause: () => Promise<unknown>,
): Promise<HashChainVerifier> {
  const verifier = new HashChainVerifier();
  for await (const streamName of streamNames) {
    for (let fromRevision = 0n; ; ) {
      const page = await store.readStream(streamName, { fromRevision, maxCount: pageSize });
      for (const event of page) verifier.check(event);
      await pause();
      if (page.length < pageSize) break;
      fromRevision = page[page.length - 1]!.revision + 1n;
    }
  }
  return verifier;
}
