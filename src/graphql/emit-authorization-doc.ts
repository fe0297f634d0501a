import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { authorizationTableMarkdown } from "../domain/access/authorization-doc.js";

export const START_MARKER = "<!-- authorization-table:start -->";
export const END_MARKER = "<!-- authorization-table:end -->";

/** Replaces the table between the markers of a README's text. */
export function withAuthorizationTable(readme: string): string {
  const start = readme.indexOf(START_MARKER);
  const end = readme.indexOf(END_MARKER);
  if (start < 0 || end < start) throw new Error(`README.md lacks the markers ${START_MARKER} … ${END_MARKER}`);
  return `${readme.slice(0, start + START_MARKER.length)}\n${authorizationTableMarkdown()}\n${readme.slice(end)}`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../README.md");
  fs.writeFileSync(file, withAuthorizationTable(fs.readFileSync(file, "utf8")));
  console.log("Wrote the authorization table into README.md");
}
