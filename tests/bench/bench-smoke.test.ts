/**
 * Benchmarks: `npm run bench -- --quick` keeps working (the harness cannot rot). It checks the run
 * completes and writes its results; it asserts no timing (the machines are shared and noisy).
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { expect, it } from "vitest";

it("the quick benchmark runs every scenario and writes latest.json and latest.md", async () => {
  const resultsDir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-smoke-"));
  const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", "bench/run.ts", "--quick"], {
    env: { ...process.env, BENCH_RESULTS_DIR: resultsDir },
    timeout: 120_000,
  });
  const results = JSON.parse(fs.readFileSync(path.join(resultsDir, "latest.json"), "utf8")) as {
    quick: boolean;
    machine: { node: string };
    figures: { scenario: string; case: string; value: number; unit: string; details?: Record<string, unknown> }[];
  };
  expect(results.quick).toBe(true);
  expect(results.machine.node).toBe(process.version);
  const cases = results.figures.map((f) => f.case);
  for (const writers of ["1 writer,", "16 writers,", "64 writers,"]) {
    expect(cases.filter((c) => c.startsWith("sqlite adapter") && c.includes(writers))).toHaveLength(2);
  }
  expect(cases.filter((c) => c.startsWith("machine limit"))).toHaveLength(2);
  // The booking storm verified its own outcome (it fails the run on an oversold session).
  const storm = results.figures.filter((f) => f.scenario.startsWith("booking storm"));
  expect(storm.map((f) => f.unit)).toEqual(["registrations/s", "registrations/s"]);
  expect(storm[0]).toMatchObject({ details: { registered: 100, waitlisted: 200 } });
  // The large history was rebuilt (the run checks every event was replayed), served, and read.
  const unitsOf = (scenario: string) => results.figures.filter((f) => f.scenario.startsWith(scenario)).map((f) => f.unit);
  expect(unitsOf("projection rebuild")).toEqual(["events/s"]);
  expect(results.figures.find((f) => f.scenario === "projection rebuild")!.details).toHaveProperty("peakRssMiB");
  expect(unitsOf("start-up")).toEqual(["ms"]);
  expect(results.figures.find((f) => f.scenario === "start-up")!.details).toHaveProperty("rssAfterStartMiB");
  expect(unitsOf("reads")).toEqual(["requests/s", "requests/s", "ratio"]);
  // The peer runs when `npm --prefix bench install` was done (CI does it): then next to every case.
  const peerInstalled = fs.existsSync(path.join("bench", "node_modules", "@event-driven-io", "emmett-sqlite", "package.json"));
  expect(cases.filter((c) => c.startsWith("emmett-sqlite"))).toHaveLength(peerInstalled ? 6 : 0);
  const ours = results.figures.filter((f) => f.case.startsWith("sqlite adapter"));
  expect(ours.filter((f) => "ratioOursToPeer" in (f.details ?? {}))).toHaveLength(peerInstalled ? 6 : 0);
  if (!peerInstalled) console.log("[bench-smoke] the peer is not installed (npm --prefix bench install): its rows are not checked");
  // The peer (emmett-sqlite) may complete no append at concurrent writers: its figure is then an honest 0.
  expect(results.figures.filter((f) => !(Number.isFinite(f.value) && (f.value > 0 || (f.case.startsWith("emmett-sqlite") && f.value === 0))))).toEqual([]);
  const table = fs.readFileSync(path.join(resultsDir, "latest.md"), "utf8");
  expect(stdout).toBe(table);
  const rows = table.split("\n").filter((line) => line.startsWith("| ") && !line.startsWith("| Scenario "));
  expect(rows).toHaveLength(results.figures.length);
  fs.rmSync(resultsDir, { recursive: true, force: true });
}, 120_000);
