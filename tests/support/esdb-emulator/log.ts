/**
 * TEST-ONLY EventStoreDB emulator: the in-memory transaction log.
 *
 * One global, append-only list of events ordered by position, plus a per-stream index.
 * - Positions are byte-like offsets: each event advances the log by an approximation of its
 *   on-disk record size, so positions are large, strictly increasing and NOT consecutive
 *   (code that assumes `position + 1` is the next event breaks here as it would on a real server).
 *   commit_position == prepare_position == the event's own position.
 * - The expected-revision and idempotency rules follow the real server's
 *   IndexWriter.CheckCommit (EventStore/EventStore, src/EventStore.Core/Services/Storage/ReaderIndex):
 *   * any / stream_exists: if the FIRST event id is already recorded in this stream, the write is
 *     a retry; if every id is recorded there -> idempotent success with the original result,
 *     if only some are -> wrong expected version ("corrupted idempotency").
 *     Otherwise it is written (stream_exists first requires the stream to exist).
 *   * exact revision / no_stream (= -1) lower than the current revision: the events at
 *     expected+1, expected+2, ... are compared by id; all equal -> idempotent success with the
 *     original result; the first differs -> wrong expected version; a later one differs ->
 *     wrong expected version ("corrupted idempotency"). An empty write here -> wrong expected version.
 *   * exact revision / no_stream higher than the current revision -> wrong expected version.
 *   * equal -> written.
 *   Event ids recorded in OTHER streams are not checked (the real server accepts them).
 * - An empty append that passes the check writes no event but, like the real server (which
 *   writes an empty prepare record), consumes log space: the result carries a fresh position.
 */

export type ExpectedRevision = "any" | "no_stream" | "stream_exists" | bigint;

export interface ProposedEvent {
  id: string;
  type: string;
  /** The content-type the client proposed; only "application/json" is recorded as JSON. */
  contentType: string;
  data: Uint8Array;
  metadata: Uint8Array;
}

export interface StoredEvent {
  readonly streamName: string;
  readonly revision: bigint;
  readonly position: bigint;
  readonly id: string;
  readonly type: string;
  readonly isJson: boolean;
  readonly data: Uint8Array;
  readonly metadata: Uint8Array;
  /** .NET ticks (100 ns) since the Unix epoch, as the server sends in the "created" metadata. */
  readonly createdTicks: bigint;
}

export type AppendOutcome =
  | {
      kind: "success";
      /** Revision of the last event of the write (or the current one for an empty write); -1n = no stream. */
      currentRevision: bigint;
      position: bigint;
      idempotent: boolean;
    }
  | {
      kind: "wrong_expected_version";
      /** -1n when the stream does not exist. */
      currentRevision: bigint;
      expected: ExpectedRevision;
    };

const FIRST_POSITION = 0x1_2c3dn; // a fresh real log starts after its epoch/system records
const RECORD_OVERHEAD = 96n;

function ticksNow(): bigint {
  return BigInt(Math.floor((performance.timeOrigin + performance.now()) * 10_000));
}

export class EventLog {
  private readonly events: StoredEvent[] = [];
  private readonly streams = new Map<string, StoredEvent[]>();
  /** Like the server's committed-events cache (unbounded here): event id -> its latest record. */
  private readonly byId = new Map<string, StoredEvent>();
  private nextPosition = FIRST_POSITION;
  private readonly listeners = new Set<() => void>();

  /** Every event in log order. Do not mutate. */
  all(): readonly StoredEvent[] {
    return this.events;
  }

  stream(streamName: string): readonly StoredEvent[] | undefined {
    return this.streams.get(streamName);
  }

  lastRevision(streamName: string): bigint {
    const events = this.streams.get(streamName);
    return events ? BigInt(events.length - 1) : -1n;
  }

  headPosition(): bigint | undefined {
    return this.events.at(-1)?.position;
  }

