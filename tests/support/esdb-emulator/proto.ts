/**
 * TEST-ONLY EventStoreDB emulator: access to the client's own generated protobuf code.
 *
 * The message classes and service definitions come from `@eventstore/db-client/generated`
 * (CommonJS, google-protobuf + @grpc/grpc-js). They are imported as default imports so the
 * emulator and the client share the very same module instances (the generated serializers
 * check `instanceof` against them).
 */
import grpc from "@grpc/grpc-js";
import streamsPb from "@eventstore/db-client/generated/streams_pb.js";
import streamsGrpc from "@eventstore/db-client/generated/streams_grpc_pb.js";
import sharedPb from "@eventstore/db-client/generated/shared_pb.js";
import statusPb from "@eventstore/db-client/generated/status_pb.js";
import gossipPb from "@eventstore/db-client/generated/gossip_pb.js";
import gossipGrpc from "@eventstore/db-client/generated/gossip_grpc_pb.js";
import featuresPb from "@eventstore/db-client/generated/serverfeatures_pb.js";
import featuresGrpc from "@eventstore/db-client/generated/serverfeatures_grpc_pb.js";
import anyPb from "google-protobuf/google/protobuf/any_pb.js";
import emptyPb from "google-protobuf/google/protobuf/empty_pb.js";

export { grpc, streamsPb, streamsGrpc, sharedPb, statusPb, gossipPb, gossipGrpc, featuresPb, featuresGrpc };

export type ReadReq = streamsPb.ReadReq;
export type ReadResp = streamsPb.ReadResp;
export type AppendReq = streamsPb.AppendReq;
export type AppendResp = streamsPb.AppendResp;
export type BatchAppendReq = streamsPb.BatchAppendReq;
export type BatchAppendResp = streamsPb.BatchAppendResp;

/** google.rpc.Code values used in BatchAppendResp.error (same numbers as gRPC status codes). */
export const RpcCode = {
  DEADLINE_EXCEEDED: 4,
  ALREADY_EXISTS: 6,
  INVALID_ARGUMENT: 3,
} as const;

export function sharedEmpty(): sharedPb.Empty {
  return new sharedPb.Empty();
}

export function googleEmpty(): emptyPb.Empty {
  return new emptyPb.Empty();
}

/** Packs a message into google.protobuf.Any the way the .NET server does (type.googleapis.com/...). */
export function packAny(message: { serializeBinary(): Uint8Array }, typeName: string): anyPb.Any {
  const any = new anyPb.Any();
  any.pack(message.serializeBinary(), typeName);
  return any;
}

export function streamIdentifier(streamName: string): sharedPb.StreamIdentifier {
  const id = new sharedPb.StreamIdentifier();
  id.setStreamName(Uint8Array.from(Buffer.from(streamName, "utf8")));
  return id;
}

export function streamNameOf(identifier: sharedPb.StreamIdentifier | undefined): string {
  if (!identifier) return "";
  return Buffer.from(identifier.getStreamName_asU8()).toString("utf8");
}

/** Reads a shared.UUID in either of its wire forms (string, or structured as the .NET server writes it). */
export function uuidToString(uuid: sharedPb.UUID | undefined): string | undefined {
  if (!uuid) return undefined;
  if (uuid.hasStructured()) {
    const structured = uuid.getStructured()!;
    const view = new DataView(new ArrayBuffer(16));
    view.setBigInt64(0, BigInt(structured.getMostSignificantBits()));
    view.setBigInt64(8, BigInt(structured.getLeastSignificantBits()));
    const hex = Buffer.from(view.buffer).toString("hex");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
  return uuid.getString().toLowerCase();
}

/** Writes a shared.UUID in the form the client asked for (ReadReq.Options.UUIDOption). */
export function uuidMessage(id: string, structured: boolean): sharedPb.UUID {
  const uuid = new sharedPb.UUID();
  if (!structured) {
    uuid.setString(id);
    return uuid;
  }
  const bytes = Buffer.from(id.replace(/-/g, ""), "hex");
  const view = new DataView(bytes.buffer, bytes.byteOffset, 16);
  const s = new sharedPb.UUID.Structured();
  s.setMostSignificantBits(view.getBigInt64(0).toString());
  s.setLeastSignificantBits(view.getBigInt64(8).toString());
  uuid.setStructured(s);
  return uuid;
}

/** A gRPC error as grpc-js expects it from a handler (status + optional trailing metadata). */
export function serviceError(
  code: grpc.status,
  details: string,
  trailers?: Record<string, string>,
): Partial<grpc.StatusObject> & { code: grpc.status; details: string } {
  const metadata = new grpc.Metadata();
  for (const [key, value] of Object.entries(trailers ?? {})) metadata.set(key, value);
  return { code, details, metadata };
}
