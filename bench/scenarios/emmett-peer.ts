/**
 * The benchmark peer for event store appends (the benchmark's first scenario): `@event-driven-io/emmett-sqlite`,
 * installed apart from the product with `npm --prefix bench install` (bench/package.json).
 *
 * The peer runs in a child process, one per case, so that what it does to a process stays there:
 * it prints every failed transaction with console.log (our run's stdout is the results table),
 * its sqlite3 driver works on libuv's thread pool, and at concurrent writers it fails or stalls
 * (SQLITE_BUSY, "Database is closed"). The parent watches the child's progress, asks it
 * to stop once it stalls (no append completed for a while) or at a deadline, and kills it if it does
 * not stop, keeping the last progress the child reported.
 *
 * The peer is used as its users use it: `getSQLiteEventStore({ fileName, schema: { autoMigration:
 * "CreateOrUpdate" } })` with its own defaults (it sets journal_mode=WAL and nothing else; it opens
 * a connection per call and closes it afterwards, so the store itself has no close()). It is not
 * tuned; its failures are counted and reported, never hidden.
 */
import { fork } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { eventFor } from "./event-store-appends.js";

const PACKAGE = "@event-driven-io/emmett-sqlite";
const WORKER_FLAG = "--emmett-peer-worker";
const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const packageDir = path.join(benchDir, "node_modules", ...PACKAGE.split("/"));

/** A version conflict after this many retries of one append counts as a failed append (the peer can wedge a stream). */
const MAX_CONFLICTS_PER_APPEND = 100;
/** After the peer is asked to stop, how long it may take to finish its appends in flight before it is killed. */
const GRACE_MS = 1_000;
/** How long the child may take to load the peer and create its schema. */
const STARTUP_MS = 30_000;

/* The few parts of the peer's API used here (its own types live in bench/node_modules, which may be absent). */
interface PeerEvent {
  type: string;
  data: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}
interface PeerEventStore {
  appendToStream(
    streamName: string,
    events: PeerEvent[],
    options?: { expectedStreamVersion?: bigint },
  ): Promise<{ nextExpectedStreamVersion: bigint }>;
  readStream(streamName: string): Promise<{ currentStreamVersion: bigint }>;
}
interface PeerConnection {
  close(): void;
  querySingle<T>(sql: string): Promise<T | null>;
}
interface PeerModule {
  getSQLiteEventStore(options: { fileName: string; schema?: { autoMigration?: "None" | "CreateOrUpdate" } }): PeerEventStore;
  sqliteConnection(options: { fileName: string }): PeerConnection;
}

export type PeerStatus = { installed: true; version: string } | { installed: false; reason: string };

export interface PeerCase {
  total: number;
  writers: number;
  hot: boolean;
  /** Stop the peer when no append has completed for this long (it stalls at concurrent writers). */
  stallSeconds: number;
  /** Stop the peer after this long in any case. */
  deadlineSeconds: number;
}

export interface PeerCounts {
  /** Appends begun (succeeded + failed + still in flight). */
  attempted: number;
  succeeded: number;
  failed: number;
  conflictsRetried: number;
  /** Seconds since the writers started, when these counts were taken. */
  seconds: number;
  firstError?: string;
  /** How many failures per error code (or message), e.g. { SQLITE_BUSY: 12 }. */
  errors: Record<string, number>;
}

export type PeerMeasured = PeerCounts & {
  installed: true;
  version: string;
  /** Succeeded appends over the seconds the writers ran. */
  eventsPerSecond: number;
  /** Why the peer was stopped before it finished `total` appends, if it was. */
  stopped?: string;
  /** It did not finish its appends in flight within the grace period and was killed; they count neither way. */
  killed: boolean;
  /** What the peer's connection reports, read through the peer's own connection factory. */
  settings: string;
};

export type PeerResult = { installed: false; reason: string } | PeerMeasured;

type WorkerMessage =
  | { type: "ready"; settings: string }
  | { type: "progress"; counts: PeerCounts }
  | { type: "done"; counts: PeerCounts }
  | { type: "failed"; reason: string };

