import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";

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
});
