import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useApi } from "../../api/ApiProvider.tsx";
import { dataOf } from "../../api/client.ts";

/** Pending approvals are time-critical (an agent may be waiting): the inbox refreshes every 5 s. */
export const APPROVALS_REFRESH_MS = 5_000;

export type ApprovalStatusFilter = "" | "pending" | "approved" | "consumed" | "rejected" | "expired";

const approvalsKey = ["approvals"] as const;

/** GET /api/v1/approvals with the state and tool filters, newest first (the first 100 is the inbox). */
export function useApprovals(status: ApprovalStatusFilter, tool: string) {
  const api = useApi();
  return useQuery({
    queryKey: [...approvalsKey, "list", status, tool],
    queryFn: () =>
      dataOf(
        api.client.GET("/api/v1/approvals", {
          params: { query: { limit: 100, ...(status ? { status } : {}), ...(tool ? { tool } : {}) } },
        }),
      ),
    refetchInterval: APPROVALS_REFRESH_MS,
    staleTime: 0,
  });
}

/** GET /api/v1/approvals/{id}, for a deep link to one approval. */
export function useApproval(id: string | null) {
  const api = useApi();
  return useQuery({
    queryKey: [...approvalsKey, "one", id],
    queryFn: () => dataOf(api.client.GET("/api/v1/approvals/{id}", { params: { path: { id: id as string } } })),
    enabled: id !== null,
    refetchInterval: APPROVALS_REFRESH_MS,
  });
}

/** POST /api/v1/approvals/{id}/decision, then reloads the inbox. */
export function useDecideApproval() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, decision, comment }: { id: string; decision: "approve" | "reject"; comment: string }) =>
      dataOf(
        api.client.POST("/api/v1/approvals/{id}/decision", {
          params: { path: { id } },
          body: { decision, comment },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: approvalsKey }),
  });
}
