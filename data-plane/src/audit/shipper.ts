// Ships sealed audit batches over one AuditService.Ingest stream, strictly in seq order, with a bounded window in
// flight. Before each stream it asks AuditService.Query where the control plane's copy ends and drops what is
// already there. A batch is deleted only after an ACCEPTED or DUPLICATE ack with a valid receipt; REJECTED keeps
// it and retries with the shared backoff, surfacing the reason.
import type * as grpc from "@grpc/grpc-js";
import {
  type AuditBatch,
  type AuditCursor__Output,
  type AuditServiceClient,
  type IngestAck__Output,
  parseSafeUint,
  type TrustedKeys,
  verifyReceipt,
} from "@portcullis/proto";
import { type BackoffOptions, createBackoff, sleep } from "../config/backoff.ts";
import type { NodeCredentials } from "../identity/node-identity.ts";
import type { Logger } from "../log.ts";
import type { AuditSpool, SealedBatchInfo } from "./spool.ts";

export interface AuditShipperOptions {
  spool: AuditSpool;
  client: AuditServiceClient;
  credentials: NodeCredentials;
  /** The control plane's keys, to check ingest receipts. */
  cpKeys: TrustedKeys;
  logger: Logger;
  /** Batches sent but not yet acknowledged; default 8. */
  window?: number;
  /** Retry schedule; default 500 ms base, 30 s cap. */
  backoff?: BackoffOptions;
  /** Deadline of AuditService.Query; default 10 s. */
  queryTimeoutMs?: number;
}

export interface ShipperStatus {
  connected: boolean;
  /** Batches acknowledged since start. */
  acknowledged: number;
  /** Events in the batches acknowledged since start. */
  acknowledgedEvents: number;
  duplicates: number;
  /** The last REJECTED ack: the batch stays in the spool until the cause is fixed. */
  lastRejected?: { seq: number; reason: string; at: string };
  lastError?: string;
}

export interface AuditShipper {
  status(): ShipperStatus;
  /** Stops shipping (ends the stream; unacknowledged batches stay in the spool). */
  close(): Promise<void>;
}

/** A REJECTED ack or a protocol violation: the stream is abandoned and retried after a backoff. */
class IngestFailure extends Error {
  override readonly name = "IngestFailure";
}

