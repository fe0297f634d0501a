import Database from "better-sqlite3";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { SqliteEventStore } from "../../src/adapters/event-store/sqlite-event-store.js";
import { WrongExpectedRevisionError, type EventToAppend } from "../../src/domain/shared/event-store.js";
import { round, timed, type Figure } from "../measure.js";

const SCENARIO = "event store appends";

/** The same event shape for every store: a realistic registration with full metadata. */
function eventFor(index: number): EventToAppend {
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

export async function eventStoreAppends(options: { quick: boolean }): Promise<Figure[]> {
  const total = options.quick ? 2_000 : 20_000;
  const figures: Figure[] = [];
  for (const writers of [1, 16, 64]) {
    for (const hot of [false, true]) {
      const result = await ours(total, writers, hot);
      figures.push({
        scenario: SCENARIO,
        case: `sqlite adapter, ${writers} writer${writers > 1 ? "s" : ""}, ${hot ? "one hot stream" : "distinct streams"}`,
        value: round(result.eventsPerSecond),
        unit: "events/s",
        details: { events: total, conflictsRetried: result.conflicts },
      });
    }
  }
  const raw = rawLimits(total);
  figures.push(
    { scenario: SCENARIO, case: "machine limit: plain better-sqlite3, one transaction", value: round(raw.batched), unit: "rows/s" },
    { scenario: SCENARIO, case: "machine limit: plain better-sqlite3, one durable commit per row", value: round(raw.singleCommits), unit: "rows/s" },
  );
  return figures;
}
