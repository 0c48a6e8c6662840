import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useApi } from "../../api/ApiProvider.tsx";
import { dataOf } from "../../api/client.ts";
import { isoOf } from "../audit/useAuditEvents.ts";

export interface SessionFilters {
  operator: string;
  /** `datetime-local` values: sessions started in [from, to). */
  from: string;
  to: string;
}

export const SESSIONS_PAGE_SIZE = 25;

export function sessionQuery(f: SessionFilters): { operator?: string; from?: string; to?: string } {
  const operator = f.operator.trim();
  const from = isoOf(f.from);
  const to = isoOf(f.to);
  return { ...(operator ? { operator } : {}), ...(from ? { from } : {}), ...(to ? { to } : {}) };
}

/** One page of GET /api/v1/sessions. */
export function useSessions(filters: SessionFilters, cursor: string | undefined) {
  const api = useApi();
  const query = sessionQuery(filters);
  return useQuery({
    queryKey: ["sessions", "list", query, cursor],
    queryFn: () =>
      dataOf(
        api.client.GET("/api/v1/sessions", {
          params: { query: { limit: SESSIONS_PAGE_SIZE, ...query, ...(cursor ? { cursor } : {}) } },
        }),
      ),
    placeholderData: keepPreviousData,
  });
}

/** GET /api/v1/sessions/{id}/timeline: the calls and the verified integrity of their batches. */
export function useSessionTimeline(id: string) {
  const api = useApi();
  return useQuery({
    queryKey: ["sessions", "timeline", id],
    queryFn: () => dataOf(api.client.GET("/api/v1/sessions/{id}/timeline", { params: { path: { id } } })),
    // An open session may still receive calls.
    refetchInterval: (q) => (q.state.data?.open ? 10_000 : false),
  });
}
