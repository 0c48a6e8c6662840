// The audit event both halves of bench:audit write: the load generator's signed records and the baseline rows.
import { uuidv7 } from "@portcullis/proto";

export function benchRecord(streamId: string, seq: number) {
  return {
    id: uuidv7(),
    stream_id: streamId,
    seq,
    type: "decision",
    at: new Date().toISOString(),
    session_id: `sess_${seq % 97}`,
    agent_id: "expense-report-v1",
    operator: "alice@company.com",
    tool: "receipt_ocr",
    decision: "allow",
    outcome: "ok",
    latency_us: 850,
    policies: ["expense-agent-tools", "ocr-once-per-session"],
  };
}
