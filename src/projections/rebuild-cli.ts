import { SingleBar, Presets } from "cli-progress";
import { eventStoreIdentity, openEventStore, readModelsFile } from "../adapters/event-store/open-event-store.js";
import { ConfigError, loadConfig } from "../config.js";
import { ALL_PROJECTIONS } from "./all-projections.js";
import { ReadModelsInUseError, lockReadModels } from "./read-model-lock.js";
import { rebuildReadModelsFile } from "./rebuild-file.js";
import { selectProjections, UnknownProjectionError } from "./select-projections.js";

/**
 * `npm run rebuild [-- <projection>...]`: replay every event into new read models (all of them,
 * or only the projections named, the others keeping their rows), then swap them in. Stop the
 * server first (a server holding the read models makes it stop with a message). A damaged file is
 * moved aside and rebuilt.
 */
async function main(): Promise<void> {
  const names = process.argv.slice(2);
  const projections = selectProjections(names, ALL_PROJECTIONS);
  const config = loadConfig();
  const file = readModelsFile(config.readModelsDir);
  const lock = lockReadModels(file);
  const store = openEventStore(config);
  const bar = new SingleBar({ format: "rebuild [{bar}] {percentage}% | {events} events", hideCursor: true }, Presets.shades_classic);
  const started = performance.now();
  let barStarted = false;
  const { events } = await rebuildReadModelsFile(store, file, eventStoreIdentity(config), projections, {
    onDamaged: ({ movedTo, reason }) => console.log(`The read models were damaged (${reason}): moved aside to ${movedTo}`),
    onProgress: ({ events, position, head }) => {
      if (!barStarted) {
        bar.start(Number(head), 0, { events: 0 });
        barStarted = true;
      }
      bar.update(Number(position), { events });
    },
  });
  if (barStarted) bar.stop();
  const seconds = (performance.now() - started) / 1000;
  const rate = seconds > 0 ? Math.round(events / seconds) : events;
  const what =
    names.length === 0
      ? "read models"
      : `the ${projections.map((p) => p.name).join(", ")} projection${projections.length > 1 ? "s" : ""}`;
  console.log(`Rebuilt ${what} from ${events} events in ${seconds.toFixed(2)} s (${rate} events/s)`);
  await store.close();
  lock.release();
}

main().catch((error) => {
  const forTheOperator = error instanceof ConfigError || error instanceof UnknownProjectionError || error instanceof ReadModelsInUseError;
  console.error(forTheOperator ? error.message : error);
  process.exit(1);
});
