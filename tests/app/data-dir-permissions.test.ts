/**
 * The data directory holds password hashes and webhook signing secrets: the server creates it
 * 0700 and its files (event store with -wal/-shm, read models, JWT secret) 0600, whatever the
 * umask, and tightens an existing directory or file it owns that others could read.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ensureOwnerOnlyDirectory } from "../../src/adapters/files/owner-only.js";
import { createOrganization, startTestServer } from "../support/test-server.js";

const posix = process.platform !== "win32";
if (!posix) console.log("skipped: this platform has no POSIX file modes");

const modeOf = (file: string) => fs.statSync(file).mode & 0o777;
const FILES = ["events.sqlite", "events.sqlite-wal", "events.sqlite-shm", "read-models.sqlite", "read-models.sqlite-wal", "read-models.sqlite-shm", "jwt-secret"];

describe.skipIf(!posix)("owner-only data directory", () => {
  let previousUmask: number;
  let root: string;
  // The most permissive umask: every mode below is the server's doing, not the umask's.
  beforeEach(() => {
    previousUmask = process.umask(0);
    root = fs.mkdtempSync(path.join(os.tmpdir(), "data-dir-modes-"));
  });
  afterEach(() => {
    process.umask(previousUmask);
    fs.rmSync(root, { recursive: true, force: true });
  });

  it("a fresh data directory is 0700 and the files the server creates in it 0600", async () => {
    const dataDir = path.join(root, "nested", "data");
    const test = await startTestServer({ DATA_DIR: dataDir });
    try {
      await createOrganization(test);
      expect(modeOf(dataDir).toString(8)).toBe("700");
      for (const file of FILES) expect(modeOf(path.join(dataDir, file)).toString(8), file).toBe("600");
      const others = fs.readdirSync(dataDir).filter((name) => (modeOf(path.join(dataDir, name)) & 0o077) !== 0);
      expect(others).toEqual([]);
    } finally {
      await test.stop();
    }
  });

  it("an existing directory and files others could read are tightened, not refused", async () => {
    const dataDir = path.join(root, "data");
    const first = await startTestServer({ DATA_DIR: dataDir });
    await createOrganization(first);
    await first.stop();
    fs.chmodSync(dataDir, 0o755);
    for (const name of fs.readdirSync(dataDir)) fs.chmodSync(path.join(dataDir, name), 0o644);

    const second = await startTestServer({ DATA_DIR: dataDir });
    try {
      await createOrganization(second);
      expect(modeOf(dataDir).toString(8)).toBe("700");
      for (const name of fs.readdirSync(dataDir)) expect(modeOf(path.join(dataDir, name)).toString(8), name).toBe("600");
    } finally {
      await second.stop();
    }
  });

  it("tightening an existing directory is logged", () => {
    const dataDir = path.join(root, "wide");
    fs.mkdirSync(dataDir, { mode: 0o775 });
    const log = { info: vi.fn(), warn: vi.fn() };
    ensureOwnerOnlyDirectory(dataDir, log);
    expect(modeOf(dataDir).toString(8)).toBe("700");
    expect(log.info).toHaveBeenCalledWith(expect.objectContaining({ directory: dataDir, from: "0775", to: "0700" }), expect.any(String));
    expect(log.warn).not.toHaveBeenCalled();
    ensureOwnerOnlyDirectory(dataDir, log);
    expect(log.info).toHaveBeenCalledTimes(1);
  });
});
