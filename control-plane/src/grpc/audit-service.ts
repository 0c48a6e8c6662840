// AuditService: ordered batch ingest over one stream per node (each batch acknowledged with a signed receipt)
// and a cursor query so a restarted node knows what the control plane already holds. A database failure ends
// the stream with UNAVAILABLE, so the node keeps its spool and retries: nothing is acknowledged unless stored.
import type * as grpc from "@grpc/grpc-js";
import type { AuditBatch__Output, AuditServiceHandlers, IngestAck } from "@portcullis/proto";
import { auditCursor, ingestBatch } from "../audit/ingest.ts";
import type { Db } from "../db/client.ts";
import type { KeyRing } from "../keys/control-plane-keys.ts";
import type { ControlPlaneMetrics } from "../metrics.ts";
import { authenticateNode, toServiceError } from "./authenticate.ts";

export interface AuditServiceDeps {
  db: Db;
  keys: () => KeyRing;
  log: (level: "info" | "warn", msg: string, fields?: Record<string, unknown>) => void;
  /** Counts batches by ack status and failed streams (the instance's metrics). */
  metrics?: Pick<ControlPlaneMetrics, "auditBatch" | "auditIngestFailure">;
}

export function auditHandlers(deps: AuditServiceDeps): AuditServiceHandlers {
  return {
    Ingest: (call: grpc.ServerDuplexStream<AuditBatch__Output, IngestAck>) => {
      const queue: AuditBatch__Output[] = [];
      let nodeId: string | undefined;
      let draining = false;
      let failed = false;
      const drain = async () => {
        if (draining || !nodeId || failed) return;
        draining = true;
        try {
          while (queue.length > 0) {
            const batch = queue.shift() as AuditBatch__Output;
            const r = await ingestBatch(deps.db, deps.keys(), { nodeId, jws: batch.jws, records: batch.records });
            deps.metrics?.auditBatch(r.status);
            if (r.status === "REJECTED")
              deps.log("warn", "audit batch refused", { nodeId, streamId: r.streamId, seq: r.seq, reason: r.reason });
            call.write({
              streamId: r.streamId,
              seq: String(r.seq),
              status: r.status,
              reason: r.reason,
              receipt: r.receipt,
              batchHash: r.batchHash,
            });
          }
        } catch (err) {
          failed = true;
          deps.metrics?.auditIngestFailure();
          deps.log("warn", "audit ingest failed; the node will retry", { nodeId, err: String(err) });
          call.emit("error", toServiceError(err));
        } finally {
          draining = false;
        }
      };
      call.on("data", (b: AuditBatch__Output) => {
        queue.push(b);
        void drain();
      });
      call.on("end", () => {
        const wait = () => (draining || queue.length > 0 ? setTimeout(wait, 10) : call.end());
        wait();
      });
      authenticateNode(deps.db, call.metadata).then(
        (node) => {
          nodeId = node.id;
          void drain();
        },
        (err) => call.emit("error", toServiceError(err)),
      );
    },
    Query: (call, callback) => {
      authenticateNode(deps.db, call.metadata)
        .then((node) => auditCursor(deps.db, node.id, call.request.streamId))
        .then(
          (c) =>
            callback(null, {
              streamId: c.streamId,
              lastSeq: String(c.lastSeq),
              lastBatchHash: c.lastBatchHash,
              lastEventSeq: String(c.lastEventSeq),
            }),
          (err) => callback(toServiceError(err)),
        );
    },
  };
}
