/**
 * TEST-ONLY EventStoreDB emulator: the `event_store.client.streams.Streams` service.
 *
 * Read (stream / $all reads and catch-up subscriptions), Append (client stream) and BatchAppend
 * (bidi stream). Response shapes follow the real server's gRPC layer
 * (EventStore/EventStore src/EventStore.Core/Services/Transport/Grpc):
 * - a wrong expected version is an AppendResp.wrong_expected_version body, or a BatchAppendResp
 *   whose `error` is google.rpc.Status{ code ALREADY_EXISTS, details Any(event_store.client.WrongExpectedVersion) };
 * - reading a missing stream yields one ReadResp{ stream_not_found } and then OK;
 * - recorded events carry type / created (ticks since the Unix epoch) / content-type metadata and
 *   commit_position == prepare_position;
 * - $all forwards from P is inclusive (the event AT P is returned), backwards from P is exclusive;
 *   a subscription from P / from revision N starts strictly after it (the server reads one event
 *   at P and continues from the next position);
 * - subscriptions send `confirmation` first, then the catch-up events, then `caught_up`, then live
 *   events; filtered $all subscriptions send a `checkpoint` after every
 *   `checkpointIntervalMultiplier * maxSearchWindow` (default window 32) events considered.
 * Delete and Tombstone are not implemented (UNIMPLEMENTED).
 */
import type { Faults, EmulatedRpc } from "./faults.js";
import type { EventLog, ExpectedRevision, ProposedEvent, StoredEvent } from "./log.js";
import {
  grpc,
  streamsPb,
  sharedPb,
  statusPb,
  packAny,
  sharedEmpty,
  googleEmpty,
  streamIdentifier,
  streamNameOf,
  uuidToString,
  uuidMessage,
  serviceError,
  RpcCode,
  type ReadReq,
  type ReadResp,
  type AppendReq,
  type AppendResp,
  type BatchAppendReq,
  type BatchAppendResp,
} from "./proto.js";

const DEFAULT_MAX_SEARCH_WINDOW = 32;

export interface StreamsServiceContext {
  log: EventLog;
  faults: Faults;
  /** Tracks open subscriptions so the emulator can report and close them. */
  subscriptions: Set<{ close(): void }>;
  /** The server-side filter of every $all subscription opened, in order ("none" when unfiltered). */
  subscriptionFilters: string[];
}

type ReadCall = grpc.ServerWritableStream<ReadReq, ReadResp>;

export function streamsServiceImplementation(ctx: StreamsServiceContext): grpc.UntypedServiceImplementation {
  return {
    read: (call: ReadCall) => handleRead(ctx, call),
    append: (call: grpc.ServerReadableStream<AppendReq, AppendResp>, callback: grpc.sendUnaryData<AppendResp>) =>
      handleAppend(ctx, call, callback),
    batchAppend: (call: grpc.ServerDuplexStream<BatchAppendReq, BatchAppendResp>) => handleBatchAppend(ctx, call),
  };
}

