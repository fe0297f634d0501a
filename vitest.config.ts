import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // graphql 16 ships index.js and index.mjs without an exports map: load one copy only.
    alias: [{ find: /^graphql$/, replacement: "graphql/index.js" }],
  },
  test: {
    include: ["tests/**/*.test.ts"],
    setupFiles: ["reflect-metadata"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
  },
});
