/**
 * TEST-ONLY EventStoreDB emulator — NOT a database. Use it only in tests.
 *
 * A small in-memory gRPC server that answers the calls `@eventstore/db-client` 6.2.1 makes,
 * the way a real single-node, insecure EventStoreDB 23.x/24.x (KurrentDB) server answers them.
 * It is built on the client's own generated service definitions and message classes
 * (`@eventstore/db-client/generated`) served with `@grpc/grpc-js`, and it advertises
 * `batchappend` in ServerFeatures so the client takes the same BatchAppend path as against a
 * real server (option `batchAppend: false` removes it so the client uses the Append RPC).
 *
 * What it checks — our mapping code, through the real client:
 * - revisions and positions as bigint: stream revisions from 0; global positions that are large,
 *   strictly increasing, NOT consecutive byte-like offsets (commit == prepare position), with the
 *   append result carrying the last event's position and the next expected revision;
 * - expected revision any / no_stream / stream_exists / exact, and the server's idempotency rules
 *   (a retried append whose ids are already recorded after the expected revision succeeds with
 *   the original result), reported as the client's error classes: WrongExpectedVersionError
 *   with the actual revision (or "no_stream"), StreamNotFoundError for a missing stream's read;
 * - reads of a stream and of $all, forwards and backwards, from start / end / a revision or
 *   position, with a count ($all forwards from P includes the event at P; backwards excludes it);
 *   system events (`$`-prefixed streams and types) in $all, as on a real server;
 * - catch-up subscriptions to a stream and to $all from start / end / a position (exclusive),
 *   confirmation first, then history, then `caught_up`, then live events; server-side filters on
 *   $all by event type or stream name (prefixes or regex) with `checkpoint` messages every
 *   checkpointInterval x maxSearchWindow events considered; cancellation by the client;
 * - discovery: Gossip lists this node as an alive Leader so `esdb+discover://` connects;
 * - failures that are not conflicts: `failNext` ends the next calls with a chosen gRPC status
 *   (UNAVAILABLE, DEADLINE_EXCEEDED, ...), `timeoutNextAppends` answers appends with the server's
 *   write-timeout result (optionally after writing the events, as a real commit timeout may).
 *
 * What it does NOT check:
 * - durability (everything is in memory and gone on stop), crash recovery, scavenging;
 * - clustering, leader election, follower reads, NotLeader redirects, replication timing;
 * - performance, back-pressure limits, large logs, the 16 MB / max-append-size limits;
 * - security: TLS, authentication, ACLs and stream metadata ($maxAge, $tb, ...);
 * - persistent subscriptions, projections ($by_category, $et- link events, resolveLinkTos),
 *   stream deletion and tombstones, users, operations (these RPCs answer UNIMPLEMENTED);
 * - exact server-side semantics beyond what is implemented here: paging, max search window
 *   (every event is considered), fell-behind / consumer-too-slow, deadlines, exact error texts,
 *   exact log positions and record sizes, the idempotency cache being bounded on a real server.
 * Passing against the emulator is not evidence of working against a real server; run the same
 * contract suite with EVENTSTORE_CONNECTION_STRING pointing at one (docker compose up eventstore).
 */
import { EventLog, writeStartupSystemEvents } from "./log.js";
import { Faults, STREAMS_RPCS, type EmulatedRpc } from "./faults.js";
import { streamsServiceImplementation } from "./streams-service.js";
import { featuresServiceImplementation } from "./features-service.js";
import { gossipServiceImplementation } from "./gossip-service.js";
import { grpc, streamsGrpc, featuresGrpc, gossipGrpc } from "./proto.js";

export interface EsdbEmulatorOptions {
  /** Advertise BatchAppend in ServerFeatures (default true, as a real 21.10+ server does). */
  batchAppend?: boolean;
  /** Version reported by ServerFeatures (default "24.10.0"). */
  serverVersion?: string;
  /** Write the system events a fresh node writes on first start (default true). */
  systemEvents?: boolean;
}

