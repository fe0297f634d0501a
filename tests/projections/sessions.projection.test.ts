import type Database from "better-sqlite3";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MemoryEventStore } from "../../src/adapters/event-store/memory-event-store.js";
import { ALL_PROJECTIONS } from "../../src/projections/all-projections.js";
import { applyEvents, Projector, readCheckpoint } from "../../src/projections/projector.js";
import type { Projection } from "../../src/projections/projection.js";
import { installProjections } from "../../src/projections/projection-install.js";
import { openReadModels } from "../../src/projections/read-model-db.js";
import { rebuildReadModels } from "../../src/projections/rebuild.js";
import { SessionQueries } from "../../src/projections/sessions.queries.js";
import { sessionsProjection } from "../../src/projections/sessions.projection.js";
import { rosterCounts } from "../../src/domain/sessions/registrations.js";
import { sessionDecider } from "../../src/domain/sessions/decider.js";
import type { SessionEvent } from "../../src/domain/sessions/events.js";
import { writeSessionHistory } from "../support/session-history.js";
import { writeRegistrationHistory } from "./registration-history.js";

const dirs: string[] = [];
const tempDb = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "read-models-"));
  dirs.push(dir);
  return openReadModels(path.join(dir, "read-models.sqlite"));
};
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const dump = (db: Database.Database) => ({
  sessions: db.prepare("SELECT * FROM sessions ORDER BY id").safeIntegers(true).all(),
  checkpoint: readCheckpoint(db, ALL_PROJECTIONS),
});

describe("sessions projection", () => {
  it("gives the same rows when the same events are replayed twice", async () => {
    const store = new MemoryEventStore();
    await writeSessionHistory(store, 24);
    const db = tempDb();
    await rebuildReadModels(store, db, ALL_PROJECTIONS, { batchSize: 7 });
    const first = dump(db);
    expect(first.sessions).toHaveLength(24);
    await rebuildReadModels(store, db, ALL_PROJECTIONS, { batchSize: 1000 });
    expect(dump(db)).toEqual(first);
    // And a live projector from scratch into another file agrees with the rebuild.
    const live = tempDb();
    const projector = new Projector(store, live, ALL_PROJECTIONS);
    projector.start();
    expect(await projector.waitFor((await store.headPosition())!, 5000)).toBe(true);
    await projector.stop();
    expect(dump(live)).toEqual(first);
  });

  it("rows hold the domain's own state and the stream revision", async () => {
    const store = new MemoryEventStore();
    const [id] = await writeSessionHistory(store, 1);
    const db = tempDb();
    await rebuildReadModels(store, db, ALL_PROJECTIONS);
    const events = await store.readStream(`session-${id}`);
    const expected = events.reduce(
      (state, e) => sessionDecider.evolve(state, { type: e.type, data: e.data } as SessionEvent),
      sessionDecider.initialState(),
    );
    const record = new SessionQueries(db).byId("org-1", id!)!;
    expect(expected.kind).toBe("Existing");
    expect(record.session).toEqual(expected.kind === "Existing" ? expected.session : null);
    expect(record.revision).toBe(events.at(-1)!.revision);
    expect(new SessionQueries(db).byId("another-org", id!)).toBeNull();
  });

  it("ignores an event it has already applied (revision check)", async () => {
    const store = new MemoryEventStore();
    await writeSessionHistory(store, 3);
    const db = tempDb();
    await rebuildReadModels(store, db, ALL_PROJECTIONS);
    const before = dump(db).sessions;
    const all = await store.readAll();
    // Rewound positions make the projector offer the events again: the rows' revisions refuse them.
    db.prepare("UPDATE projections SET position = NULL").run();
    applyEvents(db, ALL_PROJECTIONS, all.slice(0, 5));
    expect(dump(db).sessions).toEqual(before);
  });

  it("keeps rows and checkpoint together: a failing batch leaves both as they were", async () => {
    const store = new MemoryEventStore();
    await writeSessionHistory(store, 4);
    const all = await store.readAll();
    const db = tempDb();
    const failing: Projection = {
      name: "failing",
      version: 1,
      tables: [],
      schema: "",
      handles: new Set(["SessionPlanned"]),
      apply() {
        throw new Error("disk full");
      },
    };
    installProjections(db, [...ALL_PROJECTIONS, failing]);
    applyEvents(db, ALL_PROJECTIONS, all.slice(0, 3));
    const before = dump(db);
    expect(() => applyEvents(db, [...ALL_PROJECTIONS, failing], all.slice(3))).toThrow("disk full");
    expect(dump(db)).toEqual(before);
  });

  it("counts registrations from the session's own stream, as the domain's roster does, without the registrations table", async () => {
    const store = new MemoryEventStore();
    const ids = await writeRegistrationHistory(store, 2);
    const db = tempDb();
    await rebuildReadModels(store, db, [sessionsProjection]);
    expect(db.prepare("SELECT name FROM projections").pluck().all()).toEqual(["sessions"]);
    for (const id of ids) {
      const events = await store.readStream(`session-${id}`);
      const state = events.reduce(
        (state, e) => sessionDecider.evolve(state, { type: e.type, data: e.data } as SessionEvent),
        sessionDecider.initialState(),
      );
      const record = new SessionQueries(db).byId("org-1", id)!;
      expect(record.counts).toEqual(state.kind === "Existing" ? rosterCounts(state.roster) : null);
      expect(record.counts).toEqual({ registered: 2, waitlisted: 0, attended: 1 });
      expect(record.revision).toBe(events.at(-1)!.revision);
    }
  });
});
