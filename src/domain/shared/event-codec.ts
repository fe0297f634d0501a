import type { z } from "zod";
import { SCHEMA_VERSION } from "./event-metadata.js";

/** An event as a decider decides and evolves it. */
export type DomainEvent = { type: string; data: object };

/** An event as the store gives it back: its type, its data as JSON, and the metadata it was written with. */
export interface StoredEvent {
  type: string;
  data: unknown;
  metadata?: { schemaVersion?: unknown } | Record<string, unknown>;
}

/** Turns the data of an event written under one schema version into the next version's shape. */
export type Upcaster = (data: Record<string, unknown>) => Record<string, unknown>;

/** A stored event that no codec of its stream can read: a bug or a foreign writer, never ignored. */
export class EventDecodingError extends Error {
  constructor(
    readonly eventType: string,
    message: string,
  ) {
    super(`Cannot read a stored ${eventType} event: ${message}`);
    this.name = "EventDecodingError";
  }
}

type DataOf<E extends DomainEvent, T extends E["type"]> = Extract<E, { type: T }>["data"];

/** The schema of each event type's data, and the upcasters of its older versions (keyed on the version they read). */
export type EventSchemas<E extends DomainEvent> = { [T in E["type"]]: z.ZodType<DataOf<E, T>> };
export type EventUpcasters<E extends DomainEvent> = { [T in E["type"]]?: Partial<Record<number, Upcaster>> };

/** Reads a context's stored events into its typed events: upcast from the version they were written with, then parsed. */
export interface EventCodec<E extends DomainEvent> {
  readonly types: readonly E["type"][];
  handles(type: string): type is E["type"];
  decode(stored: StoredEvent): E;
}

export function eventCodec<E extends DomainEvent>(schemas: EventSchemas<E>, upcasters: EventUpcasters<E> = {}): EventCodec<E> {
  const types = Object.keys(schemas) as E["type"][];
  const known = new Set<string>(types);
  return {
    types,
    handles: (type): type is E["type"] => known.has(type),
    decode(stored) {
      if (!known.has(stored.type)) throw new EventDecodingError(stored.type, "unknown event type");
      const type = stored.type as E["type"];
      if (stored.data === null || typeof stored.data !== "object") throw new EventDecodingError(type, "its data is not an object");
      const version = Number((stored.metadata as { schemaVersion?: unknown } | undefined)?.schemaVersion ?? 1);
      let data = stored.data as Record<string, unknown>;
      for (let from = version; from < SCHEMA_VERSION; from++) data = upcasters[type]?.[from]?.(data) ?? data;
      const parsed = (schemas[type] as z.ZodType).safeParse(data);
      if (!parsed.success) throw new EventDecodingError(type, parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
      return { type, data: parsed.data } as E;
    },
  };
}
