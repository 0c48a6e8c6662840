// GET /api/v1/audit/events/export: every event a search selects, streamed as JSON Lines or CSV, with the signed
// record of each event and where it is stored (stream, batch, seq) so it can be matched to its proof.
import { createRoute, z } from "@hono/zod-openapi";
import { type AuditEventView, allAuditEvents, eventConditions } from "../../services/audit-events.ts";
import { authorize } from "../../services/rbac.ts";
import { type ApiApp, errorResponses, serviceContext } from "../common.ts";
import { AuditEventFilters, auditEventOut } from "./audit-events.schemas.ts";

const formats = ["jsonl", "csv"] as const;

export const route = createRoute({
  method: "get",
  path: "/api/v1/audit/events/export",
  operationId: "exportAuditEvents",
  tags: ["audit"],
  summary: "Export audit events (JSON Lines or CSV)",
  description:
    "Streams every event the filters select, newest first: one JSON object per line (`jsonl`, each as in " +
    "`searchAuditEvents`) or CSV with a header row. Each event carries its signed record. A failure half-way " +
    "aborts the transfer rather than ending it cleanly, so a truncated file is never mistaken for a complete one.",
  request: {
    query: AuditEventFilters.extend({
      format: z
        .enum(formats, { error: "expected jsonl or csv" })
        .default("jsonl")
        .openapi({ description: "jsonl (default) or csv" }),
    }),
  },
  responses: {
    200: {
      description: "The events",
      content: {
        "application/x-ndjson": { schema: z.string().openapi({ description: "One AuditEvent per line" }) },
        "text/csv": { schema: z.string() },
      },
    },
    ...errorResponses,
  },
});

export const permission = "audit:read";

export const csvColumns = [
  "at",
  "id",
  "sessionId",
  "agent",
  "operator",
  "tool",
  "decision",
  "outcome",
  "code",
  "reason",
  "policiesDeciding",
  "policiesMatched",
  "argsSha256",
  "latencyUs",
  "nodeId",
  "streamId",
  "batchSeq",
  "eventSeq",
  "record",
] as const;

/** One CSV field: quoted when needed, and never starting with a character a spreadsheet runs as a formula. */
export function csvField(value: unknown): string {
  let s =
    value === null || value === undefined
      ? ""
      : Array.isArray(value)
        ? value.map((p: { id: string; name: string | null }) => p.name ?? p.id).join(" ")
        : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function line(format: (typeof formats)[number], e: AuditEventView): string {
  const out = auditEventOut(e);
  if (format === "jsonl") return `${JSON.stringify(out)}\n`;
  return `${csvColumns.map((k) => csvField(out[k])).join(",")}\r\n`;
}

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const ctx = serviceContext(c);
    authorize(ctx.actor, "audit:read");
    const { format, ...filter } = c.req.valid("query");
    eventConditions(filter); // bad filters answer 400 before anything is streamed
    const events = allAuditEvents(ctx, filter);
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        if (format === "csv") controller.enqueue(encoder.encode(`${csvColumns.join(",")}\r\n`));
      },
      async pull(controller) {
        try {
          const next = await events.next();
          if (next.done) controller.close();
          else controller.enqueue(encoder.encode(line(format, next.value)));
        } catch (error) {
          ctx.logger.error({ err: (error as Error).message, requestId: ctx.requestId }, "audit export failed");
          controller.error(new Error("export failed"));
        }
      },
      async cancel() {
        await events.return(undefined);
      },
    });
    const stamp = new Date().toISOString().replaceAll(/[:.]/g, "-");
    return new Response(body, {
      status: 200,
      headers: {
        "content-type": format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
        "content-disposition": `attachment; filename="portcullis-audit-${stamp}.${format}"`,
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
      },
    });
  });
}
