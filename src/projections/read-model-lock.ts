import Database from "better-sqlite3";
import fs from "node:fs";
import path from "node:path";
import { ensureOwnerOnlySqliteFile } from "../adapters/files/owner-only.js";

/** A second process (or app) asked for read models another one holds. */
export class ReadModelsInUseError extends Error {
  constructor(
    readonly fileName: string,
    readonly ownerPid: number | undefined,
  ) {
    super(
      `The read models ${fileName} are in use by another server${ownerPid ? ` (pid ${ownerPid})` : ""}. ` +
        "A read-model file belongs to one process: give each server on this event store its own READ_MODELS_DIR, " +
        "or stop the other one first.",
    );
    this.name = "ReadModelsInUseError";
  }
}

export interface ReadModelsLock {
  readonly file: string;
  release(): void;
}

/** Locks held by this process, by lock file: the owner is known without reading the file. */
const heldHere = new Set<string>();

/**
 * Takes the read models of `fileName` for this process, or throws ReadModelsInUseError.
 *
 * The lock is SQLite's own exclusive lock on a small database next to the file
 * (`read-models.sqlite.lock`, `locking_mode = EXCLUSIVE`): the operating system releases it
 * when the process ends however it ends (SIGKILL, power loss, a container restarted with the
 * same pid), so there is no stale lock to detect and no pid to trust. The holder's pid is
 * written in the file's header (user_version) only to name it in the message. The file is
 * left in place on release: deleting it could let two processes lock two different files.
 */
export function lockReadModels(fileName: string): ReadModelsLock {
  const file = `${path.resolve(fileName)}.lock`;
  if (heldHere.has(file)) throw new ReadModelsInUseError(fileName, process.pid);
  ensureOwnerOnlySqliteFile(file);
  let db: Database.Database;
  try {
    db = acquire(file);
  } catch (error) {
    if (!isDamage(error)) throw error;
    // Not a database (overwritten): it locks nothing, start it again.
    fs.rmSync(file, { force: true });
    ensureOwnerOnlySqliteFile(file);
    db = acquire(file);
  }
  heldHere.add(file);
  return {
    file,
    release() {
      if (!db.open) return;
      db.close();
      heldHere.delete(file);
    },
  };

  function acquire(lockFile: string): Database.Database {
    const connection = new Database(lockFile, { timeout: 0 });
    try {
      connection.pragma("journal_mode = MEMORY");
      connection.pragma("locking_mode = EXCLUSIVE");
      // The first write takes the exclusive lock, kept until the connection closes.
      connection.pragma(`user_version = ${process.pid}`);
      return connection;
    } catch (error) {
      connection.close();
      if ((error as { code?: string }).code === "SQLITE_BUSY") throw new ReadModelsInUseError(fileName, ownerOf(lockFile));
      throw error;
    }
  }
}

/** The pid in the lock file's header (SQLite's user_version, bytes 60–63). */
function ownerOf(lockFile: string): number | undefined {
  try {
    const header = Buffer.alloc(64);
    const fd = fs.openSync(lockFile, "r");
    try {
      fs.readSync(fd, header, 0, 64, 0);
    } finally {
      fs.closeSync(fd);
    }
    const pid = header.readUInt32BE(60);
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function isDamage(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && (code.startsWith("SQLITE_CORRUPT") || code === "SQLITE_NOTADB");
}
