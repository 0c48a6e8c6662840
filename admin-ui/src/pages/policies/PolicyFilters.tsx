// Search by name and filter by effect.
import { FilterBar } from "../../components/FilterBar.tsx";
import type { EffectFilter } from "./usePolicies.ts";

const effects = [
  ["allow", "Allow"],
  ["deny", "Deny"],
  ["require_approval", "Require approval"],
] as const;

export function PolicyFilters({
  q,
  effect,
  onQChange,
  onEffectChange,
}: {
  q: string;
  effect: EffectFilter;
  onQChange: (q: string) => void;
  onEffectChange: (effect: EffectFilter) => void;
}) {
  return (
    <FilterBar
      noun="policies"
      q={q}
      onQChange={onQChange}
      selectLabel="Effect"
      value={effect}
      options={effects}
      onValueChange={onEffectChange}
    />
  );
}
