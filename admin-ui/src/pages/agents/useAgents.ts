import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useApi } from "../../api/ApiProvider.tsx";
import { dataOf } from "../../api/client.ts";

export type TrustFilter = "" | "first_party" | "third_party";

export interface AgentQuery {
  q: string;
  trust: TrustFilter;
  cursor: string | undefined;
}

export const PAGE_SIZE = 25;

/** One page of GET /api/v1/agents; the previous page stays on screen while the next one loads. */
export function useAgents({ q, trust, cursor }: AgentQuery) {
  const api = useApi();
  return useQuery({
    queryKey: ["agents", "list", { q, trust, cursor }],
    queryFn: () =>
      dataOf(
        api.client.GET("/api/v1/agents", {
          params: {
            query: {
              limit: PAGE_SIZE,
              ...(q ? { q } : {}),
              ...(trust ? { trust } : {}),
              ...(cursor ? { cursor } : {}),
            },
          },
        }),
      ),
    placeholderData: keepPreviousData,
  });
}
