import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useApi } from "../../api/ApiProvider.tsx";
import { dataOf } from "../../api/client.ts";

/** The audit search filters, as the console's form holds them (empty string = no filter). */
export interface AuditFilters {
  agent: string;
  operator: string;
  tool: string;
  session: string;
  decision: "" | "allow" | "deny" | "require_approval";
  outcome: string;
  code: string;
  /** `datetime-local` values (the browser's local time), converted to ISO 8601 for the API. */
  from: string;
  to: string;
}

export const noAuditFilters: AuditFilters = {
  agent: "",
  operator: "",
  tool: "",
  session: "",
  decision: "",
  outcome: "",
  code: "",
  from: "",
  to: "",
};

export const AUDIT_PAGE_SIZE = 25;

/** A `datetime-local` value as ISO 8601 (UTC), or undefined when empty or not a date. */
export function isoOf(local: string): string | undefined {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** The API's query for these filters: only the fields that are set. */
export function auditQuery(f: AuditFilters): Record<string, string> {
  const q: Record<string, string> = {};
  for (const key of ["agent", "operator", "tool", "session", "decision", "outcome", "code"] as const) {
    const v = f[key].trim();
    if (v) q[key] = v;
  }
  const from = isoOf(f.from);
  const to = isoOf(f.to);
  if (from) q.from = from;
  if (to) q.to = to;
  return q;
}

/** The export URL for these filters: a plain link, so the browser streams the download with the session cookie. */
export function exportUrl(f: AuditFilters, format: "jsonl" | "csv"): string {
  return `/api/v1/audit/events/export?${new URLSearchParams({ ...auditQuery(f), format })}`;
}

/** One page of GET /api/v1/audit/events; the previous page stays on screen while the next one loads. */
export function useAuditEvents(filters: AuditFilters, cursor: string | undefined) {
  const api = useApi();
  const query = auditQuery(filters);
  return useQuery({
    queryKey: ["audit", "events", query, cursor],
    queryFn: () =>
      dataOf(
        api.client.GET("/api/v1/audit/events", {
          params: { query: { limit: AUDIT_PAGE_SIZE, ...query, ...(cursor ? { cursor } : {}) } },
        }),
      ),
    placeholderData: keepPreviousData,
  });
}
