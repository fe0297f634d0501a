/** The README's authorization table is generated from the code's table (AUTHORIZATION, the one place that decides who may call what): they never drift. */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { AUTHORIZATION } from "../../src/domain/access/authorization.js";
import { withAuthorizationTable } from "../../src/graphql/emit-authorization-doc.js";

describe("README authorization table", () => {
  const readme = fs.readFileSync(path.resolve(import.meta.dirname, "../../README.md"), "utf8");

  it("equals what `npm run docs` generates from src/domain/access/authorization.ts", () => {
    expect(readme, "run `npm run docs` and commit README.md").toBe(withAuthorizationTable(readme));
  });

  it("lists every operation of the table", () => {
    for (const operation of Object.keys(AUTHORIZATION)) expect(readme).toContain(`| \`${operation}\` |`);
  });
});
