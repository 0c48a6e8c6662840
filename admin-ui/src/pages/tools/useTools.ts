import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useApi } from "../../api/ApiProvider.tsx";
import { dataOf } from "../../api/client.ts";

export type StatusFilter = "" | "active" | "quarantined" | "disabled";
export const PAGE_SIZE = 25;

/** One page of GET /api/v1/tools. */
export function useTools({ q, status, cursor }: { q: string; status: StatusFilter; cursor: string | undefined }) {
  const api = useApi();
  return useQuery({
    queryKey: ["tools", "list", { q, status, cursor }],
    queryFn: () =>
      dataOf(
        api.client.GET("/api/v1/tools", {
          params: {
            query: {
              limit: PAGE_SIZE,
              ...(q ? { q } : {}),
              ...(status ? { status } : {}),
              ...(cursor ? { cursor } : {}),
            },
          },
        }),
      ),
    placeholderData: keepPreviousData,
  });
}

/** Tools waiting for review (quarantined), for the banner at the top. */
export function useQuarantined() {
  const api = useApi();
  return useQuery({
    queryKey: ["tools", "quarantined"],
    queryFn: () =>
      dataOf(api.client.GET("/api/v1/tools", { params: { query: { status: "quarantined", limit: 200 } } })),
  });
}

/** Upstream names by id (the first 200 upstreams; a tool on another shows its id). */
export function useUpstreamNames() {
  const api = useApi();
  return useQuery({
    queryKey: ["upstreams", "names"],
    queryFn: async () => {
      const page = await dataOf(api.client.GET("/api/v1/upstreams", { params: { query: { limit: 200 } } }));
      return new Map(page.items.map((u) => [u.id, { name: u.name, kind: u.kind }]));
    },
  });
}

/** POST /api/v1/tools/{id}/approve with the pending hash that was reviewed. */
export function useApproveTool() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, pendingHash, comment }: { id: string; pendingHash: string; comment: string }) =>
      dataOf(
        api.client.POST("/api/v1/tools/{id}/approve", {
          params: { path: { id } },
          body: { pendingHash, ...(comment ? { comment } : {}) },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["tools"] }),
  });
}
