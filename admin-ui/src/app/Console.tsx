// The console with its providers: the API client and the query cache.
import { type QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { ApiProvider } from "../api/ApiProvider.tsx";
import type { ConsoleApi } from "../api/client.ts";
import { App } from "./App.tsx";

export function Console({ api, queryClient }: { api: ConsoleApi; queryClient: QueryClient }) {
  return (
    <ApiProvider api={api}>
      <QueryClientProvider client={queryClient}>
        <App />
      </QueryClientProvider>
    </ApiProvider>
  );
}
