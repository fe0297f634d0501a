import fs from "node:fs";

/**
 * The data directory holds password hashes and webhook signing secrets: it and the files the
 * server creates in it are readable by their owner only, whatever the umask.
 */
export const OWNER_ONLY_DIRECTORY_MODE = 0o700;
export const OWNER_ONLY_FILE_MODE = 0o600;

/** Where POSIX modes mean nothing (Windows), nothing is changed. */
const posixModes = process.platform !== "win32";

export interface PermissionLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
}

const octal = (mode: number) => `0${(mode & 0o777).toString(8)}`;

/**
 * Creates the directory (0700), or tightens an existing one that others may read when this
 * process owns it; one it cannot tighten is logged, not refused.
 */
export function ensureOwnerOnlyDirectory(directory: string, log?: PermissionLog): void {
  if (createOwnerOnlyDirectory(directory) || !posixModes) return;
  const tightened = tighten(directory, OWNER_ONLY_DIRECTORY_MODE);
  if (tightened.outcome === "tightened") {
    log?.info({ directory, from: octal(tightened.from), to: octal(OWNER_ONLY_DIRECTORY_MODE) }, "data directory permissions tightened to owner-only");
  } else if (tightened.outcome === "not-owned" || tightened.outcome === "failed") {
    log?.warn(
      { directory, mode: octal(tightened.from) },
      "the data directory is readable by others and this process cannot change that: restrict it to its owner (chmod 700)",
    );
  }
}

/** Creates the directory (and missing parents) with mode 0700 when it is missing; whether it did. */
export function createOwnerOnlyDirectory(directory: string): boolean {
  const created = fs.mkdirSync(directory, { recursive: true, mode: OWNER_ONLY_DIRECTORY_MODE });
  if (created === undefined) return false;
  if (posixModes) fs.chmodSync(directory, OWNER_ONLY_DIRECTORY_MODE);
  return true;
}

/**
 * A SQLite database file: created 0600 before SQLite opens it (SQLite gives its -wal, -shm and
 * -journal files the mode of the database file), and those already there tightened.
 */
export function ensureOwnerOnlySqliteFile(fileName: string): void {
  if (fileName === "" || fileName === ":memory:") return;
  ensureOwnerOnlyFile(fileName);
  for (const suffix of ["-wal", "-shm", "-journal"]) tightenIfPresent(`${fileName}${suffix}`);
}

/**
 * Creates the file empty with mode 0600 when it is missing (so that a library opening it next,
 * SQLite for one, keeps that mode), or tightens it when others may read it and this process owns it.
 */
export function ensureOwnerOnlyFile(file: string): void {
  try {
    const fd = fs.openSync(file, "wx", OWNER_ONLY_FILE_MODE);
    try {
      if (posixModes) fs.fchmodSync(fd, OWNER_ONLY_FILE_MODE);
    } finally {
      fs.closeSync(fd);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    tightenIfPresent(file);
  }
}

/** Tightens the file to 0600 if it exists, others may read it and this process owns it. */
export function tightenIfPresent(file: string): void {
  if (posixModes) tighten(file, OWNER_ONLY_FILE_MODE);
}

type Tightening = { outcome: "absent" | "already" } | { outcome: "tightened" | "not-owned" | "failed"; from: number };

function tighten(target: string, mode: number): Tightening {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { outcome: "absent" };
    throw error;
  }
  const from = stat.mode & 0o777;
  if ((from & 0o077) === 0) return { outcome: "already" };
  if (stat.uid !== process.getuid?.()) return { outcome: "not-owned", from };
  try {
    fs.chmodSync(target, mode);
    return { outcome: "tightened", from };
  } catch {
    return { outcome: "failed", from };
  }
}
