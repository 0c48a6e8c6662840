import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useApi } from "../../api/ApiProvider.tsx";
import { dataOf } from "../../api/client.ts";

/** How often the node list refreshes: node status (online, sync, spool) changes by the second. */
export const NODES_REFRESH_MS = 5_000;

const nodesKey = ["nodes", "list"] as const;

/** GET /api/v1/nodes, refreshed every 5 s while the page is open (paused while the tab is in the background). */
export function useNodes() {
  const api = useApi();
  return useQuery({
    queryKey: nodesKey,
    queryFn: () => dataOf(api.client.GET("/api/v1/nodes", {})),
    refetchInterval: NODES_REFRESH_MS,
    staleTime: 0,
  });
}

/** The gateway groups a node can enroll into (the first 200 is plenty for a picker). */
export function useGatewayGroups(enabled: boolean) {
  const api = useApi();
  return useQuery({
    queryKey: ["gateway-groups", "picker"],
    queryFn: () => dataOf(api.client.GET("/api/v1/gateway-groups", { params: { query: { limit: 200 } } })),
    enabled,
  });
}

/** POST /api/v1/gateway-groups/{id}/bootstrap-tokens: the token and command come back once and are never cached. */
export function useCreateBootstrapToken() {
  const api = useApi();
  return useMutation({
    mutationFn: ({ groupId, expiresInMinutes }: { groupId: string; expiresInMinutes: number }) =>
      dataOf(
        api.client.POST("/api/v1/gateway-groups/{id}/bootstrap-tokens", {
          params: { path: { id: groupId } },
          body: { expiresInMinutes },
        }),
      ),
  });
}

/** POST /api/v1/nodes/{id}/revoke, then reloads the list (a revoked node leaves it). */
export function useRevokeNode() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, reason }: { id: string; reason: string }) => {
      await dataOf(api.client.POST("/api/v1/nodes/{id}/revoke", { params: { path: { id } }, body: { reason } }));
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: nodesKey }),
  });
}
