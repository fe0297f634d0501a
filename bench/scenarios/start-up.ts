/** Scenario 5: time from process start to ready on the large history, and the RSS then. */
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import type { AcademyHistory } from "../dataset/academy-history.js";
import { freePort, residentMiB, spawnNode } from "../child-process.js";
import { percentile, round, type Figure } from "../measure.js";

export const START_UP_SCENARIO = "start-up";

export interface RunningServer {
  url: string;
  readyMs: number;
  rssMiB: number;
  stop(): Promise<void>;
}

/**
 * `node --import tsx src/main.ts` (what `npm start` runs), production settings. Ready means
 * /health answers and its read models are at the store's last event: it can serve the history.
 */
export async function startServer(history: AcademyHistory, jwtSecret: string): Promise<RunningServer> {
  const port = await freePort();
  const started = performance.now();
  const child = spawnNode(["--import", "tsx", "src/main.ts"], {
    DATA_DIR: history.dataDir,
    PORT: String(port),
    HOST: "127.0.0.1",
    NODE_ENV: "production",
    LOG_LEVEL: "warn",
    JWT_SECRET: jwtSecret,
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, "exit");
  const stop = async () => {
    if (child.exitCode === null) {
      child.kill("SIGTERM");
      await exited;
    }
  };
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`the server exited during start-up: ${output}`);
      if (performance.now() - started > 120_000) throw new Error(`the server was not ready after 120 s: ${output}`);
      const health = await fetch(`http://127.0.0.1:${port}/health`).then(
        (response) => (response.ok ? (response.json() as Promise<{ readModelPosition: string }>) : null),
        () => null,
      );
      if (health && BigInt(health.readModelPosition) >= BigInt(history.events)) break;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const readyMs = performance.now() - started;
    return { url: `http://127.0.0.1:${port}/graphql`, readyMs, rssMiB: residentMiB(child.pid!), stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Starts the server `runs` times (stopping it in between); the last one keeps running for the reads. */
export async function startUp(history: AcademyHistory, runs: number): Promise<{ figure: Figure; server: RunningServer }> {
  const jwtSecret = randomBytes(32).toString("hex");
  const readyMs: number[] = [];
  const rssMiB: number[] = [];
  let server: RunningServer | undefined;
  for (let run = 0; run < runs; run++) {
    await server?.stop();
    server = await startServer(history, jwtSecret);
    readyMs.push(server.readyMs);
    rssMiB.push(server.rssMiB);
  }
  const sorted = [...readyMs].sort((a, b) => a - b);
  return {
    server: server!,
    figure: {
      scenario: START_UP_SCENARIO,
      case: `process start to ready, ${history.events.toLocaleString("en-US")}-event store with built read models (median of ${runs})`,
      value: round(percentile(sorted, 50)),
      unit: "ms",
      details: { runsMs: readyMs.map((ms) => round(ms)).join(" / "), rssAfterStartMiB: round(percentile([...rssMiB].sort((a, b) => a - b), 50)) },
    },
  };
}
