/**
 * TEST-ONLY EventStoreDB emulator: `event_store.client.gossip.Gossip`.
 *
 * Reports one member: this node, alive, in the Leader state, with its gRPC host/port as the
 * "http" endpoint (the client connects to `httpEndPoint` after discovery, see
 * dist/Client/discovery.js). That is all `esdb+discover://` needs; there is no cluster.
 */
import type { Faults } from "./faults.js";
import { grpc, gossipPb, uuidMessage, serviceError, type sharedPb } from "./proto.js";

export function gossipServiceImplementation(options: {
  faults: Faults;
  instanceId: string;
  host: string;
  port: () => number;
}): grpc.UntypedServiceImplementation {
  return {
    read: (
      _call: grpc.ServerUnaryCall<sharedPb.Empty, gossipPb.ClusterInfo>,
      callback: grpc.sendUnaryData<gossipPb.ClusterInfo>,
    ) => {
      options.faults.count("Gossip/Read");
      const fault = options.faults.take("Gossip/Read");
      if (fault) return callback(serviceError(fault.code, fault.details));
      const endpoint = new gossipPb.EndPoint();
      endpoint.setAddress(options.host);
      endpoint.setPort(options.port());
      const member = new gossipPb.MemberInfo();
      member.setInstanceId(uuidMessage(options.instanceId, true));
      // .NET ticks since the Unix epoch, as the server reports them.
      member.setTimeStamp((BigInt(Date.now()) * 10_000n).toString());
      member.setState(gossipPb.MemberInfo.VNodeState.LEADER);
      member.setIsAlive(true);
      member.setHttpEndPoint(endpoint);
      const info = new gossipPb.ClusterInfo();
      info.addMembers(member);
      callback(null, info);
    },
  };
}
