// Sections that are not built yet: says what the page will show instead of leaving it blank.
import type { NavItem } from "../app/sections.ts";
import { Icon } from "../components/Icon.tsx";
import { PageHeader } from "../components/PageHeader.tsx";

export function PlannedPage({ item }: { item: NavItem }) {
  return (
    <>
      <PageHeader title={item.label} description={item.summary} access={item.access} />
      <section className="state planned" aria-label={`${item.label} is coming soon`}>
        <div className="state-icon">
          <Icon name={item.id} />
        </div>
        <h2 className="state-title">{item.label} is coming soon</h2>
        <p className="state-body">This page is not in the console yet. When it is, it will show:</p>
        <ul className="planned-list">
          {(item.planned ?? []).map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
      </section>
    </>
  );
}
