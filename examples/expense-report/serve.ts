#!/usr/bin/env node
// Runs the demo's tool servers on their own: `node examples/expense-report/serve.ts [servers.json]` (the file the
// control plane's demo seed writes, by default .portcullis/demo/servers.json). `npm start` runs them in-process
// instead; the acceptance test runs this, so the servers are a process of their own as a tool owner's would be.
import { readFileSync } from "node:fs";
import { type DemoServersConfig, startDemoServers } from "./servers.ts";

const file = process.argv[2] ?? ".portcullis/demo/servers.json";
let config: DemoServersConfig;
try {
  config = JSON.parse(readFileSync(file, "utf8")) as DemoServersConfig;
} catch (error) {
  process.stderr.write(
    `cannot read ${file}: ${(error as Error).message}\nRun \`npm start\` first (it seeds the demo).\n`,
  );
  process.exit(2);
}
const running = await startDemoServers(config);
process.stdout.write(`${JSON.stringify({ listening: running.url })}\n`);
const stop = () => void running.close().then(() => process.exit(0));
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
