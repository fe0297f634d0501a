import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { ConfigError } from "../../config.js";
import { createOwnerOnlyDirectory, ensureOwnerOnlyFile, tightenIfPresent } from "../files/owner-only.js";

/** The shortest secret accepted, from JWT_SECRET or from the secret file. */
export const JWT_SECRET_MIN_LENGTH = 32;

/**
 * The configured secret, or a development secret generated once and kept under the data
 * directory (mode 0600) so tokens survive restarts. A secret file too short to sign with stops
 * the start (ConfigError naming the file) rather than a server whose every sign-in fails.
 */
export function resolveJwtSecret(configured: string | undefined, dataDir: string): string {
  if (configured) return configured;
  const file = path.join(dataDir, "jwt-secret");
  const existing = readSecretFile(file);
  if (existing !== null) return existing;
  const secret = randomBytes(48).toString("base64url");
  createOwnerOnlyDirectory(dataDir);
  // Written aside, then linked into place: another process never reads a half-written file.
  const aside = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    ensureOwnerOnlyFile(aside);
    fs.writeFileSync(aside, secret);
    fs.linkSync(aside, file);
  } catch (error) {
    // Another process created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return readSecretFile(file)!;
    throw error;
  } finally {
    fs.rmSync(aside, { force: true });
  }
  return secret;
}

function readSecretFile(file: string): string | null {
  let content: string;
  try {
    content = fs.readFileSync(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  tightenIfPresent(file);
  const secret = content.trim();
  if (secret.length < JWT_SECRET_MIN_LENGTH) {
    throw new ConfigError([
      `${file}: the JWT secret file must hold at least ${JWT_SECRET_MIN_LENGTH} characters (it holds ${secret.length}); ` +
        "write a longer secret into it, delete it to have one generated, or set JWT_SECRET",
    ]);
  }
  return secret;
}