function failWithFault(ctx: StreamsServiceContext, rpc: EmulatedRpc): ReturnType<typeof serviceError> | undefined {
  const fault = ctx.faults.take(rpc);
  return fault ? serviceError(fault.code, fault.details) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Read

function handleRead(ctx: StreamsServiceContext, call: ReadCall): void {
  ctx.faults.count("Streams/Read");
  const fault = failWithFault(ctx, "Streams/Read");
  if (fault) {
    call.emit("error", fault);
    return;
  }
  const options = call.request.getOptions();
  if (!options) {
    call.emit("error", serviceError(grpc.status.INVALID_ARGUMENT, "ReadReq.options is required"));
    return;
  }
  const structuredIds = options.getUuidOption()?.hasStructured() ?? false;
  const toResp = (event: StoredEvent) => readEventResp(event, structuredIds);
  let filter: EventPredicate | undefined;
  let checkpointInterval: number | undefined;
  if (options.hasFilter()) {
    const filterOptions = options.getFilter()!;
    filter = compileFilter(filterOptions);
    if (filter === undefined) {
      call.emit("error", serviceError(grpc.status.INVALID_ARGUMENT, "invalid filter"));
      return;
    }
    const window = filterOptions.hasMax() ? filterOptions.getMax() : DEFAULT_MAX_SEARCH_WINDOW;
    checkpointInterval = Math.max(1, filterOptions.getCheckpointintervalmultiplier()) * window;
  }

  if (options.hasSubscription()) {
    if (!options.hasStream()) ctx.subscriptionFilters.push(options.hasFilter() ? describeFilter(options.getFilter()!) : "none");
    if (options.hasStream()) {
      const streamOptions = options.getStream()!;
      const name = streamNameOf(streamOptions.getStreamIdentifier());
      const log = ctx.log;
      let startIndex = 0;
      let after = -1n;
      if (streamOptions.hasEnd()) startIndex = log.all().length;
      else if (streamOptions.hasRevision()) after = BigInt(streamOptions.getRevision());
      subscribe(ctx, call, startIndex, (e) => e.streamName === name && e.revision > after, undefined, toResp);
    } else {
      const allOptions = options.getAll()!;
      let startIndex = 0;
      if (allOptions.hasEnd()) startIndex = ctx.log.all().length;
      else if (allOptions.hasPosition()) {
        // Like the server: read the one event at (or after) P, then continue after it.
        const atOrAfter = ctx.log.indexAtOrAfter(BigInt(allOptions.getPosition()!.getCommitPosition()));
        startIndex = Math.min(atOrAfter + 1, ctx.log.all().length);
      }
      subscribe(ctx, call, startIndex, filter ?? (() => true), filter ? checkpointInterval : undefined, toResp);
    }
    return;
  }

  const count = options.hasCount() ? BigInt(options.getCount()) : BigInt(Number.MAX_SAFE_INTEGER);
  const backwards = options.getReadDirection() === streamsPb.ReadReq.Options.ReadDirection.BACKWARDS;
  let selected: StoredEvent[];
  if (options.hasStream()) {
    const streamOptions = options.getStream()!;
    const name = streamNameOf(streamOptions.getStreamIdentifier());
    const events = ctx.log.stream(name);
    if (!events) {
      const notFound = new streamsPb.ReadResp.StreamNotFound();
      notFound.setStreamIdentifier(streamIdentifier(name));
      const resp = new streamsPb.ReadResp();
      resp.setStreamNotFound(notFound);
      void writeAllThenEnd(call, [resp]);
      return;
    }
    const last = BigInt(events.length - 1);
    let from: bigint;
    if (streamOptions.hasRevision()) from = BigInt(streamOptions.getRevision());
    else if (streamOptions.hasEnd()) from = backwards ? last : last + 1n;
    else from = 0n; // start (backwards from the start returns the first event only)
    selected = [];
    if (backwards) {
      for (let r = from > last ? last : from; r >= 0n && BigInt(selected.length) < count; r--) {
        selected.push(events[Number(r)]!);
      }
    } else {
      for (let r = from; r <= last && BigInt(selected.length) < count; r++) selected.push(events[Number(r)]!);
    }
  } else {
    const allOptions = options.getAll()!;
    const all = ctx.log.all();
    const matches = filter ?? (() => true);
    selected = [];
    if (backwards) {
      let i = all.length - 1;
      if (allOptions.hasStart()) i = -1;
      else if (allOptions.hasPosition()) {
        i = ctx.log.indexAtOrAfter(BigInt(allOptions.getPosition()!.getCommitPosition())) - 1; // exclusive
      }
      for (; i >= 0 && BigInt(selected.length) < count; i--) if (matches(all[i]!)) selected.push(all[i]!);
    } else {
      let i = 0;
      if (allOptions.hasEnd()) i = all.length;
      else if (allOptions.hasPosition()) {
        i = ctx.log.indexAtOrAfter(BigInt(allOptions.getPosition()!.getCommitPosition())); // inclusive
      }
      for (; i < all.length && BigInt(selected.length) < count; i++) if (matches(all[i]!)) selected.push(all[i]!);
    }
  }
  void writeAllThenEnd(call, selected.map(toResp));
}

function readEventResp(event: StoredEvent, structuredIds: boolean): ReadResp {
  const recorded = new streamsPb.ReadResp.ReadEvent.RecordedEvent();
  recorded.setId(uuidMessage(event.id, structuredIds));
  recorded.setStreamIdentifier(streamIdentifier(event.streamName));
  recorded.setStreamRevision(event.revision.toString());
  recorded.setCommitPosition(event.position.toString());
  recorded.setPreparePosition(event.position.toString());
  const metadata = recorded.getMetadataMap();
  metadata.set("type", event.type);
  metadata.set("created", event.createdTicks.toString());
  metadata.set("content-type", event.isJson ? "application/json" : "application/octet-stream");
  recorded.setData(event.data);
  recorded.setCustomMetadata(event.metadata);
  const readEvent = new streamsPb.ReadResp.ReadEvent();
  readEvent.setEvent(recorded);
  readEvent.setCommitPosition(event.position.toString());
  const resp = new streamsPb.ReadResp();
  resp.setEvent(readEvent);
  return resp;
}

function waitForDrainOrEnd(call: ReadCall): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      call.off("drain", done);
      call.off("cancelled", done);
      call.off("close", done);
      resolve();
    };
    call.on("drain", done);
    call.on("cancelled", done);
    call.on("close", done);
  });
}

