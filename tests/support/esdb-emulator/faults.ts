/**
 * TEST-ONLY EventStoreDB emulator: fault injection and call counting.
 */
import type { grpc } from "./proto.js";

/** The RPCs the emulator serves, named `Service/Method` as in the gRPC path. */
export type EmulatedRpc =
  | "Streams/Read"
  | "Streams/Append"
  | "Streams/BatchAppend"
  | "ServerFeatures/GetSupportedMethods"
  | "Gossip/Read";

/** Faults apply to these by default: the data-path calls of the Streams service. */
export const STREAMS_RPCS: readonly EmulatedRpc[] = ["Streams/Read", "Streams/Append", "Streams/BatchAppend"];

export interface CallFault {
  code: grpc.status;
  details: string;
}

interface PendingFault extends CallFault {
  remaining: number;
  rpcs: ReadonlySet<EmulatedRpc>;
}

export interface PendingTimeouts {
  remaining: number;
  writeAnyway: boolean;
}

export class Faults {
  private pending: PendingFault[] = [];
  private timeouts: PendingTimeouts = { remaining: 0, writeAnyway: false };
  private readonly counts = new Map<string, number>();

  failNext(count: number, code: grpc.status, details: string, rpcs: readonly EmulatedRpc[]): void {
    if (count > 0) this.pending.push({ remaining: count, code, details, rpcs: new Set(rpcs) });
  }

  timeoutNextAppends(count: number, writeAnyway: boolean): void {
    this.timeouts = { remaining: count, writeAnyway };
  }

  clear(): void {
    this.pending = [];
    this.timeouts = { remaining: 0, writeAnyway: false };
  }

  /**
   * Takes the fault for this operation, if one is pending. For Read and Append an operation is a
   * call; for BatchAppend it is one append request on the (long-lived, shared) bidi call.
   */
  take(rpc: EmulatedRpc): CallFault | undefined {
    const fault = this.pending.find((f) => f.rpcs.has(rpc));
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.pending = this.pending.filter((f) => f !== fault);
    return { code: fault.code, details: fault.details };
  }

  /** Takes one pending write timeout: `{ writeAnyway }` or undefined. */
  takeTimeout(): { writeAnyway: boolean } | undefined {
    if (this.timeouts.remaining <= 0) return undefined;
    this.timeouts.remaining -= 1;
    return { writeAnyway: this.timeouts.writeAnyway };
  }

  count(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }
}
