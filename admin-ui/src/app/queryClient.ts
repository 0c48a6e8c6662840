// One QueryClient per console: retries only what may succeed on retry, and treats a 401 from any query as the
// end of the session (the console then shows the sign-in page).
import { QueryCache, QueryClient } from "@tanstack/react-query";
import { ApiError } from "../api/errors.ts";
import { sessionKey } from "../auth/session.ts";

export function createQueryClient(): QueryClient {
  const queryClient: QueryClient = new QueryClient({
    queryCache: new QueryCache({
      onError: (err, query) => {
        if (err instanceof ApiError && err.status === 401 && query.queryKey[0] !== sessionKey[0]) {
          queryClient.setQueryData(sessionKey, null);
        }
      },
    }),
    defaultOptions: {
      queries: {
        retry: (failures, err) => failures < 2 && !(err instanceof ApiError && err.status >= 400 && err.status < 500),
        staleTime: 15_000,
      },
      mutations: { retry: false },
    },
  });
  return queryClient;
}
