import { createHash } from "node:crypto";
import type { CommandContext } from "./decider.js";

/**
 * The shape version events are written with (metadata `schemaVersion`). Reading an older one
 * goes through its context's upcasters (see event-codec.ts). 2: public audiences always carry
 * `waitlistEnabled`; registered users always carry `country` and `isMember`. 3: a session's
 * confirmation carries the `comment` of whoever confirmed it. 4: a session's details carry its
 * `memberPrice`.
 */
export const SCHEMA_VERSION = 4;

/** Metadata every event carries (README.md, "Architecture": event metadata). */
export interface EventMetadata {
  tenantId: string;
  actorId: string;
  correlationId: string;
  causationId: string;
  occurredAt: string;
  schemaVersion: number;
  /** sha256 of the previous event of the same stream (tamper evidence, N3); null for the first. */
  previousEventHash: string | null;
  [key: string]: unknown;
}

/** The metadata of an event a command writes: who, when, why, under which shape, after which event. */
export function metadataOf(context: CommandContext, previousEventHash: string | null): EventMetadata {
  return {
    tenantId: context.organizationId,
    actorId: context.actorId,
    correlationId: context.correlationId,
    causationId: context.causationId ?? context.commandId,
    commandId: context.commandId,
    occurredAt: context.now.toISOString(),
    schemaVersion: SCHEMA_VERSION,
    previousEventHash,
  };
}

/** Canonical JSON: object keys sorted, so the hash does not depend on key order. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

/** Hash of a recorded event: what the next event of the stream stores as previousEventHash. */
export function hashEvent(event: {
  id: string;
  streamName: string;
  revision: bigint;
  type: string;
  data: unknown;
  metadata: unknown;
}): string {
  return createHash("sha256")
    .update(
      canonicalJson({
        id: event.id,
        streamName: event.streamName,
        revision: event.revision.toString(),
        type: event.type,
        data: event.data,
        metadata: event.metadata,
      }),
    )
    .digest("hex");
}

/** A UUID derived from a name (sha256 based, version 8 layout), so retries get the same id. */
export function deterministicUuid(name: string): string {
  const hex = createHash("sha256").update(name).digest("hex").slice(0, 32).split("");
  hex[12] = "8";
  hex[16] = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  const h = hex.join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
