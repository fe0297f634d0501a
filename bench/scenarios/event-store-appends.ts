import Database from "better-sqlite3";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { SqliteEventStore } from "../../src/adapters/event-store/sqlite-event-store.js";
import { WrongExpectedRevisionError, type EventToAppend } from "../../src/domain/shared/event-store.js";
import { round, timed, type Figure } from "../measure.js";
import { peerStatus, runPeer, type PeerMeasured } from "./emmett-peer.js";

const SCENARIO = "event store appends";

/** The same event shape for every store (ours, the peer, the raw inserts): a realistic registration with full metadata. */
export function eventFor(index: number): EventToAppend {
  return {
    id: randomUUID(),
    type: "ParticipantRegistered",
    data: {
      sessionId: "bench-session",
      registrationId: randomUUID(),
      userId: `user-${index}`,
      registeredBy: `user-${index}`,
      registeredAt: new Date().toISOString(),
    },
    metadata: {
      tenantId: "bench-org",
      actorId: `user-${index}`,
      correlationId: randomUUID(),
      causationId: randomUUID(),
      occurredAt: new Date().toISOString(),
      schemaVersion: 1,
      previousEventHash: null,
    },
  };
}

function tempFile(name: string): { file: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `bench-${name}-`));
  return { file: path.join(dir, "events.sqlite"), cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** `writers` concurrent writers append `total` single events, each to its own stream or all to one hot stream. */
async function ours(total: number, writers: number, hot: boolean): Promise<{ eventsPerSecond: number; conflicts: number }> {
  const { file, cleanup } = tempFile("ours");
  const store = SqliteEventStore.open(file);
  let conflicts = 0;
  let written = 0;
  const perWriter = Math.ceil(total / writers);
  const { seconds } = await timed(() =>
    Promise.all(
      Array.from({ length: writers }, async (_, writer) => {
        const stream = hot ? "session-hot" : `session-${writer}`;
        let expected: bigint | "no_stream" = "no_stream";
        for (let i = 0; i < perWriter && written < total; i++) {
          for (;;) {
            try {
              const result = await store.appendToStream(stream, [eventFor(i)], { expectedRevision: expected });
              expected = result.nextExpectedRevision;
              written += 1;
              break;
            } catch (error) {
              if (!(error instanceof WrongExpectedRevisionError)) throw error;
              conflicts += 1;
              expected = error.actual;
            }
          }
        }
      }),
    ),
  );
  await store.close();
  cleanup();
  return { eventsPerSecond: written / seconds, conflicts };
}

/** The machine's limit for the same rows: one transaction, and one durable commit per row. */
function rawLimits(total: number): { batched: number; singleCommits: number } {
  const { file, cleanup } = tempFile("raw");
  const db = new Database(file);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.exec(
    "CREATE TABLE events (position INTEGER PRIMARY KEY, event_id TEXT UNIQUE, stream_name TEXT, stream_revision INTEGER, type TEXT, data TEXT, metadata TEXT, recorded_at TEXT)",
  );
  const insert = db.prepare(
    "INSERT INTO events (event_id, stream_name, stream_revision, type, data, metadata, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
  );
  const row = (i: number) => {
    const event = eventFor(i);
    return [event.id, `session-${i % 64}`, i, event.type, JSON.stringify(event.data), JSON.stringify(event.metadata), new Date().toISOString()];
  };
  let started = performance.now();
  db.transaction(() => {
    for (let i = 0; i < total; i++) insert.run(...row(i));
  })();
  const batched = total / ((performance.now() - started) / 1000);
  const singles = Math.min(total, 5000);
  started = performance.now();
  for (let i = 0; i < singles; i++) insert.run(...row(total + i));
  const singleCommits = singles / ((performance.now() - started) / 1000);
  db.close();
  cleanup();
  return { batched, singleCommits };
}

/** Events per case, the same for ours and the peer. The peer appends ~150-300 events/s from one writer, hence not more. */
const EVENTS = { quick: 500, full: 10_000 };
/**
 * The peer stalls at concurrent writers (no append completes for many seconds): it is stopped when none has
 * completed for `stall` seconds, or at `deadline` in any case, and reported over what it did until then.
 */
const PEER_LIMITS = { quick: { stall: 1, deadline: 10 }, full: { stall: 5, deadline: 120 } };
/** Rows for the machine's limits: cheap, so more than the cases' events for a steadier figure. */
const RAW_ROWS = { quick: 2_000, full: 20_000 };

const writersLabel = (writers: number) => `${writers} writer${writers > 1 ? "s" : ""}`;
const streamsLabel = (hot: boolean) => (hot ? "one hot stream" : "distinct streams");
/** Small rates keep a decimal (a stalled peer manages a fraction of an event per second). */
const rate = (value: number) => round(value, value < 10 ? 1 : 0);

function peerFigure(peer: PeerMeasured, total: number, writers: number, hot: boolean, first: boolean): Figure {
  const details: Record<string, number | string> = {
    events: total,
    succeeded: peer.succeeded,
    failed: peer.failed,
    conflictsRetried: peer.conflictsRetried,
  };
  if (peer.stopped) {
    const inFlight = peer.attempted - peer.succeeded - peer.failed;
    details.stopped = `${peer.stopped}; measured over ${round(peer.seconds, 1)} s${peer.killed ? `; killed with ${inFlight} appends in flight` : ""}`;
  }
  const errors = Object.entries(peer.errors);
  if (errors.length > 0) details.errors = errors.map(([code, count]) => `${code} ×${count}`).join(", ");
  if (peer.firstError) details.firstError = peer.firstError;
  if (first) details.settings = peer.settings;
  return {
    scenario: SCENARIO,
    case: `emmett-sqlite ${peer.version}, ${writersLabel(writers)}, ${streamsLabel(hot)}`,
    value: rate(peer.eventsPerSecond),
    unit: "events/s",
    details,
  };
}

export async function eventStoreAppends(options: { quick: boolean }): Promise<Figure[]> {
  const mode = options.quick ? "quick" : "full";
  const total = EVENTS[mode];
  const limits = PEER_LIMITS[mode];
  const status = peerStatus();
  if (!status.installed) {
    process.stderr.write(`${SCENARIO}: peer @event-driven-io/emmett-sqlite skipped — not installed; run npm --prefix bench install\n`);
  }
  const figures: Figure[] = [];
  let firstPeer = true;
  for (const writers of [1, 16, 64]) {
    for (const hot of [false, true]) {
      const result = await ours(total, writers, hot);
      const figure: Figure = {
        scenario: SCENARIO,
        case: `sqlite adapter, ${writersLabel(writers)}, ${streamsLabel(hot)}`,
        value: round(result.eventsPerSecond),
        unit: "events/s",
        details: { events: total, conflictsRetried: result.conflicts },
      };
      figures.push(figure);
      if (!status.installed) {
        figure.details!.peer = "not installed";
        continue;
      }
      const peer = await runPeer({ total, writers, hot, stallSeconds: limits.stall, deadlineSeconds: limits.deadline });
      if (!peer.installed) {
        process.stderr.write(`${SCENARIO}: peer @event-driven-io/emmett-sqlite could not run: ${peer.reason}\n`);
        figure.details!.peer = `could not run: ${peer.reason}`;
        continue;
      }
      figure.details!.ratioOursToPeer = peer.succeeded > 0 ? round(result.eventsPerSecond / peer.eventsPerSecond, 1) : "n/a (the peer completed no append)";
      figures.push(peerFigure(peer, total, writers, hot, firstPeer));
      firstPeer = false;
    }
  }
  const raw = rawLimits(RAW_ROWS[mode]);
  figures.push(
    { scenario: SCENARIO, case: "machine limit: plain better-sqlite3, one transaction", value: round(raw.batched), unit: "rows/s" },
    { scenario: SCENARIO, case: "machine limit: plain better-sqlite3, one durable commit per row", value: round(raw.singleCommits), unit: "rows/s" },
  );
  return figures;
}
