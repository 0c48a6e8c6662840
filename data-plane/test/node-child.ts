// Child process for the crash test: runs a real node (enrolling if given a token), appends events while the
// shipper delivers concurrently, reports, then dies by SIGKILL: no close, no flush, no goodbye.
// Usage: node node-child.ts <job.json>
import { readFileSync } from "node:fs";
import { silentLogger } from "../src/log.ts";
import { startNode } from "../src/node.ts";
import { FAST_BACKOFF, FAST_CHANNEL } from "./fixtures.ts";

interface Job {
  dataDir: string;
  cpAddress: string;
  bootstrapToken?: string;
  from: number;
  count: number;
}

const job = JSON.parse(readFileSync(process.argv[2] as string, "utf8")) as Job;
const node = await startNode({
  cpGrpcAddress: job.cpAddress,
  bootstrapToken: job.bootstrapToken,
  dataDir: job.dataDir,
  logger: silentLogger,
  backoff: FAST_BACKOFF,
  channelOptions: FAST_CHANNEL,
  heartbeatIntervalMs: 100,
});
for (let i = job.from; i < job.from + job.count; i++) {
  // Every 250th event is a "sensitive" one that waits for fsync, as the request path will for sensitive tools.
  await node.spool.append({ type: "test", i }, { durable: i % 250 === 0 });
}
process.stdout.write(
  `${JSON.stringify({ nodeId: node.identity.nodeId, streamId: node.spool.streamId, recovery: node.spool.recovery })}\n`,
);
process.kill(process.pid, "SIGKILL");
