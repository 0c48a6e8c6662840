// Data hooks of one policy: read it, check a draft as the user types, save (a new version), its versions, a diff
// between two of them, rollback, and simulation.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useApi } from "../../api/ApiProvider.tsx";
import { dataOf, type PolicyDraft, type PolicyInput, type SimulationInput } from "../../api/client.ts";

export function usePolicy(id: string | undefined) {
  const api = useApi();
  return useQuery({
    queryKey: ["policies", "one", id],
    queryFn: () => dataOf(api.client.GET("/api/v1/policies/{id}", { params: { path: { id: id as string } } })),
    enabled: id !== undefined,
  });
}

/** POST /api/v1/policies/check for a (debounced) draft: compile errors with positions, and inferred types. */
export function usePolicyCheck(draft: PolicyDraft) {
  const api = useApi();
  return useQuery({
    queryKey: ["policies", "check", draft],
    queryFn: () => dataOf(api.client.POST("/api/v1/policies/check", { body: draft })),
    placeholderData: keepPreviousData,
    staleTime: Number.POSITIVE_INFINITY,
  });
}

/** Creates a policy, or appends a version to one (refused with 409 if someone saved in between). */
export function useSavePolicy(id: string | undefined, expectedVersion: number | undefined) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: PolicyInput) =>
      id === undefined
        ? dataOf(api.client.POST("/api/v1/policies", { body: input }))
        : dataOf(
            api.client.PATCH("/api/v1/policies/{id}", {
              params: { path: { id } },
              body: { ...input, ...(expectedVersion === undefined ? {} : { expectedVersion }) },
            }),
          ),
    onSuccess: (policy) => {
      queryClient.setQueryData(["policies", "one", policy.id], policy);
      return queryClient.invalidateQueries({ queryKey: ["policies"], predicate: (q) => q.queryKey[1] !== "one" });
    },
  });
}

export function usePolicyVersions(id: string) {
  const api = useApi();
  return useQuery({
    queryKey: ["policies", "versions", id],
    queryFn: () => dataOf(api.client.GET("/api/v1/policies/{id}/versions", { params: { path: { id } } })),
  });
}

export function usePolicyDiff(id: string, from: number | undefined, to: number | undefined) {
  const api = useApi();
  return useQuery({
    queryKey: ["policies", "diff", id, from, to],
    queryFn: () =>
      dataOf(
        api.client.GET("/api/v1/policies/{id}/diff", {
          params: { path: { id }, query: { from: from as number, to: to as number } },
        }),
      ),
    enabled: from !== undefined && to !== undefined && from !== to,
    placeholderData: keepPreviousData,
  });
}

export function useRollback(id: string) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ toVersion, comment }: { toVersion: number; comment: string }) =>
      dataOf(
        api.client.POST("/api/v1/policies/{id}/rollback", {
          params: { path: { id } },
          body: { toVersion, ...(comment ? { comment } : {}) },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["policies"] }),
  });
}

export function useSimulation() {
  const api = useApi();
  return useMutation({
    mutationFn: (input: SimulationInput) => dataOf(api.client.POST("/api/v1/policies/simulate", { body: input })),
  });
}
