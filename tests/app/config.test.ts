import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.js";

describe("configuration from the environment", () => {
  it("defaults to port 4000 and ./data", () => {
    const config = loadConfig({});
    expect(config.port).toBe(4000);
    expect(config.dataDir).toBe(path.resolve("./data"));
    expect(config.accessTokenTtlSeconds).toBe(3600);
    expect(config.jwtSecret).toBeUndefined();
  });

  it("reads valid values", () => {
    const config = loadConfig({ PORT: "8080", DATA_DIR: "/var/lib/sessions", JWT_SECRET: "x".repeat(32) });
    expect(config).toMatchObject({ port: 8080, dataDir: "/var/lib/sessions", jwtSecret: "x".repeat(32) });
  });

  it.each([
    [{ PORT: "eighty" }, /PORT="eighty": .*number/],
    [{ PORT: "70000" }, /PORT="70000": must be between 0 and 65535/],
    [{ PORT: "80.5" }, /PORT="80.5": must be an integer/],
    [{ JWT_SECRET: "short" }, /JWT_SECRET="short": must be at least 32 characters/],
    [{ LOG_LEVEL: "loud" }, /LOG_LEVEL="loud"/],
    [{ ACCESS_TOKEN_TTL_SECONDS: "5" }, /ACCESS_TOKEN_TTL_SECONDS="5": must be at least 60/],
  ])("refuses %o with a message naming the variable", (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it("names every bad variable at once", () => {
    try {
      loadConfig({ PORT: "-1", LOG_LEVEL: "loud" });
      expect.unreachable();
    } catch (error) {
      expect((error as ConfigError).problems).toHaveLength(2);
    }
  });
});
