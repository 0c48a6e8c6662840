// Audit: search every call the data planes recorded, and export the selection (JSON Lines or CSV) with the
// signed record of each event.
import { useState } from "react";
import type { NavItem } from "../../app/sections.ts";
import { PageHeader } from "../../components/PageHeader.tsx";
import { Pager } from "../../components/Pager.tsx";
import { EmptyState, ErrorState } from "../../components/StateViews.tsx";
import { useCursorPages } from "../../hooks/useCursorPages.ts";
import { useDebouncedValue } from "../../hooks/useDebouncedValue.ts";
import { AuditFilters } from "./AuditFilters.tsx";
import { AuditTable } from "./AuditTable.tsx";
import { ExportLinks } from "./ExportLinks.tsx";
import { auditQuery, noAuditFilters, useAuditEvents } from "./useAuditEvents.ts";

/** Filters from the address bar (`/audit?decision=deny&tool=…`), so a search can be shared as a link. */
function filtersFromUrl() {
  const params = new URLSearchParams(window.location.search);
  const f = { ...noAuditFilters };
  for (const key of Object.keys(f) as (keyof typeof f)[]) {
    const v = params.get(key);
    if (v !== null && key !== "decision") f[key] = v;
  }
  const d = params.get("decision");
  if (d === "allow" || d === "deny" || d === "require_approval") f.decision = d;
  return f;
}

export function AuditPage({ item }: { item: NavItem }) {
  const [filters, setFilters] = useState(filtersFromUrl);
  const settled = useDebouncedValue(filters, 300);
  const pages = useCursorPages(JSON.stringify(auditQuery(settled)));
  const events = useAuditEvents(settled, pages.cursor);
  const filtered = Object.keys(auditQuery(settled)).length > 0;

  return (
    <>
      <PageHeader
        title="Audit"
        description="Every tool call the gateway decided, as the data planes signed it. Filter, open a session, export."
        access={item.access}
        actions={<ExportLinks filters={settled} />}
      />
      <AuditFilters value={filters} onChange={setFilters} />
      {events.isError ? (
        <ErrorState error={events.error} onRetry={() => events.refetch()} />
      ) : events.data && events.data.items.length === 0 ? (
        filtered ? (
          <EmptyState
            icon="search"
            title="No events match"
            action={
              <button type="button" className="button" onClick={() => setFilters(noAuditFilters)}>
                Clear filters
              </button>
            }
          >
            No recorded call matches these filters. Times are in your browser's time zone.
          </EmptyState>
        ) : (
          <EmptyState icon="audit" title="No calls recorded yet">
            Calls appear here once a data-plane node has decided them and shipped its signed audit batches to the
            control plane.
          </EmptyState>
        )
      ) : (
        <>
          <AuditTable events={events.data?.items ?? []} loading={events.isPending} dimmed={events.isPlaceholderData} />
          {events.data ? (
            <Pager
              page={pages.page}
              noun="event"
              shown={events.data.items.length}
              hasPrevious={pages.page > 1}
              hasNext={events.data.nextCursor !== null}
              busy={events.isFetching}
              onPrevious={pages.previous}
              onNext={() => events.data?.nextCursor && pages.next(events.data.nextCursor)}
            />
          ) : null}
        </>
      )}
    </>
  );
}
