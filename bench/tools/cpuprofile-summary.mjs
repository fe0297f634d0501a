/**
 * Where a `.cpuprofile` spends its time: `node bench/tools/cpuprofile-summary.mjs <file> [rows]`.
 * Self time per function; time in native code (SQLite statements, fsync, sockets) is charged to
 * the nearest frame of our own code (src/), which says which of our calls it came from.
 * Profiles come from `node --cpu-prof --cpu-prof-dir=<dir> ...` (tsx adds a second file for its
 * loader thread: take the one whose name ends in .0.001.cpuprofile).
 */
import fs from "node:fs";

const [file, rowsArg] = process.argv.slice(2);
if (!file) {
  console.error("usage: node bench/tools/cpuprofile-summary.mjs <file.cpuprofile> [rows]");
  process.exit(2);
}
const rows = Number(rowsArg ?? 30);
const profile = JSON.parse(fs.readFileSync(file, "utf8"));
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const parentOf = new Map();
for (const node of profile.nodes) for (const child of node.children ?? []) parentOf.set(child, node.id);

const selfTime = new Map();
profile.samples.forEach((id, i) => selfTime.set(id, (selfTime.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

const ourFrame = (node) => {
  for (let current = node; current; current = nodes.get(parentOf.get(current.id))) {
    const url = current.callFrame.url;
    if (url.includes("/src/")) return `${current.callFrame.functionName || "(anonymous)"} (${url.split("/src/")[1]})`;
  }
  return null;
};

const byKey = new Map();
let total = 0;
for (const [id, time] of selfTime) {
  total += time;
  const node = nodes.get(id);
  const name = node.callFrame.functionName || "(anonymous)";
  const url = node.callFrame.url;
  const where = url.includes("/src/") ? null : ourFrame(node);
  const place = url.includes("/src/") ? `(${url.split("/src/")[1]})` : url.replace(/^.*node_modules\//, "");
  const key = where ? `${name} ← ${where}` : `${name} ${place}`.trim();
  byKey.set(key, (byKey.get(key) ?? 0) + time);
}
console.log(`${(total / 1000).toFixed(0)} ms sampled`);
for (const [key, time] of [...byKey].sort((a, b) => b[1] - a[1]).slice(0, rows)) {
  console.log(`${(time / 1000).toFixed(0).padStart(7)} ms ${((100 * time) / total).toFixed(1).padStart(5)}%  ${key}`);
}
