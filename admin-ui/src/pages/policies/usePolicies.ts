import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useApi } from "../../api/ApiProvider.tsx";
import { dataOf } from "../../api/client.ts";

export type EffectFilter = "" | "allow" | "deny" | "require_approval";

export const PAGE_SIZE = 25;

/** One page of GET /api/v1/policies (each policy at its current version). */
export function usePolicies({ q, effect, cursor }: { q: string; effect: EffectFilter; cursor: string | undefined }) {
  const api = useApi();
  return useQuery({
    queryKey: ["policies", "list", { q, effect, cursor }],
    queryFn: () =>
      dataOf(
        api.client.GET("/api/v1/policies", {
          params: {
            query: {
              limit: PAGE_SIZE,
              ...(q ? { q } : {}),
              ...(effect ? { effect } : {}),
              ...(cursor ? { cursor } : {}),
            },
          },
        }),
      ),
    placeholderData: keepPreviousData,
  });
}
