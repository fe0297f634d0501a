import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { printAppSchema } from "../../src/graphql/schema.js";

describe("schema.graphql", () => {
  it("is exactly what the code emits (run `npm run schema` after changing the API)", async () => {
    const committed = fs.readFileSync(new URL("../../schema.graphql", import.meta.url), "utf8");
    expect(await printAppSchema()).toBe(committed);
  });
});
