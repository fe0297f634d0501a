import type Database from "better-sqlite3";
import type { Logger } from "pino";
import type { Clock } from "../../domain/shared/clock.js";
import { DomainError } from "../../domain/shared/errors.js";
import type { EventStore, RecordedEvent } from "../../domain/shared/event-store.js";
import type { TimePassed, Workflow } from "../../domain/workflows/workflow.js";
import { prepared } from "../../projections/read-model-db.js";

/** A workflow and how its outputs are sent (through a CommandHandler). The runner holds bindings of different types. */
export interface WorkflowBinding<Input = any, State = any, Output = any> {
  workflow: Workflow<Input, State, Output>;
  send: (output: Output) => Promise<unknown>;
}

export function bindWorkflow<Input, State, Output>(
  workflow: Workflow<Input, State, Output>,
  send: (output: Output) => Promise<unknown>,
): WorkflowBinding<Input, State, Output> {
  return { workflow, send };
}

export interface WorkflowRunnerOptions {
  store: EventStore;
  /** The read-model database: keeps the runner's checkpoints and the states of unfinished instances. */
  db: Database.Database;
  workflows: readonly WorkflowBinding[];
  clock: Clock;
  logger: Logger;
  /** How often (real time) the log's new events are read and due deadlines are sent. */
  intervalMs: number;
  /** Events read, and due instances taken, at a time. */
  pageSize?: number;
}

/**
 * Not projections: the runner's own bookkeeping, created here. A lost file (another store, a
 * full rebuild) only means reading the log again from the beginning, which sends nothing twice.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS workflow_checkpoint (name TEXT PRIMARY KEY, position INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS workflow_instances (
  workflow TEXT NOT NULL,
  instance_id TEXT NOT NULL,
  state TEXT NOT NULL,
  due_at INTEGER,
  PRIMARY KEY (workflow, instance_id)
);
CREATE INDEX IF NOT EXISTS workflow_instances_due ON workflow_instances (due_at) WHERE due_at IS NOT NULL;
`;

type Positions = Map<string, bigint | undefined>;
/** The instances a page reached: their state as loaded (JSON, null when new) and as folded. */
type Reached = Map<string, { binding: WorkflowBinding; instanceId: string; loaded: string | null; state: unknown }>;

/**
 * Runs the workflows from the event log. Each tick reads the events after the checkpoint up to
 * the head, folds them into the instances' states (kept with the checkpoint, in one
 * transaction per page), then gives TimePassed to the instances whose deadline has come on
 * the injectable clock and sends their commands. Reading to the head first means a deadline
 * is judged on everything written before it was sent.
 *
 * Sending is idempotent: command ids come from the events that caused them, and the target
 * decider decides on the stream's current state. So a replay after a crash, a restart from
 * an older checkpoint, or every replica running the same workflows over one store appends
 * each outcome once (a replica that comes second finds it done, or its identical append is
 * recognised as a retry). Each replica keeps its own checkpoint next to its read models.
 */
export class WorkflowRunner {
  readonly #options: WorkflowRunnerOptions;
  readonly #byName: Map<string, WorkflowBinding>;
  readonly #eventTypes: string[];
  readonly #pageSize: number;
  #queue: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;
  #busy = false;
  #stopped = false;

  constructor(options: WorkflowRunnerOptions) {
    this.#options = options;
    this.#byName = new Map(options.workflows.map((binding) => [binding.workflow.name, binding]));
    this.#eventTypes = [...new Set(options.workflows.flatMap((binding) => binding.workflow.eventTypes))];
    this.#pageSize = options.pageSize ?? 500;
    options.db.exec(SCHEMA);
  }

