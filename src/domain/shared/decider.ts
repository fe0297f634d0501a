import type { DomainEvent, EventCodec } from "./event-codec.js";

/** Pure decision logic of one aggregate (Emmett / equinox style). */
export interface Decider<Command, Event extends DomainEvent, State> {
  /** Reads the aggregate's stored events (older shapes upcast, every shape parsed). */
  codec: EventCodec<Event>;
  initialState: () => State;
  evolve: (state: State, event: Event) => State;
  /** Returns the events the command produces; [] when it is already applied. Throws DomainError. */
  decide: (command: Command, state: State) => Event[];
}

/** Who acts, when, and why: every command carries it (deciders never read clocks or globals). */
export interface CommandContext {
  /** Unique per command; event ids are derived from it so a retried command is recorded once. */
  commandId: string;
  organizationId: string;
  actorId: string;
  /** UTC instant of the request. */
  now: Date;
  correlationId: string;
  causationId?: string;
  /** With an idempotency key: a hash of the input it came with (the key is bound to that input). */
  inputHash?: string;
}
