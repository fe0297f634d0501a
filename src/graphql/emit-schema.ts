import "reflect-metadata";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { printAppSchema } from "./schema.js";

/** `npm run schema`: writes schema.graphql at the top level from the code. */
const target = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../schema.graphql");
fs.writeFileSync(target, await printAppSchema());
console.log(`Wrote ${path.relative(process.cwd(), target)}`);