async function writeAllThenEnd(call: ReadCall, responses: readonly ReadResp[]): Promise<void> {
  for (const resp of responses) {
    if (call.cancelled || call.destroyed) return;
    if (!call.write(resp)) await waitForDrainOrEnd(call);
  }
  if (!call.cancelled && !call.destroyed) call.end();
}

// ---------------------------------------------------------------------------------------------
// Subscriptions

type EventPredicate = (event: StoredEvent) => boolean;

function describeFilter(filter: streamsPb.ReadReq.Options.FilterOptions): string {
  const onStream = filter.hasStreamIdentifier();
  const expression = onStream ? filter.getStreamIdentifier() : filter.getEventType();
  const prefixes = expression?.getPrefixList() ?? [];
  const what = prefixes.length > 0 ? `prefixes ${prefixes.join(",")}` : `regex ${expression?.getRegex() ?? ""}`;
  return `${onStream ? "stream" : "eventType"} ${what}`;
}

/** The server-side filter of ReadReq.Options.FilterOptions (prefixes win over regex when both are set). */
function compileFilter(filter: streamsPb.ReadReq.Options.FilterOptions): EventPredicate | undefined {
  const onStream = filter.hasStreamIdentifier();
  const expression = onStream ? filter.getStreamIdentifier() : filter.getEventType();
  if (!expression) return undefined;
  const field = (e: StoredEvent) => (onStream ? e.streamName : e.type);
  const prefixes = expression.getPrefixList();
  if (prefixes.length > 0) return (e) => prefixes.some((p) => field(e).startsWith(p));
  const source = expression.getRegex();
  if (!source) return undefined;
  let regex: RegExp;
  try {
    regex = new RegExp(source);
  } catch {
    return undefined;
  }
  return (e) => regex.test(field(e));
}

function subscribe(
  ctx: StreamsServiceContext,
  call: ReadCall,
  startIndex: number,
  matches: EventPredicate,
  checkpointInterval: number | undefined,
  toResp: (event: StoredEvent) => ReadResp,
): void {
  let cursor = startIndex;
  let caughtUp = false;
  let considered = 0;
  let waitingForDrain = false;
  let closed = false;

  const handle = {
    close() {
      if (closed) return;
      closed = true;
      unlisten();
      ctx.subscriptions.delete(handle);
      if (!call.cancelled && !call.destroyed) call.end();
    },
  };
  const cleanup = () => {
    if (closed) return;
    closed = true;
    unlisten();
    ctx.subscriptions.delete(handle);
  };

  const send = (resp: ReadResp): boolean => (closed || call.cancelled || call.destroyed ? true : call.write(resp));

  const pump = () => {
    if (closed || waitingForDrain) return;
    const all = ctx.log.all();
    while (cursor < all.length) {
      const event = all[cursor++]!;
      let ok = true;
      if (matches(event)) ok = send(toResp(event));
      if (checkpointInterval !== undefined && ++considered >= checkpointInterval) {
        considered = 0;
        const checkpoint = new streamsPb.ReadResp.Checkpoint();
        checkpoint.setCommitPosition(event.position.toString());
        checkpoint.setPreparePosition(event.position.toString());
        const resp = new streamsPb.ReadResp();
        resp.setCheckpoint(checkpoint);
        ok = send(resp) && ok;
      }
      if (!ok) {
        waitingForDrain = true;
        call.once("drain", () => {
          waitingForDrain = false;
          pump();
        });
        return;
      }
    }
    if (!caughtUp) {
      caughtUp = true;
      const resp = new streamsPb.ReadResp();
      resp.setCaughtUp(new streamsPb.ReadResp.CaughtUp());
      if (!send(resp)) {
        waitingForDrain = true;
        call.once("drain", () => {
          waitingForDrain = false;
          pump();
        });
      }
    }
  };

  const unlisten = ctx.log.onAppend(pump);
  ctx.subscriptions.add(handle);
  call.on("cancelled", cleanup);
  call.on("close", cleanup);
  call.on("error", cleanup);

  const confirmation = new streamsPb.ReadResp.SubscriptionConfirmation();
  confirmation.setSubscriptionId(crypto.randomUUID());
  const resp = new streamsPb.ReadResp();
  resp.setConfirmation(confirmation);
  send(resp);
  pump();
}

