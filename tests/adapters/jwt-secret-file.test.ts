/**
 * Without JWT_SECRET the secret file under the data directory is used: its content is held to
 * JWT_SECRET's rule (at least 32 characters), and a bad one stops the start naming the file.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resolveJwtSecret } from "../../src/adapters/auth/jwt-secret.js";
import { ConfigError, loadConfig } from "../../src/config.js";

let dataDir: string;
let secretFile: string;
beforeEach(() => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "jwt-secret-file-"));
  secretFile = path.join(dataDir, "jwt-secret");
});
afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

describe("the JWT secret file", () => {
  it.each([
    ["empty", ""],
    ["blank", "  \n"],
    ["5 characters", "short"],
    ["31 characters", "x".repeat(31)],
  ])("%s: refused with a ConfigError naming the file", (_title, content) => {
    fs.writeFileSync(secretFile, content, { mode: 0o600 });
    expect(() => resolveJwtSecret(undefined, dataDir)).toThrow(ConfigError);
    expect(() => resolveJwtSecret(undefined, dataDir)).toThrow(secretFile);
    expect(() => resolveJwtSecret(undefined, dataDir)).toThrow(/at least 32 characters/);
  });

  it("is held to the same rule as JWT_SECRET", () => {
    for (const secret of ["x".repeat(31), "x".repeat(32)]) {
      fs.writeFileSync(secretFile, secret);
      const fromEnv = () => loadConfig({ JWT_SECRET: secret });
      const fromFile = () => resolveJwtSecret(undefined, dataDir);
      if (secret.length < 32) {
        expect(fromEnv).toThrow(ConfigError);
        expect(fromFile).toThrow(ConfigError);
      } else {
        expect(fromEnv().jwtSecret).toBe(secret);
        expect(fromFile()).toBe(secret);
      }
    }
  });

  it("a long enough secret is used, without the line break an editor adds", () => {
    fs.writeFileSync(secretFile, `${"k".repeat(40)}\n`);
    expect(resolveJwtSecret(undefined, dataDir)).toBe("k".repeat(40));
  });

  it("JWT_SECRET wins over a bad file", () => {
    fs.writeFileSync(secretFile, "short");
    expect(resolveJwtSecret("c".repeat(32), dataDir)).toBe("c".repeat(32));
  });

  it("a generated secret is long enough and read back the same", () => {
    const generated = resolveJwtSecret(undefined, dataDir);
    expect(generated.length).toBeGreaterThanOrEqual(32);
    expect(fs.readFileSync(secretFile, "utf8")).toBe(generated);
    expect(resolveJwtSecret(undefined, dataDir)).toBe(generated);
    expect(fs.readdirSync(dataDir)).toEqual(["jwt-secret"]);
  });
});
