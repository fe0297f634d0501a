import fs from "node:fs";
import { Presets, SingleBar } from "cli-progress";
import { redactedJson } from "../../domain/audit/redact.js";
import { ConfigError, loadConfig } from "../../config.js";
import { openEventStore } from "./open-event-store.js";

const BATCH = 2000;

/**
 * `npm run export-events -- --organization <id> [--out <file>]`: an organization's events as
 * NDJSON (one event per line, oldest first, secrets redacted) for auditors. Without --out the
 * lines go to stdout; the progress bar always goes to stderr.
 */
async function main(): Promise<void> {
  const args = new Map<string, string>();
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i += 2) args.set(argv[i]!.replace(/^--/, ""), argv[i + 1] ?? "");
  const organizationId = args.get("organization");
  if (!organizationId) {
    console.error("Usage: npm run export-events -- --organization <id> [--out <file>]");
    process.exit(2);
  }
  const config = loadConfig();
  const store = openEventStore(config);
  const out: NodeJS.WritableStream = args.get("out") ? fs.createWriteStream(args.get("out")!) : process.stdout;
  const head = Number((await store.headPosition()) ?? 0n);
  const bar = new SingleBar(
    { format: "export [{bar}] {percentage}% | {exported} events", hideCursor: true, stream: process.stderr },
    Presets.shades_classic,
  );
  bar.start(head, 0, { exported: 0 });
  let after: bigint | undefined;
  let exported = 0;
  for (;;) {
    const batch = await store.readAll({ after, maxCount: BATCH });
    for (const event of batch) {
      if (event.metadata.tenantId !== organizationId) continue;
      const line = `{"position":"${event.position}","streamName":${JSON.stringify(event.streamName)},"revision":"${event.revision}","id":"${event.id}","type":${JSON.stringify(event.type)},"recordedAt":"${event.recordedAt.toISOString()}","data":${redactedJson(event.data)},"metadata":${JSON.stringify(event.metadata)}}\n`;
      if (!out.write(line)) await new Promise((resolve) => out.once("drain", resolve));
      exported += 1;
    }
    if (batch.length > 0) bar.update(Number(batch[batch.length - 1]!.position), { exported });
    if (batch.length < BATCH) break;
    after = batch[batch.length - 1]!.position;
  }
  bar.update(head, { exported });
  bar.stop();
  if (out !== process.stdout) await new Promise<void>((resolve) => out.end(resolve));
  process.stderr.write(`Exported ${exported} events of organization ${organizationId}\n`);
  await store.close();
}

main().catch((error) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
