import "reflect-metadata";
import { createApp } from "./app.js";
import { ConfigError, loadConfig } from "./config.js";
import { startServer } from "./graphql/server.js";
import { ReadModelsInUseError } from "./projections/read-model-lock.js";

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const app = createApp(config);
  const server = await startServer(app);
  app.logger.info({ url: server.url, dataDir: config.dataDir, readModelsDir: config.readModelsDir }, `GraphQL API ready at ${server.url}`);

  const shutdown = async (signal: string) => {
    app.logger.info({ signal }, "shutting down");
    await server.close();
    await app.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void shutdown("SIGINT"));
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
}

main().catch((error) => {
  // A refusal to start (bad settings or secret file, read models in use) is a message for the operator, not a crash.
  console.error(error instanceof ConfigError || error instanceof ReadModelsInUseError ? error.message : error);
  process.exit(1);
});
