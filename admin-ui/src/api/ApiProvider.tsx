// Makes one ConsoleApi available to every hook, so tests can hand in a client over a fake fetch.
import { createContext, type ReactNode, useContext } from "react";
import type { ConsoleApi } from "./client.ts";

const ApiContext = createContext<ConsoleApi | undefined>(undefined);

export function ApiProvider({ api, children }: { api: ConsoleApi; children: ReactNode }) {
  return <ApiContext.Provider value={api}>{children}</ApiContext.Provider>;
}

export function useApi(): ConsoleApi {
  const api = useContext(ApiContext);
  if (!api) throw new Error("useApi must be used inside <ApiProvider>");
  return api;
}
