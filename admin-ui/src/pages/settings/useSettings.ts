// Data hooks of the Settings page: trusted issuers, signing keys, console users and API tokens. Each change
// reloads its list; secrets (a new API token) come back once from the mutation and are never cached.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useApi } from "../../api/ApiProvider.tsx";
import { dataOf, type Schemas } from "../../api/client.ts";

const LIMIT = 200;

function useInvalidate(key: string) {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: ["settings", key] });
}

export function useIssuers() {
  const api = useApi();
  return useQuery({
    queryKey: ["settings", "issuers"],
    queryFn: () => dataOf(api.client.GET("/api/v1/trusted-issuers", { params: { query: { limit: LIMIT } } })),
  });
}

export function useAddIssuer() {
  const api = useApi();
  const onSuccess = useInvalidate("issuers");
  return useMutation({
    mutationFn: (body: Schemas["TrustedIssuerInput"]) => dataOf(api.client.POST("/api/v1/trusted-issuers", { body })),
    onSuccess,
  });
}

export function useRemoveIssuer() {
  const api = useApi();
  const onSuccess = useInvalidate("issuers");
  return useMutation({
    mutationFn: async (id: string) => {
      await dataOf(api.client.DELETE("/api/v1/trusted-issuers/{id}", { params: { path: { id } } }));
    },
    onSuccess,
  });
}

/** Sets an issuer's revoked key ids (J11): a revoked kid is refused at the next token exchange. */
export function useRevokeIssuerKeys() {
  const api = useApi();
  const onSuccess = useInvalidate("issuers");
  return useMutation({
    mutationFn: ({ id, revokedKids }: { id: string; revokedKids: string[] }) =>
      dataOf(api.client.PATCH("/api/v1/trusted-issuers/{id}", { params: { path: { id } }, body: { revokedKids } })),
    onSuccess,
  });
}

export function useSigningKeys() {
  const api = useApi();
  return useQuery({
    queryKey: ["settings", "keys"],
    queryFn: () => dataOf(api.client.GET("/api/v1/keys", {})),
  });
}

export function useRotateKey() {
  const api = useApi();
  const onSuccess = useInvalidate("keys");
  return useMutation({
    mutationFn: () => dataOf(api.client.POST("/api/v1/keys/rotate", { body: {} })),
    onSuccess,
  });
}

export function useUsers() {
  const api = useApi();
  return useQuery({
    queryKey: ["settings", "users"],
    queryFn: () => dataOf(api.client.GET("/api/v1/users", { params: { query: { limit: LIMIT } } })),
  });
}

export function useCreateUser() {
  const api = useApi();
  const onSuccess = useInvalidate("users");
  return useMutation({
    mutationFn: (body: Schemas["UserInput"]) => dataOf(api.client.POST("/api/v1/users", { body })),
    onSuccess,
  });
}

export function useUpdateUser() {
  const api = useApi();
  const onSuccess = useInvalidate("users");
  return useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: Schemas["UserPatch"] }) =>
      dataOf(api.client.PATCH("/api/v1/users/{id}", { params: { path: { id } }, body: patch })),
    onSuccess,
  });
}

export function useApiTokens() {
  const api = useApi();
  return useQuery({
    queryKey: ["settings", "tokens"],
    queryFn: () => dataOf(api.client.GET("/api/v1/api-tokens", { params: { query: { limit: LIMIT } } })),
  });
}

export function useCreateApiToken() {
  const api = useApi();
  const onSuccess = useInvalidate("tokens");
  return useMutation({
    mutationFn: (body: Schemas["ApiTokenInput"]) => dataOf(api.client.POST("/api/v1/api-tokens", { body })),
    onSuccess,
  });
}

export function useRevokeApiToken() {
  const api = useApi();
  const onSuccess = useInvalidate("tokens");
  return useMutation({
    mutationFn: async (id: string) => {
      await dataOf(api.client.DELETE("/api/v1/api-tokens/{id}", { params: { path: { id } } }));
    },
    onSuccess,
  });
}
