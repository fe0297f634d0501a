/**
 * TEST-ONLY EventStoreDB emulator: `event_store.client.server_features.ServerFeatures`.
 *
 * Built like the real server's ServerFeatures.GetSupportedMethods: every method of every
 * `event_store.client.*` gRPC service, service and method names lower-cased, with the same
 * feature strings (Streams Read -> "position","events"; BatchAppend -> "deadline_duration";
 * persistent subscriptions -> "stream","all"; Projections Create -> "track_emitted_streams").
 * The method list is taken from the client's own generated service definitions.
 * The client uses BatchAppend for appends when `event_store.client.streams.streams/batchappend`
 * is listed (dist/streams/appendToStream/index.js); `batchAppend: false` leaves it out so the
 * client falls back to the Append RPC.
 * Only Streams Read/Append/BatchAppend, ServerFeatures and Gossip Read are implemented; the
 * other advertised methods answer UNIMPLEMENTED (they are listed because a real server lists them).
 */
import { createRequire } from "node:module";
import type { Faults } from "./faults.js";
import { grpc, featuresPb, serviceError, type sharedPb } from "./proto.js";

const require = createRequire(import.meta.url);

const GENERATED_SERVICE_MODULES = [
  "@eventstore/db-client/generated/streams_grpc_pb.js",
  "@eventstore/db-client/generated/persistent_grpc_pb.js",
  "@eventstore/db-client/generated/operations_grpc_pb.js",
  "@eventstore/db-client/generated/projections_grpc_pb.js",
  "@eventstore/db-client/generated/users_grpc_pb.js",
  "@eventstore/db-client/generated/gossip_grpc_pb.js",
  "@eventstore/db-client/generated/monitoring_grpc_pb.js",
  "@eventstore/db-client/generated/serverfeatures_grpc_pb.js",
];

function featuresFor(service: string, method: string): string[] {
  if (service.includes("PersistentSubscriptions")) return ["stream", "all"];
  if (service.includes("Streams") && method.includes("Read")) return ["position", "events"];
  if (service.includes("Streams") && method.includes("BatchAppend")) return ["deadline_duration"];
  if (service.includes("Projections") && method.includes("Create")) return ["track_emitted_streams"];
  return [];
}

export function supportedMethods(serverVersion: string, batchAppend: boolean): featuresPb.SupportedMethods {
  const result = new featuresPb.SupportedMethods();
  result.setEventStoreServerVersion(serverVersion);
  const seen = new Set<string>();
  for (const moduleName of GENERATED_SERVICE_MODULES) {
    const exports = require(moduleName) as Record<string, unknown>;
    for (const [name, definition] of Object.entries(exports)) {
      if (!name.endsWith("Service") || typeof definition !== "object" || definition === null) continue;
      for (const method of Object.values(definition as Record<string, { path?: string }>)) {
        const [, service = "", methodName = ""] = (method.path ?? "").split("/");
        if (!service.includes("client") || seen.has(method.path!)) continue;
        if (!batchAppend && service === "event_store.client.streams.Streams" && methodName === "BatchAppend") continue;
        seen.add(method.path!);
        const supported = new featuresPb.SupportedMethod();
        supported.setServiceName(service.toLowerCase());
        supported.setMethodName(methodName.toLowerCase());
        supported.setFeaturesList(featuresFor(service, methodName));
        result.addMethods(supported);
      }
    }
  }
  return result;
}

export function featuresServiceImplementation(options: {
  faults: Faults;
  serverVersion: string;
  batchAppend: boolean;
}): grpc.UntypedServiceImplementation {
  const methods = supportedMethods(options.serverVersion, options.batchAppend);
  return {
    getSupportedMethods: (
      _call: grpc.ServerUnaryCall<sharedPb.Empty, featuresPb.SupportedMethods>,
      callback: grpc.sendUnaryData<featuresPb.SupportedMethods>,
    ) => {
      options.faults.count("ServerFeatures/GetSupportedMethods");
      const fault = options.faults.take("ServerFeatures/GetSupportedMethods");
      if (fault) return callback(serviceError(fault.code, fault.details));
      callback(null, methods);
    },
  };
}
