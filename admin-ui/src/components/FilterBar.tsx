// The filter bar of a list page: a name search and one select (All plus the given options).
import { Icon } from "./Icon.tsx";

export function FilterBar<V extends string>({
  noun,
  q,
  onQChange,
  selectLabel,
  value,
  options,
  onValueChange,
}: {
  /** What is searched, e.g. "agents" (read by screen readers as "Search agents by name"). */
  noun: string;
  q: string;
  onQChange: (q: string) => void;
  selectLabel: string;
  value: V | "";
  options: readonly (readonly [V, string])[];
  onValueChange: (value: V | "") => void;
}) {
  return (
    <search className="filters">
      <label className="search-field">
        <Icon name="search" />
        <span className="visually-hidden">Search {noun} by name</span>
        <input
          type="search"
          placeholder="Search by name"
          value={q}
          maxLength={200}
          onChange={(e) => onQChange(e.target.value)}
        />
      </label>
      <label className="select-field">
        <span className="select-label">{selectLabel}</span>
        <select value={value} onChange={(e) => onValueChange(e.target.value as V | "")}>
          <option value="">All</option>
          {options.map(([v, label]) => (
            <option key={v} value={v}>
              {label}
            </option>
          ))}
        </select>
      </label>
    </search>
  );
}
