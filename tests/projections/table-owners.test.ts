/**
 * One writer per table: every table is declared by one projection, its DDL creates exactly the
 * tables it declares, and the SQL it runs writes nothing else (the registrations projection
 * leaves the sessions table to the sessions projection).
 */
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { MemoryEventStore } from "../../src/adapters/event-store/memory-event-store.js";
import { ALL_PROJECTIONS } from "../../src/projections/all-projections.js";
import type { Projection } from "../../src/projections/projection.js";
import { installProjections } from "../../src/projections/projection-install.js";
import { applyEvents } from "../../src/projections/projector.js";
import { openReadModels } from "../../src/projections/read-model-db.js";
import { registrationsProjection } from "../../src/projections/registrations.projection.js";
import { sessionsProjection } from "../../src/projections/sessions.projection.js";
import { writeSessionHistory } from "../support/session-history.js";
import { writeRegistrationHistory } from "./registration-history.js";

const WRITE = /^\s*(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|REPLACE\s+INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)\s+"?(\w+)"?/i;

describe("table owners", () => {
  it("each table is declared by one projection, and each projection's DDL creates exactly the tables it declares", () => {
    const owners = new Map<string, string[]>();
    for (const projection of ALL_PROJECTIONS) {
      const db = new Database(":memory:");
      db.exec(projection.schema);
      const created = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
      expect(created, projection.name).toEqual([...projection.tables].sort());
      db.close();
      for (const table of projection.tables) owners.set(table, [...(owners.get(table) ?? []), projection.name]);
    }
    for (const [table, names] of owners) expect(names, table).toHaveLength(1);
    expect(owners.get("sessions")).toEqual(["sessions"]);
  });

  it("the SQL each projection runs writes only its own tables", async () => {
    const store = new MemoryEventStore();
    await writeSessionHistory(store, 4);
    await writeRegistrationHistory(store, 2);
    const written = new Map<string, Set<string>>();
    let current: string | undefined;
    const db = openReadModels(":memory:", (sql) => {
      const table = current && WRITE.exec(sql)?.[1];
      if (table) written.set(current!, (written.get(current!) ?? new Set()).add(table));
    });
    const observed = ALL_PROJECTIONS.map(
      (projection): Projection => ({
        ...projection,
        apply(db, event) {
          current = projection.name;
          try {
            projection.apply(db, event);
          } finally {
            current = undefined;
          }
        },
      }),
    );
    installProjections(db, observed);
    applyEvents(db, observed, await store.readAll());

    for (const projection of ALL_PROJECTIONS) {
      for (const table of written.get(projection.name) ?? []) expect(projection.tables, projection.name).toContain(table);
    }
    expect([...written.get(registrationsProjection.name)!]).toEqual(["registrations"]);
    expect([...written.get(sessionsProjection.name)!].sort()).toEqual(["session_attendees", "session_targets", "sessions"]);
    db.close();
  });

  it("installing two projections that declare the same table is refused", () => {
    const db = openReadModels(":memory:");
    const intruder: Projection = { ...registrationsProjection, name: "intruder", tables: ["sessions"] };
    expect(() => installProjections(db, [sessionsProjection, intruder])).toThrow(
      "Table sessions is declared by both the sessions and the intruder projections",
    );
    db.close();
  });
});
