// Search by name and filter by trust level.
import { Icon } from "../../components/Icon.tsx";
import type { TrustFilter } from "./useAgents.ts";

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
    <search className="filters">
      <label className="search-field">
        <Icon name="search" />
        <span className="visually-hidden">Search agents by name</span>
        <input
          type="search"
          placeholder="Search by name"
          value={q}
          maxLength={200}
          onChange={(e) => onQChange(e.target.value)}
        />
      </label>
      <label className="select-field">
        <span className="select-label">Trust</span>
        <select value={trust} onChange={(e) => onTrustChange(e.target.value as TrustFilter)}>
          <option value="">All</option>
          <option value="first_party">First party</option>
          <option value="third_party">Third party</option>
        </select>
      </label>
    </search>
  );
}