/** Whether `npm --prefix bench install` has put the peer in bench/node_modules, and which version. */
export function peerStatus(): PeerStatus {
  const manifest = path.join(packageDir, "package.json");
  if (!fs.existsSync(manifest)) return { installed: false, reason: "not installed; run npm --prefix bench install" };
  const { version } = JSON.parse(fs.readFileSync(manifest, "utf8")) as { version: string };
  return { installed: true, version };
}

/** One line, no table separators: error messages end up in the Markdown table. */
const oneLine = (text: string) => text.replace(/\s+/g, " ").replace(/\|/g, "/").slice(0, 160);

/** Runs one case in a child process and returns what the peer managed. Never throws for the peer's failures. */
export async function runPeer(options: PeerCase): Promise<PeerResult> {
  const status = peerStatus();
  if (!status.installed) return status;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-emmett-"));
  try {
    return await new Promise<PeerResult>((resolve) => {
      const child = fork(fileURLToPath(import.meta.url), [WORKER_FLAG, JSON.stringify({ ...options, fileName: path.join(dir, "events.sqlite") })], {
        // The child runs TypeScript through the same loader as the run itself, found from here.
        execArgv: ["--import", import.meta.resolve("tsx")],
        stdio: ["ignore", "ignore", "pipe", "ipc"],
      });
      let stderr = "";
      child.stderr?.on("data", (chunk: Buffer) => {
        stderr = (stderr + chunk.toString()).slice(-2_000);
      });
      let settings = "unknown";
      let last: PeerCounts = { attempted: 0, succeeded: 0, failed: 0, conflictsRetried: 0, seconds: 0, errors: {} };
      let readyAt: number | undefined;
      let advancedAt = 0;
      let stopped: string | undefined;
      let killed = false;
      let settled = false;
      const timers: NodeJS.Timeout[] = [];
      const finish = (result: PeerResult) => {
        if (settled) return;
        settled = true;
        timers.forEach(clearTimeout);
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
        resolve(result);
      };
      const measured = (counts: PeerCounts): PeerMeasured => ({
        installed: true,
        version: status.version,
        ...counts,
        eventsPerSecond: counts.seconds > 0 ? counts.succeeded / counts.seconds : 0,
        ...(stopped ? { stopped } : {}),
        killed,
        settings,
      });
      const stop = (reason: string) => {
        stopped = reason;
        child.send("stop");
        timers.push(
          setTimeout(() => {
            killed = true;
            finish(measured(last));
          }, GRACE_MS),
        );
      };
      const watch = () => {
        const now = performance.now();
        if (now - advancedAt > options.stallSeconds * 1000) stop(`stalled: no append completed for ${options.stallSeconds} s`);
        else if (now - readyAt! > options.deadlineSeconds * 1000) stop(`at the ${options.deadlineSeconds} s deadline`);
        else timers.push(setTimeout(watch, 100));
      };
      child.on("message", (message: WorkerMessage) => {
        if (message.type === "failed") finish({ installed: false, reason: oneLine(message.reason) });
        else if (message.type === "ready") {
          settings = message.settings;
          readyAt = advancedAt = performance.now();
          watch();
        } else if (message.type === "progress") {
          if (message.counts.succeeded > last.succeeded) advancedAt = performance.now();
          last = message.counts;
        } else finish(measured(message.counts));
      });
      child.on("exit", (code, signal) => {
        if (settled) return;
        const reason = `peer process exited (${signal ?? `code ${code}`}) before it reported: ${stderr.trim() || "no output"}`;
        if (readyAt === undefined) finish({ installed: false, reason: oneLine(reason) });
        else finish({ ...measured(last), firstError: last.firstError ?? oneLine(reason) });
      });
      timers.push(
        setTimeout(() => {
          if (readyAt === undefined) finish({ installed: false, reason: `peer process did not start within ${STARTUP_MS / 1000} s` });
        }, STARTUP_MS),
      );
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Child side: load the peer from bench/node_modules, append, report progress over IPC. */
async function worker(params: PeerCase & { fileName: string }): Promise<void> {
  const send = (message: WorkerMessage) => process.send?.(message);
  let peer: PeerModule;
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(packageDir, "package.json"), "utf8")) as {
      exports: { ".": { import: { default: string } } };
    };
    peer = (await import(pathToFileURL(path.join(packageDir, manifest.exports["."].import.default)).href)) as PeerModule;
  } catch (error) {
    send({ type: "failed", reason: `cannot load ${PACKAGE} (run npm --prefix bench install): ${(error as Error).message}` });
    return;
  }
  const store = peer.getSQLiteEventStore({ fileName: params.fileName, schema: { autoMigration: "CreateOrUpdate" } });
  // Outside the timing: the schema is created on the store's first call, as an app's first request would.
  await store.readStream("warm-up");
  const connection = peer.sqliteConnection({ fileName: params.fileName });
  const journal = await connection.querySingle<{ journal_mode: string }>("PRAGMA journal_mode");
  const sync = await connection.querySingle<{ synchronous: number }>("PRAGMA synchronous");
  const busy = await connection.querySingle<{ timeout: number }>("PRAGMA busy_timeout");
  connection.close();
  const syncName = ["OFF", "NORMAL", "FULL", "EXTRA"][sync?.synchronous ?? -1] ?? "?";
  send({
    type: "ready",
    settings: `journal_mode ${journal?.journal_mode}, synchronous ${syncName}, busy_timeout ${busy?.timeout} ms (driver defaults; the peer exposes no setting)`,
  });

  let stopping = false;
  process.on("message", (message) => {
    if (message === "stop") stopping = true;
  });
  // If the run goes away (Ctrl-C, crash), so does the peer.
  process.on("disconnect", () => process.exit(1));
  const counts: PeerCounts = { attempted: 0, succeeded: 0, failed: 0, conflictsRetried: 0, seconds: 0, errors: {} };
  const fail = (error: unknown) => {
    counts.failed += 1;
    const key = (error as { code?: string }).code ?? oneLine((error as Error).message ?? String(error)).slice(0, 60);
    counts.errors[key] = (counts.errors[key] ?? 0) + 1;
    counts.firstError ??= oneLine((error as Error).message ?? String(error));
  };
  const started = performance.now();
  const snapshot = (): PeerCounts => ({ ...counts, errors: { ...counts.errors }, seconds: (performance.now() - started) / 1000 });
  const progress = setInterval(() => send({ type: "progress", counts: snapshot() }), 200);
  const perWriter = Math.ceil(params.total / params.writers);
  await Promise.all(
    Array.from({ length: params.writers }, async (_, writer) => {
      const stream = params.hot ? "session-hot" : `session-${writer}`;
      let expected = 0n; // the peer's version of a stream that does not exist yet
      for (let i = 0; i < perWriter && counts.succeeded + counts.failed < params.total && !stopping; i++) {
        const { type, data, metadata } = eventFor(i);
        counts.attempted += 1;
        for (let conflicts = 0; ; ) {
          try {
            const result = await store.appendToStream(stream, [{ type, data, metadata }], { expectedStreamVersion: expected });
            expected = result.nextExpectedStreamVersion;
            counts.succeeded += 1;
            break;
          } catch (error) {
            // The peer's ExpectedVersionConflictError (errorCode 412) is a copy bundled inside emmett-sqlite (so emmett's
            // own isExpectedVersionConflictError says false) and carries no current version (-1n): re-read the stream,
            // as a retried emmett command handler would. In 0.38.5 a conflict on an existing stream commits the stream's
            // position bump, after which every append at the version read conflicts: hence the cap.
            if ((error as { errorCode?: number }).errorCode !== 412 || conflicts >= MAX_CONFLICTS_PER_APPEND) {
              fail(error);
              break;
            }
            conflicts += 1;
            counts.conflictsRetried += 1;
            try {
              expected = (await store.readStream(stream)).currentStreamVersion;
            } catch (readError) {
              fail(readError);
              break;
            }
          }
        }
      }
    }),
  );
  clearInterval(progress);
  // The peer may leave sqlite3 handles open (it closes connections without waiting): exit once the counts are sent.
  process.send?.({ type: "done", counts: snapshot() } satisfies WorkerMessage, () => process.exit(0));
}

const flag = process.argv.indexOf(WORKER_FLAG);
if (flag !== -1 && process.send) {
  await worker(JSON.parse(process.argv[flag + 1]!) as PeerCase & { fileName: string });
}
