import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useApi } from "../../api/ApiProvider.tsx";
import { dataOf } from "../../api/client.ts";

export const OVERVIEW_REFRESH_MS = 15_000;

export const windows = [
  { minutes: 60, label: "Last hour" },
  { minutes: 360, label: "6 hours" },
  { minutes: 1440, label: "24 hours" },
  { minutes: 10_080, label: "7 days" },
] as const;

/** "in the last hour", "in the last 7 days" */
export function windowLabel(minutes: number): string {
  const w = windows.find((x) => x.minutes === minutes);
  return w ? `in the last ${w.label === "Last hour" ? "hour" : w.label}` : `in the last ${minutes} minutes`;
}

/** GET /api/v1/overview for a window, refreshed every 15 s. */
export function useOverview(minutes: number) {
  const api = useApi();
  return useQuery({
    queryKey: ["overview", minutes],
    queryFn: () => dataOf(api.client.GET("/api/v1/overview", { params: { query: { minutes } } })),
    refetchInterval: OVERVIEW_REFRESH_MS,
    placeholderData: keepPreviousData,
  });
}