  start(): void {
    if (this.#timer || this.#stopped) return;
    const run = () => {
      if (!this.#busy) this.tick().catch((error: unknown) => this.#options.logger.warn({ err: error }, "workflow tick failed; will try again"));
    };
    this.#timer = setInterval(run, this.#options.intervalMs);
    this.#timer.unref();
    run();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#queue.catch(() => undefined);
  }

  /** Started and not stopped (a failed tick is tried again on the next one). */
  get running(): boolean {
    return this.#timer !== undefined && !this.#stopped;
  }

  /** Reads the log to its head, then sends what is due now. Runs on the timer; tests may call it directly. */
  tick(): Promise<void> {
    const run = this.#queue.catch(() => undefined).then(() => this.#runOnce());
    this.#queue = run;
    return run;
  }

  /** Where each workflow stands in the log (undefined: it has read nothing yet). */
  checkpoints(): Positions {
    const rows = prepared(this.#options.db, "SELECT name, position FROM workflow_checkpoint")
      .safeIntegers(true)
      .all() as { name: string; position: bigint }[];
    const stored = new Map(rows.map((row) => [row.name, row.position]));
    return new Map([...this.#byName.keys()].map((name) => [name, stored.get(name)]));
  }

  async #runOnce(): Promise<void> {
    if (this.#stopped) return;
    this.#busy = true;
    try {
      await this.#catchUp();
      if (!this.#stopped) await this.#sendDue(this.#options.clock.now());
    } finally {
      this.#busy = false;
    }
  }

  async #catchUp(): Promise<void> {
    for (;;) {
      const positions = this.checkpoints();
      const known = [...positions.values()];
      // A workflow that has read nothing yet (new, or its file was lost) starts at the beginning.
      const after = known.includes(undefined) ? undefined : known.reduce((a, b) => (b! < a! ? b : a), known[0]);
      const events = await this.#options.store.readAll({ after, maxCount: this.#pageSize, filter: { eventTypes: this.#eventTypes } });
      if (events.length === 0 || this.#stopped) return;
      await this.#apply(events, positions);
      if (events.length < this.#pageSize) return;
    }
  }

  /** Folds a page into the states; what it asks to send is sent before the checkpoint moves past it. */
  async #apply(events: RecordedEvent[], positions: Positions): Promise<void> {
    const reached: Reached = new Map();
    for (const event of events) {
      for (const binding of this.#options.workflows) {
        const { workflow } = binding;
        const position = positions.get(workflow.name);
        if (position !== undefined && event.position <= position) continue;
        const routed = workflow.route(event);
        if (!routed) continue;
        const key = `${workflow.name}\n${routed.instanceId}`;
        let instance = reached.get(key);
        if (!instance) {
          const loaded = this.#storedState(workflow.name, routed.instanceId) ?? null;
          const state: unknown = loaded === null ? workflow.initialState() : JSON.parse(loaded);
          reached.set(key, (instance = { binding, instanceId: routed.instanceId, loaded, state }));
        }
        await this.#send(binding, routed.instanceId, workflow.decide(routed.input, instance.state));
        instance.state = workflow.evolve(instance.state, routed.input);
      }
    }
    const last = events[events.length - 1]!.position;
    this.#options.db.transaction(() => {
      // Another runner on this file got there first: it folded the same events into the same states.
      if (!samePositions(this.checkpoints(), positions)) return;
      for (const { binding, instanceId, loaded, state } of reached.values()) {
        const unchanged = JSON.stringify(state) === (loaded ?? JSON.stringify(binding.workflow.initialState()));
        if (!unchanged) this.#save(binding, instanceId, state);
      }
      for (const [name, position] of positions) {
        if (position === undefined || position < last) {
          prepared(
            this.#options.db,
            "INSERT INTO workflow_checkpoint (name, position) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET position = excluded.position",
          ).run(name, last);
        }
      }
    })();
  }

  async #sendDue(now: Date): Promise<void> {
    const due = prepared(
      this.#options.db,
      `SELECT workflow, instance_id, state FROM workflow_instances
       WHERE due_at <= ? AND workflow IN (SELECT value FROM json_each(?)) ORDER BY due_at LIMIT ?`,
    ).all(now.getTime(), JSON.stringify([...this.#byName.keys()]), this.#pageSize) as {
      workflow: string;
      instance_id: string;
      state: string;
    }[];
    const timePassed: TimePassed = { type: "TimePassed", now };
    for (const row of due) {
      const binding = this.#byName.get(row.workflow)!;
      if (this.#stopped) return;
      const state: unknown = JSON.parse(row.state);
      await this.#send(binding, row.instance_id, binding.workflow.decide(timePassed, state));
      const next = binding.workflow.evolve(state, timePassed);
      this.#options.db.transaction(() => {
        if (this.#storedState(row.workflow, row.instance_id) === row.state) this.#save(binding, row.instance_id, next);
      })();
    }
  }

  async #send(binding: WorkflowBinding, instanceId: string, outputs: unknown[]): Promise<void> {
    for (const output of outputs) {
      try {
        await binding.send(output);
        this.#options.logger.info({ workflow: binding.workflow.name, instanceId, command: commandType(output) }, "workflow sent a command");
      } catch (error) {
        // A conflict or a store failure is tried again on the next tick (nothing was saved);
        // a rule of the target refusing the command will refuse it again, so it is not.
        if (!(error instanceof DomainError) || error.code === "CONCURRENCY_CONFLICT") throw error;
        this.#options.logger.warn(
          { err: error, workflow: binding.workflow.name, instanceId, command: commandType(output) },
          "a workflow's command was refused",
        );
      }
    }
  }

  #storedState(workflow: string, instanceId: string): string | undefined {
    const row = prepared(this.#options.db, "SELECT state FROM workflow_instances WHERE workflow = ? AND instance_id = ?").get(
      workflow,
      instanceId,
    ) as { state: string } | undefined;
    return row?.state;
  }

  /** An instance back in its initial state is finished: its row goes. */
  #save(binding: WorkflowBinding, instanceId: string, state: unknown): void {
    const { workflow } = binding;
    const json = JSON.stringify(state);
    if (json === JSON.stringify(workflow.initialState())) {
      prepared(this.#options.db, "DELETE FROM workflow_instances WHERE workflow = ? AND instance_id = ?").run(workflow.name, instanceId);
      return;
    }
    prepared(
      this.#options.db,
      `INSERT INTO workflow_instances (workflow, instance_id, state, due_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (workflow, instance_id) DO UPDATE SET state = excluded.state, due_at = excluded.due_at`,
    ).run(workflow.name, instanceId, json, workflow.deadline(state)?.getTime() ?? null);
  }
}

function samePositions(a: Positions, b: Positions): boolean {
  return [...b].every(([name, position]) => a.get(name) === position);
}

function commandType(output: unknown): unknown {
  return (output as { type?: unknown } | null)?.type;
}
