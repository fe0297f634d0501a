/**
 * N3: `npm run export-events` writes one organization's events as NDJSON,
 * oldest first, with secrets redacted, and nothing of other organizations.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { SqliteEventStore } from "../../src/adapters/event-store/sqlite-event-store.js";
import { writeSessionHistory } from "../support/session-history.js";

describe("npm run export-events", () => {
  it("exports the organization's events as NDJSON in log order, secrets redacted, other organizations left out", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "export-"));
    const store = SqliteEventStore.open(path.join(dataDir, "events.sqlite"));
    await writeSessionHistory(store, 6, "org-1");
    await writeSessionHistory(store, 4, "org-2");
    await store.appendToStream(
      "user-u1",
      [
        {
          id: "00000000-0000-4000-8000-000000000001",
          type: "UserRegistered",
          data: { userId: "u1", email: "ada@example.test", passwordHash: "scrypt$secret-hash" },
          metadata: { tenantId: "org-1", actorId: "u1", occurredAt: "2026-11-21T10:00:00.000Z" },
        },
      ],
      { expectedRevision: "no_stream" },
    );
    const all = await store.readAll();
    await store.close();
    const expected = all.filter((event) => event.metadata.tenantId === "org-1");

    const out = path.join(dataDir, "org-1.ndjson");
    const result = spawnSync(
      process.execPath,
      ["--import", "tsx", "src/adapters/event-store/export-events-cli.ts", "--organization", "org-1", "--out", out],
      { env: { ...process.env, DATA_DIR: dataDir }, encoding: "utf8" },
    );
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toContain(`Exported ${expected.length} events of organization org-1`);

    const text = fs.readFileSync(out, "utf8");
    const lines = text.trimEnd().split("\n").map((line) => JSON.parse(line));
    expect(lines.map((line) => line.position)).toEqual(expected.map((event) => event.position.toString()));
    expect(lines.map((line) => [line.streamName, line.revision, line.type, line.id])).toEqual(
      expected.map((event) => [event.streamName, event.revision.toString(), event.type, event.id]),
    );
    expect(lines.every((line) => line.metadata.tenantId === "org-1")).toBe(true);
    expect(text).not.toContain("scrypt$secret-hash");
    expect(lines.at(-1).data).toEqual({ userId: "u1", email: "ada@example.test", passwordHash: "[redacted]" });
  });

  it("refuses to run without --organization", () => {
    const result = spawnSync(process.execPath, ["--import", "tsx", "src/adapters/event-store/export-events-cli.ts"], {
      env: { ...process.env, DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), "export-")) },
      encoding: "utf8",
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("Usage: npm run export-events -- --organization <id>");
  });
});
