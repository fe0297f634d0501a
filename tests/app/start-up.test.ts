import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

/** Runs `npm start`'s entry point; a server that starts after all is stopped and answers null. */
async function start(env: NodeJS.ProcessEnv, giveUpAfterMs = 20_000): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], { env });
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const timer = setTimeout(() => child.kill("SIGKILL"), giveUpAfterMs);
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  clearTimeout(timer);
  return { code, stderr };
}

describe("npm start", () => {
  it("exits with a clear message for a bad PORT, before touching anything", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      env: { ...process.env, PORT: "not-a-port", DATA_DIR: "/nonexistent/never-created" },
    });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(code).toBe(1);
    expect(stderr).toContain("Invalid configuration");
    expect(stderr).toContain('PORT="not-a-port"');
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it.each([
    ["empty", ""],
    ["5 characters long", "short"],
  ])("refuses to start when the JWT secret file is %s, naming the file", async (_title, content) => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "start-up-secret-"));
    try {
      const secretFile = path.join(dataDir, "jwt-secret");
      fs.writeFileSync(secretFile, content, { mode: 0o600 });
      const env: NodeJS.ProcessEnv = { ...process.env, PORT: "0", HOST: "127.0.0.1", DATA_DIR: dataDir, LOG_LEVEL: "silent" };
      delete env.JWT_SECRET;
      const { code, stderr } = await start(env);
      expect(code).toBe(1);
      expect(stderr).toContain(secretFile);
      expect(stderr).toMatch(/at least 32 characters/);
      expect(fs.readFileSync(secretFile, "utf8")).toBe(content);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
