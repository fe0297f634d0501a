/**
 * Preloaded into a measured child process (`node --import <this file> ...`): when the process
 * exits it writes its peak resident set size, in MiB, to the file named by BENCH_PEAK_RSS_FILE.
 */
import fs from "node:fs";

const file = process.env.BENCH_PEAK_RSS_FILE;
if (file) {
  process.on("exit", () => {
    // resourceUsage().maxRSS is in kilobytes.
    fs.writeFileSync(file, JSON.stringify({ peakRssMiB: process.resourceUsage().maxRSS / 1024 }));
  });
}
