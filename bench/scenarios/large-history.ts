/**
 * Scenarios 3–5 share one large event store (1,000,000 events, ~100,000 sessions; quick: 20,000):
 * it is built once, rebuilt by `npm run rebuild`, then served for the start-up and read figures.
 */
import { buildAcademyHistory } from "../dataset/academy-history.js";
import { round, timed, type Figure } from "../measure.js";
import { projectionRebuild } from "./projection-rebuild.js";
import { reads } from "./reads.js";
import { startUp } from "./start-up.js";

export async function largeHistory(options: { quick: boolean }): Promise<Figure[]> {
  const targetEvents = options.quick ? 20_000 : 1_000_000;
  const { result: history, seconds } = await timed(() =>
    buildAcademyHistory({
      targetEvents,
      managers: options.quick ? 10 : 100,
      learners: options.quick ? 200 : 2_000,
      onProgress: (events) => {
        if (events % 100_000 < 10_000) process.stderr.write(`  history: ${events} events\n`);
      },
    }),
  );
  process.stderr.write(`  history: ${history.events} events, ${history.sessions} sessions (${history.refusedCommands} commands refused) in ${round(seconds, 1)} s\n`);
  try {
    const rebuild = await projectionRebuild(history);
    const { figure: startUpFigure, server } = await startUp(history, options.quick ? 1 : 3);
    try {
      return [rebuild, startUpFigure, ...(await reads(history, server, options))];
    } finally {
      await server.stop();
    }
  } finally {
    history.cleanup();
  }
}