export function startAuditShipper(options: AuditShipperOptions): AuditShipper {
  const { spool, logger } = options;
  const window = Math.max(1, options.window ?? 8);
  const backoff = createBackoff(options.backoff ?? { baseMs: 500, capMs: 30_000 });
  const stop = new AbortController();
  const status: ShipperStatus = { connected: false, acknowledged: 0, acknowledgedEvents: 0, duplicates: 0 };
  let activeCall: grpc.ClientDuplexStream<AuditBatch, IngestAck__Output> | undefined;
  let wake: (() => void) | undefined;
  const unsubscribe = spool.onSealed(() => wake?.());

  function waitForBatches(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (stop.signal.aborted) return reject(stop.signal.reason);
      if (spool.pendingBatches().length > 0) return resolve();
      const onAbort = () => {
        wake = undefined;
        reject(stop.signal.reason);
      };
      wake = () => {
        if (spool.pendingBatches().length === 0) return;
        wake = undefined;
        stop.signal.removeEventListener("abort", onAbort);
        resolve();
      };
      stop.signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  function queryCursor(): Promise<AuditCursor__Output> {
    return new Promise((resolve, reject) => {
      options.client.Query(
        { streamId: spool.streamId },
        options.credentials(),
        { deadline: Date.now() + (options.queryTimeoutMs ?? 10_000) },
        (error, cursor) => (error || !cursor ? reject(error ?? new Error("empty cursor")) : resolve(cursor)),
      );
    });
  }

  /** One Ingest stream: sends pending batches in order and processes acks until it ends or fails. */
  function ingest(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const call = options.client.Ingest(options.credentials());
      activeCall = call;
      const inFlight: SealedBatchInfo[] = [];
      let lastSentSeq = spool.lastAcked().seq;
      let highestAckedSeq = lastSentSeq;
      let open = true;
      let pumping = false;
      let acks: Promise<void> = Promise.resolve();

      const finish = (error?: Error) => {
        if (!open) return;
        open = false;
        status.connected = false;
        activeCall = undefined;
        unwatch();
        call.cancel();
        // Acknowledgements already received are made durable before the next stream queries the cursor.
        void acks.then(
          () => (error ? reject(error) : resolve()),
          (ackError: Error) => reject(ackError),
        );
      };

      const pump = async () => {
        if (pumping) return;
        pumping = true;
        try {
          while (open && inFlight.length < window) {
            const next = spool.batchAfter(lastSentSeq);
            if (!next) break;
            const { jws, records } = await spool.readBatch(next);
            if (!open) break;
            lastSentSeq = next.seq;
            inFlight.push(next);
            if (!call.write({ jws, records })) await new Promise((r) => call.once("drain", r));
          }
        } catch (error) {
          finish(error as Error);
        } finally {
          pumping = false;
        }
      };
      const unwatch = spool.onSealed(() => void pump());

      call.on("data", (ack: IngestAck__Output) => {
        if (!open) return;
        status.connected = true;
        const seq = parseSafeUint(ack.seq);
        const expected = inFlight[0];
        if (seq !== undefined && seq <= highestAckedSeq && ack.streamId === spool.streamId) {
          logger.debug({ seq }, "ignoring a repeated ack for an acknowledged batch");
          return;
        }
        if (expected && ack.status === "REJECTED") {
          // Acks come one per batch, in order; a rejection of a batch it could not parse names no stream or seq.
          const reason = ack.reason || "no reason given";
          status.lastRejected = { seq: expected.seq, reason, at: new Date().toISOString() };
          logger.error({ seq: expected.seq, reason }, "the control plane rejected an audit batch; keeping it");
          return finish(new IngestFailure(`batch ${expected.seq} rejected: ${reason}`));
        }
        if (!expected || seq !== expected.seq || ack.streamId !== spool.streamId) {
          return finish(
            new IngestFailure(`unexpected ack for ${ack.streamId}#${ack.seq}; expected batch ${expected?.seq}`),
          );
        }
        if (ack.status !== "ACCEPTED" && ack.status !== "DUPLICATE") {
          return finish(new IngestFailure(`ack for batch ${expected.seq} has status ${ack.status}`));
        }
        if (ack.batchHash !== expected.batchHash) {
          return finish(new IngestFailure(`ack for batch ${expected.seq} names a different batch hash`));
        }
        const receipt = verifyReceipt(ack.receipt, options.cpKeys, { batchHash: expected.batchHash });
        if (!receipt.ok) {
          return finish(new IngestFailure(`receipt for batch ${expected.seq} refused: ${receipt.code}`));
        }
        inFlight.shift();
        highestAckedSeq = expected.seq;
        status.acknowledged += 1;
        status.acknowledgedEvents += expected.count;
        if (ack.status === "DUPLICATE") status.duplicates += 1;
        status.lastRejected = undefined;
        backoff.reset();
        const acknowledged = spool.acknowledge(expected, ack.receipt);
        acks = acks.then(() => acknowledged);
        acknowledged.catch((error: Error) => {
          logger.error({ err: String(error) }, "recording an audit ack failed");
          finish(error);
        });
        void pump();
      });
      call.on("error", (error: grpc.ServiceError) => finish(new Error(error.details || error.message)));
      call.on("end", () => finish(new Error("the control plane ended the ingest stream")));
      void pump();
    });
  }

  const running = (async () => {
    while (!stop.signal.aborted) {
      try {
        await waitForBatches();
      } catch {
        return;
      }
      try {
        const cursor = await queryCursor();
        const dropped = await spool.reconcile(cursor);
        if (dropped > 0) logger.info({ dropped }, "the control plane already holds some spooled batches");
        if (spool.pendingBatches().length > 0) await ingest();
        continue;
      } catch (error) {
        if (stop.signal.aborted) return;
        status.lastError = (error as Error).message;
        logger.warn({ err: status.lastError }, "audit shipping interrupted; will retry");
      }
      try {
        await sleep(backoff.next(), stop.signal);
      } catch {
        return;
      }
    }
  })();

  return {
    status: () => ({ ...status }),
    async close() {
      stop.abort(new Error("audit shipper closed"));
      unsubscribe();
      activeCall?.cancel();
      await running;
    },
  };
}
