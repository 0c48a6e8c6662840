// Child process for crash tests: opens a spool, appends events, optionally waits for some batches to be sealed
// or tears the last record, reports what it did on stdout, then dies by SIGKILL (no close, no flush).
// Usage: node spool-writer.ts <job.json>
import { appendFileSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { importPrivateKeyPem } from "@portcullis/proto";
import { openSpool, type SpoolLimits } from "../src/audit/spool.ts";
import { silentLogger } from "../src/log.ts";

interface Job {
  dataDir: string;
  nodeId: string;
  signingPem: string;
  count: number;
  firstIndex?: number;
  limits?: Partial<SpoolLimits>;
  /** Wait until this many batches are sealed before dying. */
  waitForSealed?: number;
  /** Append half a record to the open segment before dying, as a torn write would. */
  tearTail?: boolean;
}

const job = JSON.parse(readFileSync(process.argv[2] as string, "utf8")) as Job;
const spool = await openSpool({
  dataDir: job.dataDir,
  nodeId: job.nodeId,
  signing: importPrivateKeyPem(job.signingPem),
  logger: silentLogger,
  ...job.limits,
});
const first = job.firstIndex ?? 0;
const appended = [];
for (let i = first; i < first + job.count; i++) {
  appended.push(await spool.append({ type: "test", i }));
}
if (job.waitForSealed) {
  while (spool.pendingBatches().length < job.waitForSealed) await new Promise((r) => setTimeout(r, 5));
}
if (job.tearTail) {
  const dir = path.join(job.dataDir, "spool");
  const segment = readdirSync(dir)
    .filter((n) => n.startsWith("seg-"))
    .sort()
    .at(-1) as string;
  appendFileSync(path.join(dir, segment), '{"id":"0190');
}
process.stdout.write(
  `${JSON.stringify({ streamId: spool.streamId, appended: appended.length, sealed: spool.pendingBatches().length })}\n`,
);
process.kill(process.pid, "SIGKILL");
