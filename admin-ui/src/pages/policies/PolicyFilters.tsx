import { Icon } from "../../components/Icon.tsx";
import type { EffectFilter } from "./usePolicies.ts";

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
    <search className="filters">
      <label className="search-field">
        <Icon name="search" />
        <span className="visually-hidden">Search policies by name</span>
        <input
          type="search"
          placeholder="Search by name"
          value={q}
          maxLength={200}
          onChange={(e) => onQChange(e.target.value)}
        />
      </label>
      <label className="select-field">
        <span className="select-label">Effect</span>
        <select value={effect} onChange={(e) => onEffectChange(e.target.value as EffectFilter)}>
          <option value="">All</option>
          <option value="allow">Allow</option>
          <option value="deny">Deny</option>
          <option value="require_approval">Require approval</option>
        </select>
      </label>
    </search>
  );
}
