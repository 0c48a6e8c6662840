// Search by name and filter by trust level.
import { FilterBar } from "../../components/FilterBar.tsx";
import type { TrustFilter } from "./useAgents.ts";

const trustLevels = [
  ["first_party", "First party"],
  ["third_party", "Third party"],
] as const;

export function AgentFilters({
  q,
  trust,
  onQChange,
  onTrustChange,
}: {
  q: string;
  trust: TrustFilter;
  onQChange: (q: string) => void;
  onTrustChange: (trust: TrustFilter) => void;
}) {
  return (
    <FilterBar
      noun="agents"
      q={q}
      onQChange={onQChange}
      selectLabel="Trust"
      value={trust}
      options={trustLevels}
      onValueChange={onTrustChange}
    />
  );
}
