// Webhook notification of new approval requests: one signed JSON POST per request, retried with exponential
// backoff until the receiver answers 2xx or the attempts run out. Delivery state is kept on the approval row
// (notified_at, notify_attempts, notify_error) for the console. A failed webhook never blocks the approval itself.
import { createHmac } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Logger } from "pino";
import type { Db } from "../db/client.ts";
import { approvals } from "../db/schema.ts";
import type { ApprovalRow } from "./approvals.ts";

export const SIGNATURE_HEADER = "portcullis-signature";

export interface WebhookOptions {
  url: string;
  /** HMAC-SHA256 key; the signature header is `t=<unix seconds>,v1=<hex HMAC of "<t>.<body>">`. */
  secret: string;
  db: Db;
  logger: Logger;
  decideUrl: (id: string) => string;
  /** Attempts in all (default 5) and the first retry delay (default 1 s, doubled each time). */
  attempts?: number;
  baseDelayMs?: number;
  timeoutMs?: number;
}

/** `t=<unix seconds>,v1=<hex>`: what a receiver recomputes over `${t}.${rawBody}` with the shared secret. */
export function signWebhook(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac("sha256", secret).update(`${unixSeconds}.${body}`).digest("hex");
  return `t=${unixSeconds},v1=${mac}`;
}

export function approvalWebhookBody(row: ApprovalRow, decideUrl: string): string {
  return JSON.stringify({
    type: "approval.requested",
    approval: {
      id: row.id,
      tool: row.tool,
      agent: row.agentName ?? row.agentId,
      operator: row.operatorEmail ?? row.operatorSub,
      sessionId: row.sessionId,
      argsSha256: row.argsSha256,
      approvers: row.approvers,
      policyId: row.policyId,
      createdAt: row.createdAt.toISOString(),
      expiresAt: row.expiresAt.toISOString(),
      decideUrl,
    },
  });
}

export function createApprovalWebhook(options: WebhookOptions): {
  notify(row: ApprovalRow): void;
  /** Resolves when every delivery in progress has finished (tests, shutdown). */
  idle(): Promise<void>;
  close(): void;
} {
  const attempts = options.attempts ?? 5;
  const baseDelayMs = options.baseDelayMs ?? 1_000;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const inFlight = new Set<Promise<void>>();
  const stop = new AbortController();

  async function deliver(row: ApprovalRow): Promise<void> {
    const body = approvalWebhookBody(row, options.decideUrl(row.id));
    let lastError = "";
    for (let attempt = 1; attempt <= attempts && !stop.signal.aborted; attempt++) {
      try {
        const res = await fetch(options.url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            [SIGNATURE_HEADER]: signWebhook(options.secret, body, Math.floor(Date.now() / 1000)),
            "portcullis-event": "approval.requested",
            "portcullis-delivery": `${row.id}.${attempt}`,
          },
          body,
          redirect: "manual",
          signal: AbortSignal.any([stop.signal, AbortSignal.timeout(timeoutMs)]),
        });
        await res.body?.cancel();
        if (res.status >= 200 && res.status < 300) {
          await options.db
            .update(approvals)
            .set({ notifiedAt: new Date(), notifyAttempts: attempt, notifyError: null })
            .where(eq(approvals.id, row.id));
          return;
        }
        lastError = `HTTP ${res.status}`;
      } catch (err) {
        lastError = (err as Error).name === "TimeoutError" ? "timed out" : "connection failed";
      }
      await options.db
        .update(approvals)
        .set({ notifyAttempts: attempt, notifyError: lastError })
        .where(eq(approvals.id, row.id))
        .catch(() => {});
      if (attempt < attempts) await sleep(baseDelayMs * 2 ** (attempt - 1), stop.signal);
    }
    options.logger.warn({ approval: row.id, err: lastError }, "approval webhook not delivered");
  }

  return {
    notify(row) {
      const p = deliver(row).catch((err) =>
        options.logger.warn({ approval: row.id, err: String(err) }, "approval webhook failed"),
      );
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    },
    idle: async () => {
      await Promise.all([...inFlight]);
    },
    close: () => stop.abort(),
  };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