export interface EsdbEmulator {
  /** `esdb://127.0.0.1:<port>?tls=false` */
  connectionString: string;
  /** `esdb+discover://127.0.0.1:<port>?tls=false` (goes through Gossip.Read first). */
  discoverConnectionString: string;
  port: number;
  /**
   * The next `count` operations of the given RPCs (default: Streams Read, Append, BatchAppend)
   * fail with `code`. For Read and Append an operation is a call. For BatchAppend it is one
   * append: the shared bidi call is ended with that status, which fails every append pending on it.
   */
  failNext(count: number, code: grpc.status, options?: { details?: string; rpcs?: readonly EmulatedRpc[] }): void;
  /**
   * The next `count` appends get the server's write-timeout answer (BatchAppend: an error status
   * DEADLINE_EXCEEDED with Timeout details -> DeadlineExceededError; Append: ABORTED -> TimeoutError).
   * With `writeAnyway` the events are recorded first, as can happen on a real commit timeout.
   */
  timeoutNextAppends(count: number, options?: { writeAnyway?: boolean }): void;
  clearFaults(): void;
  /**
   * Calls per RPC ("Streams/BatchAppend", "Streams/Append", "Streams/Read",
   * "ServerFeatures/GetSupportedMethods", "Gossip/Read") and appends per path
   * ("appends via BatchAppend", "appends via Append"). A BatchAppend call carries many appends.
   */
  callCounts(): Record<string, number>;
  /** The server-side filter of each $all subscription opened so far, e.g. "eventType regex ^[^\\$].*" or "none". */
  subscriptionFilters(): readonly string[];
  /** Number of subscriptions currently open on the server side. */
  openSubscriptions(): number;
  /** Writes a `$statsCollected` event to `$stats-<node>`, as a real node does every 30 s. Returns its position. */
  writeStatsEvent(): bigint;
  /** Position of the last event in the log. */
  headPosition(): bigint | undefined;
  stop(): Promise<void>;
}

const HOST = "127.0.0.1";

export async function startEsdbEmulator(options: EsdbEmulatorOptions = {}): Promise<EsdbEmulator> {
  const batchAppend = options.batchAppend ?? true;
  const serverVersion = options.serverVersion ?? "24.10.0";
  const log = new EventLog();
  const faults = new Faults();
  const subscriptions = new Set<{ close(): void }>();
  const subscriptionFilters: string[] = [];
  let port = 0;

  const server = new grpc.Server();
  server.addService(streamsGrpc.StreamsService, streamsServiceImplementation({ log, faults, subscriptions, subscriptionFilters }));
  server.addService(
    featuresGrpc.ServerFeaturesService,
    featuresServiceImplementation({ faults, serverVersion, batchAppend }),
  );
  server.addService(
    gossipGrpc.GossipService,
    gossipServiceImplementation({ faults, instanceId: crypto.randomUUID(), host: HOST, port: () => port }),
  );

  port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${HOST}:0`, grpc.ServerCredentials.createInsecure(), (error, boundPort) =>
      error ? reject(error) : resolve(boundPort),
    );
  });

  const nodeEndpoint = `${HOST}:${port}`;
  if (options.systemEvents ?? true) writeStartupSystemEvents(log, nodeEndpoint);
  let stopped: Promise<void> | undefined;

  return {
    connectionString: `esdb://${HOST}:${port}?tls=false`,
    discoverConnectionString: `esdb+discover://${HOST}:${port}?tls=false`,
    port,
    failNext(count, code, failOptions = {}) {
      faults.failNext(count, code, failOptions.details ?? `emulated ${grpc.status[code]}`, failOptions.rpcs ?? STREAMS_RPCS);
    },
    timeoutNextAppends(count, timeoutOptions = {}) {
      faults.timeoutNextAppends(count, timeoutOptions.writeAnyway ?? false);
    },
    clearFaults: () => faults.clear(),
    callCounts: () => faults.snapshot(),
    openSubscriptions: () => subscriptions.size,
    subscriptionFilters: () => [...subscriptionFilters],
    writeStatsEvent: () =>
      log.writeSystemEvent(`$stats-${nodeEndpoint}`, "$statsCollected", { "proc-startTime": new Date().toISOString() })
        .position,
    headPosition: () => log.headPosition(),
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        for (const subscription of [...subscriptions]) subscription.close();
        // Open BatchAppend calls and subscriptions never end by themselves: force them closed.
        server.forceShutdown();
        resolve();
      });
      return stopped;
    },
  };
}
