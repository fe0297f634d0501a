import { SingleBar, Presets } from "cli-progress";
import { eventStoreIdentity, openEventStore, readModelsFile } from "../adapters/event-store/open-event-store.js";
import { ConfigError, loadConfig } from "../config.js";
import { ALL_PROJECTIONS } from "./all-projections.js";
import { rebuildReadModelsFile } from "./rebuild-file.js";

/** `npm run rebuild`: replay every event into new read models, then swap them in. Stop the server first. */
async function main(): Promise<void> {
  const config = loadConfig();
  const store = openEventStore(config);
  const bar = new SingleBar({ format: "rebuild [{bar}] {percentage}% | {events} events", hideCursor: true }, Presets.shades_classic);
  const started = performance.now();
  let barStarted = false;
  const { events } = await rebuildReadModelsFile(store, readModelsFile(config.dataDir), eventStoreIdentity(config), ALL_PROJECTIONS, {
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
  console.log(`Rebuilt read models from ${events} events in ${seconds.toFixed(2)} s (${rate} events/s)`);
  await store.close();
}

main().catch((error) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
