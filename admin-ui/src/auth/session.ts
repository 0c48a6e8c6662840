// The console session: who is signed in (GET /auth/session), signing in and out. A 401 anywhere means the
// session has ended, and the console falls back to the sign-in page.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useApi } from "../api/ApiProvider.tsx";
import { dataOf, type SessionInfo } from "../api/client.ts";
import { ApiError } from "../api/errors.ts";

export const sessionKey = ["session"] as const;

/** The current session, or null when nobody is signed in. */
export function useSession() {
  const api = useApi();
  return useQuery({
    queryKey: sessionKey,
    queryFn: async (): Promise<SessionInfo | null> => {
      try {
        const session = await dataOf(api.client.GET("/api/v1/auth/session"));
        api.csrf.current = session.csrfToken;
        return session;
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) {
          api.csrf.current = undefined;
          return null;
        }
        throw err;
      }
    },
    staleTime: 60_000,
  });
}

export function useSignIn() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { email: string; password: string }) =>
      dataOf(api.client.POST("/api/v1/auth/login", { body: input })),
    onSuccess: (session) => {
      api.csrf.current = session.csrfToken;
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== sessionKey[0] });
      queryClient.setQueryData(sessionKey, session);
    },
  });
}

export function useSignOut() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async () => {
      try {
        await api.client.POST("/api/v1/auth/logout");
      } catch (err) {
        // Already signed out on the server: the outcome the user asked for.
        if (!(err instanceof ApiError && err.status === 401)) throw err;
      }
    },
    onSuccess: () => {
      api.csrf.current = undefined;
      // Marks this history entry so the sign-in page does not offer to return to the page the user chose to leave.
      window.history.replaceState({ signedOut: true }, "");
      queryClient.setQueryData(sessionKey, null);
      queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== sessionKey[0] });
    },
  });
}

/** True when the current history entry is where the user signed out. */
export function signedOutHere(): boolean {
  const state: unknown = window.history.state;
  return typeof state === "object" && state !== null && (state as { signedOut?: unknown }).signedOut === true;
}
