/**
 * `npm run bench [-- --quick] [--users N] [--only <scenario>]`: runs the scenarios in this
 * process, prints a table and writes bench/results/latest.json and latest.md. Timings never go
 * into `npm test`.
 */
import "reflect-metadata";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { BenchOptions, Figure } from "./measure.js";
import { bookingStorm } from "./scenarios/booking-storm.js";
import { eventStoreAppends } from "./scenarios/event-store-appends.js";
import { largeHistory } from "./scenarios/large-history.js";

const { values: args } = parseArgs({
  options: { quick: { type: "boolean", default: false }, users: { type: "string" }, only: { type: "string", multiple: true } },
});
const quick = args.quick!;
const users = args.users === undefined ? undefined : Number(args.users);
if (users !== undefined && !(Number.isInteger(users) && users >= 100)) {
  console.error("--users must be a whole number of at least 100 (the storm's session has 100 seats)");
  process.exit(2);
}
const resultsDir = process.env.BENCH_RESULTS_DIR ?? path.join(path.dirname(fileURLToPath(import.meta.url)), "results");

const scenarios: { name: string; run: (options: BenchOptions) => Promise<Figure[]> }[] = [
  { name: "event store appends", run: eventStoreAppends },
  { name: "booking storm", run: bookingStorm },
  { name: "projection rebuild, start-up and reads (one large history)", run: largeHistory },
];

function machine() {
  const cpus = os.cpus();
  return {
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
    cpu: `${cpus.length} × ${cpus[0]?.model ?? "unknown"}`,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  };
}

function markdown(figures: Figure[], info: ReturnType<typeof machine>, startedAt: string): string {
  const lines = [
    `Benchmark run ${startedAt}${quick ? " (quick)" : ""} — Node ${info.node}, ${info.cpu}, ${info.memoryGiB} GiB, ${info.platform}`,
    "",
    "| Scenario | Case | Value | Unit | Details |",
    "|---|---|---:|---|---|",
    ...figures.map(
      (f) =>
        `| ${f.scenario} | ${f.case} | ${f.value.toLocaleString("en-US")} | ${f.unit} | ${Object.entries(f.details ?? {})
          .map(([k, v]) => `${k}: ${v}`)
          .join(", ")} |`,
    ),
  ];
  return `${lines.join("\n")}\n`;
}

async function main(): Promise<void> {
  const startedAt = new Date().toISOString();
  const figures: Figure[] = [];
  const chosen = scenarios.filter((s) => !args.only || args.only.some((name) => s.name.includes(name)));
  if (chosen.length === 0) {
    console.error(`--only matches no scenario; they are: ${scenarios.map((s) => s.name).join("; ")}`);
    process.exit(2);
  }
  for (const scenario of chosen) {
    process.stderr.write(`running: ${scenario.name}${quick ? " (quick)" : ""}\n`);
    figures.push(...(await scenario.run({ quick, ...(users === undefined ? {} : { users }) })));
  }
  const info = machine();
  const table = markdown(figures, info, startedAt);
  fs.mkdirSync(resultsDir, { recursive: true });
  fs.writeFileSync(path.join(resultsDir, "latest.json"), `${JSON.stringify({ startedAt, quick, machine: info, figures }, null, 2)}\n`);
  fs.writeFileSync(path.join(resultsDir, "latest.md"), table);
  process.stdout.write(table);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
