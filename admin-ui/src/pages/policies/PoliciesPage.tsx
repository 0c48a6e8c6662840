// Policies: every policy at its current version, searchable by name, filterable by effect, paged.
import { useState } from "react";
import { Link } from "../../app/router.tsx";
import type { NavItem } from "../../app/sections.ts";
import { PageHeader } from "../../components/PageHeader.tsx";
import { Pager } from "../../components/Pager.tsx";
import { EmptyState, ErrorState } from "../../components/StateViews.tsx";
import { useCursorPages } from "../../hooks/useCursorPages.ts";
import { useDebouncedValue } from "../../hooks/useDebouncedValue.ts";
import { PoliciesTable } from "./PoliciesTable.tsx";
import { PolicyFilters } from "./PolicyFilters.tsx";
import { type EffectFilter, usePolicies } from "./usePolicies.ts";

export function PoliciesPage({ item }: { item: NavItem }) {
  const [q, setQ] = useState("");
  const [effect, setEffect] = useState<EffectFilter>("");
  const search = useDebouncedValue(q.trim());
  const pages = useCursorPages(JSON.stringify([search, effect]));
  const policies = usePolicies({ q: search, effect, cursor: pages.cursor });
  const filtered = search !== "" || effect !== "";

  return (
    <>
      <PageHeader
        title="Policies"
        description={item.summary}
        access={item.access}
        actions={
          <>
            <Link to="/policies/playground" className="button">
              Playground
            </Link>
            {item.access === "full" ? (
              <Link to="/policies/new" className="button button-primary">
                New policy
              </Link>
            ) : null}
          </>
        }
      />
      <PolicyFilters q={q} effect={effect} onQChange={setQ} onEffectChange={setEffect} />
      {policies.isError ? (
        <ErrorState error={policies.error} onRetry={() => policies.refetch()} />
      ) : policies.data && policies.data.items.length === 0 ? (
        filtered ? (
          <EmptyState
            icon="search"
            title="No policies match"
            action={
              <button
                type="button"
                className="button"
                onClick={() => {
                  setQ("");
                  setEffect("");
                }}
              >
                Clear filters
              </button>
            }
          >
            Nothing matches {search ? <>“{search}”</> : "these filters"}.
          </EmptyState>
        ) : (
          <EmptyState
            icon="policies"
            title="No policies yet"
            action={
              item.access === "full" ? (
                <Link to="/policies/new" className="button button-primary">
                  Write the first policy
                </Link>
              ) : null
            }
          >
            Without policies the gateway denies every tool call. Each change to a policy is kept as a new version you
            can diff and roll back.
          </EmptyState>
        )
      ) : (
        <>
          <PoliciesTable
            policies={policies.data?.items ?? []}
            loading={policies.isPending}
            dimmed={policies.isPlaceholderData}
          />
          {policies.data ? (
            <Pager
              page={pages.page}
              noun="policy"
              nounPlural="policies"
              shown={policies.data.items.length}
              hasPrevious={pages.page > 1}
              hasNext={policies.data.nextCursor !== null}
              busy={policies.isFetching}
              onPrevious={pages.previous}
              onNext={() => policies.data?.nextCursor && pages.next(policies.data.nextCursor)}
            />
          ) : null}
        </>
      )}
    </>
  );
}
