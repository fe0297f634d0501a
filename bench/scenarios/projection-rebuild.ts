/** Scenario 3: `npm run rebuild` (its own process, as operators run it) over the large history. */
import os from "node:os";
import path from "node:path";
import type { AcademyHistory } from "../dataset/academy-history.js";
import { peakRssPreload, readPeakRss, runNode } from "../child-process.js";
import { round, timed, type Figure } from "../measure.js";

export const REBUILD_SCENARIO = "projection rebuild";

export async function projectionRebuild(history: AcademyHistory): Promise<Figure> {
  const rssFile = path.join(os.tmpdir(), `bench-rebuild-rss-${process.pid}.json`);
  const { result, seconds } = await timed(() =>
    runNode(["--import", "tsx", "--import", peakRssPreload, "src/projections/rebuild-cli.ts"], {
      DATA_DIR: history.dataDir,
      BENCH_PEAK_RSS_FILE: rssFile,
    }),
  );
  const summary = /Rebuilt read models from (\d+) events in ([\d.]+) s \((\d+) events\/s\)/.exec(result.stdout);
  if (result.code !== 0 || !summary) {
    throw new Error(`npm run rebuild failed (exit ${result.code}): ${result.stderr || result.stdout}`);
  }
  const events = Number(summary[1]);
  if (events !== history.events) throw new Error(`the rebuild replayed ${events} events; the store holds ${history.events}`);
  return {
    scenario: REBUILD_SCENARIO,
    case: `${events.toLocaleString("en-US")} events (${history.sessions.toLocaleString("en-US")} sessions), all read models`,
    value: Number(summary[3]),
    unit: "events/s",
    details: { rebuildSeconds: Number(summary[2]), processSeconds: round(seconds, 1), peakRssMiB: round(readPeakRss(rssFile)) },
  };
}