// ---------------------------------------------------------------------------------------------
// Appends

interface ParsedProposed {
  events: ProposedEvent[];
  missing?: "type" | "content-type";
}

function parseProposed(
  messages: readonly (streamsPb.AppendReq.ProposedMessage | streamsPb.BatchAppendReq.ProposedMessage)[],
): ParsedProposed {
  const events: ProposedEvent[] = [];
  for (const message of messages) {
    const metadata = message.getMetadataMap();
    const type = metadata.get("type");
    if (type === undefined) return { events, missing: "type" };
    const contentType = metadata.get("content-type");
    if (contentType === undefined) return { events, missing: "content-type" };
    events.push({
      id: uuidToString(message.getId()) ?? crypto.randomUUID(),
      type,
      contentType,
      data: message.getData_asU8(),
      metadata: message.getCustomMetadata_asU8(),
    });
  }
  return { events };
}

function appendExpected(options: streamsPb.AppendReq.Options): ExpectedRevision {
  if (options.hasRevision()) return BigInt(options.getRevision());
  if (options.hasNoStream()) return "no_stream";
  if (options.hasStreamExists()) return "stream_exists";
  return "any";
}

function batchExpected(options: streamsPb.BatchAppendReq.Options): ExpectedRevision {
  if (options.hasStreamPosition()) return BigInt(options.getStreamPosition());
  if (options.hasNoStream()) return "no_stream";
  if (options.hasStreamExists()) return "stream_exists";
  return "any";
}

function handleAppend(
  ctx: StreamsServiceContext,
  call: grpc.ServerReadableStream<AppendReq, AppendResp>,
  callback: grpc.sendUnaryData<AppendResp>,
): void {
  ctx.faults.count("Streams/Append");
  const requests: AppendReq[] = [];
  call.on("data", (req: AppendReq) => requests.push(req));
  call.on("error", () => undefined);
  call.on("end", () => {
    const fault = failWithFault(ctx, "Streams/Append");
    if (fault) return callback(fault);
    const options = requests[0]?.getOptions();
    if (!options) return callback(serviceError(grpc.status.INVALID_ARGUMENT, "first AppendReq must carry options"));
    const streamName = streamNameOf(options.getStreamIdentifier());
    const parsed = parseProposed(requests.slice(1).map((r) => r.getProposedMessage()!));
    if (parsed.missing) {
      return callback(
        serviceError(grpc.status.INVALID_ARGUMENT, `Required Metadata Property '${parsed.missing}' is missing`, {
          exception: "missing-required-metadata-property",
          "required-metadata-properties": "type,content-type",
        }),
      );
    }
    const expected = appendExpected(options);
    ctx.faults.count("appends via Append");
    const timeout = ctx.faults.takeTimeout();
    if (timeout) {
      if (timeout.writeAnyway) ctx.log.append(streamName, expected, parsed.events);
      return callback(serviceError(grpc.status.ABORTED, "Operation timed out: commit timeout"));
    }
    const outcome = ctx.log.append(streamName, expected, parsed.events);
    const resp = new streamsPb.AppendResp();
    if (outcome.kind === "success") {
      const success = new streamsPb.AppendResp.Success();
      if (outcome.currentRevision < 0n) success.setNoStream(sharedEmpty());
      else success.setCurrentRevision(outcome.currentRevision.toString());
      const position = new streamsPb.AppendResp.Position();
      position.setCommitPosition(outcome.position.toString());
      position.setPreparePosition(outcome.position.toString());
      success.setPosition(position);
      resp.setSuccess(success);
    } else {
      const wrong = new streamsPb.AppendResp.WrongExpectedVersion();
      if (outcome.currentRevision < 0n) {
        wrong.setCurrentNoStream(sharedEmpty());
        wrong.setNoStream2060(sharedEmpty());
      } else {
        wrong.setCurrentRevision(outcome.currentRevision.toString());
        wrong.setCurrentRevision2060(Number(outcome.currentRevision));
      }
      if (expected === "any") {
        wrong.setExpectedAny(sharedEmpty());
        wrong.setAny2060(sharedEmpty());
      } else if (expected === "stream_exists") {
        wrong.setExpectedStreamExists(sharedEmpty());
        wrong.setStreamExists2060(sharedEmpty());
      } else if (expected === "no_stream") {
        wrong.setExpectedNoStream(sharedEmpty());
      } else {
        wrong.setExpectedRevision(expected.toString());
        wrong.setExpectedRevision2060(Number(expected));
      }
      resp.setWrongExpectedVersion(wrong);
    }
    callback(null, resp);
  });
}

