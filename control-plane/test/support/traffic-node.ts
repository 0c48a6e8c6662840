// A data-plane node under steady audit load, run as its own process by the fault-injection test so it can be
// killed with SIGKILL. It starts a real node (identity, config stream, spool, shipper) and appends decision
// events at a steady rate. On "stop" (stdin) it stops appending, waits until the control plane has acknowledged
// everything, and prints its stream and last event seq as JSON.
import { createInterface } from "node:readline";
import { startNode } from "@portcullis/data-plane";
import pino from "pino";

const env = process.env;
const node = await startNode({
  cpGrpcAddress: env.PORTCULLIS_CP_GRPC as string,
  bootstrapToken: env.PORTCULLIS_BOOTSTRAP_TOKEN || undefined,
  dataDir: env.PORTCULLIS_DP_DATA_DIR as string,
  logger: pino({ level: env.PORTCULLIS_LOG_LEVEL ?? "silent" }),
  heartbeatIntervalMs: 1000,
  backoff: { baseMs: 100, capMs: 1000 },
});
let last = { streamId: "", seq: 0 };
let appending = true;
let n = 0;
const tick = async () => {
  for (let i = 0; i < 10 && appending; i++) {
    n += 1;
    const r = await node.spool.append({
      type: "decision",
      session_id: `sess_traffic_${n % 50}`,
      agent_id: "expense-report-v1",
      operator: "alice@company.com",
      tool: n % 2 ? "receipt_ocr" : "get_employee_cost_center",
      decision: n % 7 ? "allow" : "deny",
      outcome: n % 7 ? "ok" : "denied",
      latency_us: 900,
    });
    last = { streamId: r.streamId, seq: r.seq };
  }
};
const timer = setInterval(() => void tick(), 20);
process.stdout.write(`${JSON.stringify({ started: true, recovery: node.spool.recovery.kind })}\n`);
createInterface({ input: process.stdin }).on("line", async (line) => {
  if (line.trim() !== "stop") return;
  appending = false;
  clearInterval(timer);
  await node.spool.flush();
  await node.spool.whenEmpty();
  process.stdout.write(`${JSON.stringify({ stopped: true, ...last })}\n`);
  await node.close();
  process.exit(0);
});
