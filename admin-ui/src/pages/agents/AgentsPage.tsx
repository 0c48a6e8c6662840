// Agents: the registered agents, searchable by name, filterable by trust, paged.
import { useState } from "react";
import type { NavItem } from "../../app/sections.ts";
import { PageHeader } from "../../components/PageHeader.tsx";
import { Pager } from "../../components/Pager.tsx";
import { EmptyState, ErrorState } from "../../components/StateViews.tsx";
import { useCursorPages } from "../../hooks/useCursorPages.ts";
import { useDebouncedValue } from "../../hooks/useDebouncedValue.ts";
import { AgentFilters } from "./AgentFilters.tsx";
import { AgentsTable } from "./AgentsTable.tsx";
import { type TrustFilter, useAgents } from "./useAgents.ts";

export function AgentsPage({ item }: { item: NavItem }) {
  const [q, setQ] = useState("");
  const [trust, setTrust] = useState<TrustFilter>("");
  const search = useDebouncedValue(q.trim());
  const pages = useCursorPages(JSON.stringify([search, trust]));
  const agents = useAgents({ q: search, trust, cursor: pages.cursor });
  const filtered = search !== "" || trust !== "";

  return (
    <>
      <PageHeader title="Agents" description={item.summary} access={item.access} />
      <AgentFilters q={q} trust={trust} onQChange={setQ} onTrustChange={setTrust} />
      {agents.isError ? (
        <ErrorState error={agents.error} onRetry={() => agents.refetch()} />
      ) : agents.data && agents.data.items.length === 0 ? (
        filtered ? (
          <EmptyState
            icon="search"
            title="No agents match"
            action={
              <button
                type="button"
                className="button"
                onClick={() => {
                  setQ("");
                  setTrust("");
                }}
              >
                Clear filters
              </button>
            }
          >
            Nothing matches {search ? <>“{search}”</> : "these filters"}
            {trust ? ` among ${trust === "first_party" ? "first-party" : "third-party"} agents` : ""}.
          </EmptyState>
        ) : (
          <EmptyState icon="agents" title="No agents registered yet">
            Agents appear here once they are registered, for example with <code>POST /api/v1/agents</code> (see{" "}
            <a href="/openapi.json">the API reference</a>). Each agent gets an owner, a trust level and credentials to
            call the gateway.
          </EmptyState>
        )
      ) : (
        <>
          <AgentsTable agents={agents.data?.items ?? []} loading={agents.isPending} dimmed={agents.isPlaceholderData} />
          {agents.data ? (
            <Pager
              page={pages.page}
              noun="agent"
              shown={agents.data.items.length}
              hasPrevious={pages.page > 1}
              hasNext={agents.data.nextCursor !== null}
              busy={agents.isFetching}
              onPrevious={pages.previous}
              onNext={() => agents.data?.nextCursor && pages.next(agents.data.nextCursor)}
            />
          ) : null}
        </>
      )}
    </>
  );
}