interface PendingBatch {
  streamName: string;
  expected: ExpectedRevision;
  messages: streamsPb.BatchAppendReq.ProposedMessage[];
}

function handleBatchAppend(ctx: StreamsServiceContext, call: grpc.ServerDuplexStream<BatchAppendReq, BatchAppendResp>): void {
  ctx.faults.count("Streams/BatchAppend");
  const pending = new Map<string, PendingBatch>();
  let failed = false;

  const respond = (correlation: sharedPb.UUID | undefined, streamName: string, fill: (r: BatchAppendResp) => void) => {
    const resp = new streamsPb.BatchAppendResp();
    if (correlation) resp.setCorrelationId(correlation);
    resp.setStreamIdentifier(streamIdentifier(streamName));
    fill(resp);
    if (!call.cancelled && !call.destroyed) call.write(resp);
  };
  const errorStatus = (code: number, message: string, details: { serializeBinary(): Uint8Array }, typeName: string) => {
    const status = new statusPb.Status();
    status.setCode(code as Parameters<statusPb.Status["setCode"]>[0]);
    status.setMessage(message);
    status.setDetails(packAny(details, typeName));
    return status;
  };

  call.on("data", (req: BatchAppendReq) => {
    if (failed) return;
    const correlation = req.getCorrelationId();
    const key = uuidToString(correlation) ?? "";
    if (req.hasOptions()) {
      const fault = failWithFault(ctx, "Streams/BatchAppend");
      if (fault) {
        failed = true;
        call.emit("error", fault);
        return;
      }
      const options = req.getOptions()!;
      pending.set(key, {
        streamName: streamNameOf(options.getStreamIdentifier()),
        expected: batchExpected(options),
        messages: [],
      });
    }
    const batch = pending.get(key);
    if (!batch) return; // like the server: requests for an unknown correlation id are ignored
    batch.messages.push(...req.getProposedMessagesList());
    if (!req.getIsFinal()) return;
    pending.delete(key);
    ctx.faults.count("appends via BatchAppend");

    const parsed = parseProposed(batch.messages);
    if (parsed.missing) {
      const bad = new sharedPb.BadRequest();
      bad.setMessage(`The given key '${parsed.missing}' was not present in the dictionary.`);
      respond(correlation, batch.streamName, (r) =>
        r.setError(errorStatus(RpcCode.INVALID_ARGUMENT, "BadRequest", bad, "event_store.client.BadRequest")),
      );
      return;
    }
    const timeout = ctx.faults.takeTimeout();
    if (timeout) {
      if (timeout.writeAnyway) ctx.log.append(batch.streamName, batch.expected, parsed.events);
      respond(correlation, batch.streamName, (r) =>
        r.setError(errorStatus(RpcCode.DEADLINE_EXCEEDED, "Timeout", new sharedPb.Timeout(), "event_store.client.Timeout")),
      );
      return;
    }
    const outcome = ctx.log.append(batch.streamName, batch.expected, parsed.events);
    respond(correlation, batch.streamName, (r) => {
      if (outcome.kind === "success") {
        const success = new streamsPb.BatchAppendResp.Success();
        if (outcome.currentRevision < 0n) success.setNoStream(googleEmpty());
        else success.setCurrentRevision(outcome.currentRevision.toString());
        const position = new sharedPb.AllStreamPosition();
        position.setCommitPosition(outcome.position.toString());
        position.setPreparePosition(outcome.position.toString());
        success.setPosition(position);
        r.setSuccess(success);
        return;
      }
      const details = new sharedPb.WrongExpectedVersion();
      if (outcome.currentRevision < 0n) details.setCurrentNoStream(googleEmpty());
      else details.setCurrentStreamRevision(outcome.currentRevision.toString());
      const expected = outcome.expected;
      if (expected === "any") details.setExpectedAny(googleEmpty());
      else if (expected === "no_stream") details.setExpectedNoStream(googleEmpty());
      else if (expected === "stream_exists") details.setExpectedStreamExists(googleEmpty());
      else details.setExpectedStreamPosition(expected.toString());
      r.setError(
        errorStatus(RpcCode.ALREADY_EXISTS, "WrongExpectedVersion", details, "event_store.client.WrongExpectedVersion"),
      );
    });
  });
  call.on("end", () => {
    if (!failed && !call.cancelled && !call.destroyed) call.end();
  });
  call.on("error", () => undefined);
}