  /** Index in all() of the first event whose position is >= position. */
  indexAtOrAfter(position: bigint): number {
    let lo = 0;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.events[mid]!.position < position) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Called synchronously after every successful write that recorded at least one event. */
  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  append(streamName: string, expected: ExpectedRevision, proposed: readonly ProposedEvent[]): AppendOutcome {
    const ids = proposed.map((e) => e.id.toLowerCase());
    const current = this.lastRevision(streamName);
    const wrong = (): AppendOutcome => ({ kind: "wrong_expected_version", currentRevision: current, expected });

    if (expected === "stream_exists" && current < 0n) return wrong();

    if (expected === "any" || expected === "stream_exists") {
      if (ids.length > 0) {
        const recorded = ids.map((id) => this.byId.get(id));
        if (recorded[0]?.streamName === streamName) {
          if (recorded.some((e) => e?.streamName !== streamName)) return wrong();
          return this.idempotent(streamName, recorded.at(-1)!.revision);
        }
      }
      return this.write(streamName, current, proposed);
    }

    const expectedNumber = expected === "no_stream" ? -1n : expected;
    if (expectedNumber < current) {
      if (ids.length === 0) return wrong();
      const events = this.streams.get(streamName)!;
      let revision = expectedNumber;
      for (const id of ids) {
        revision += 1n;
        const recorded = events[Number(revision)];
        if (recorded?.id !== id) return wrong(); // first differs, or "corrupted idempotency"
      }
      return this.idempotent(streamName, revision);
    }
    if (expectedNumber > current) return wrong();
    return this.write(streamName, current, proposed);
  }

  /** Writes a system event (on a `$` stream, `$`-prefixed type) the way the server's own services do. */
  writeSystemEvent(streamName: string, type: string, data: unknown): StoredEvent {
    const outcome = this.append(streamName, "any", [
      {
        id: crypto.randomUUID(),
        type,
        contentType: "application/json",
        data: Buffer.from(JSON.stringify(data), "utf8"),
        metadata: new Uint8Array(),
      },
    ]);
    if (outcome.kind !== "success") throw new Error("unreachable: system write with expected any");
    return this.events.at(-1)!;
  }

  private idempotent(streamName: string, lastRevision: bigint): AppendOutcome {
    const last = this.streams.get(streamName)![Number(lastRevision)]!;
    return { kind: "success", currentRevision: last.revision, position: last.position, idempotent: true };
  }

  private write(streamName: string, current: bigint, proposed: readonly ProposedEvent[]): AppendOutcome {
    if (proposed.length === 0) {
      const position = this.nextPosition;
      this.nextPosition += RECORD_OVERHEAD + BigInt(Buffer.byteLength(streamName));
      return { kind: "success", currentRevision: current, position, idempotent: false };
    }
    let events = this.streams.get(streamName);
    if (!events) {
      events = [];
      this.streams.set(streamName, events);
    }
    const created = ticksNow();
    let last: StoredEvent | undefined;
    for (const event of proposed) {
      const stored: StoredEvent = {
        streamName,
        revision: BigInt(events.length),
        position: this.nextPosition,
        id: event.id.toLowerCase(),
        type: event.type,
        isJson: event.contentType === "application/json",
        data: Uint8Array.from(event.data),
        metadata: Uint8Array.from(event.metadata),
        createdTicks: created,
      };
      this.nextPosition +=
        RECORD_OVERHEAD +
        BigInt(Buffer.byteLength(streamName) + Buffer.byteLength(event.type) + event.data.length + event.metadata.length);
      events.push(stored);
      this.events.push(stored);
      this.byId.set(stored.id, stored);
      last = stored;
    }
    for (const listener of [...this.listeners]) listener();
    return { kind: "success", currentRevision: last!.revision, position: last!.position, idempotent: false };
  }
}

/** What a fresh single node writes on first start (users, settings, metadata of its own streams). */
export function writeStartupSystemEvents(log: EventLog, nodeEndpoint: string): void {
  log.writeSystemEvent("$$$scavenges", "$metadata", { $maxAge: 2592000 });
  log.writeSystemEvent(`$$$stats-${nodeEndpoint}`, "$metadata", { $maxAge: 86400 });
  log.writeSystemEvent("$$$user-admin", "$metadata", { $acl: { $w: "$admins", $d: "$admins", $mw: "$admins" } });
  log.writeSystemEvent("$user-admin", "$user", {
    loginName: "admin",
    fullName: "Event Store Administrator",
    groups: ["$admins"],
  });
  log.writeSystemEvent("$users", "$UserCreated", "admin");
  log.writeSystemEvent("$settings", "$settings", {
    $userStreamAcl: { $r: "$all", $w: "$all", $d: "$all", $mr: "$all", $mw: "$all" },
    $systemStreamAcl: { $r: "$admins", $w: "$admins", $d: "$admins", $mr: "$admins", $mw: "$admins" },
  });
}
