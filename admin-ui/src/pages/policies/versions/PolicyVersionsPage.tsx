// /policies/{id}/versions: every version (newest first), a diff between any two, and rollback to an earlier one
// (which appends a new version equal to it; history is never rewritten).
import { useState } from "react";
import type { PolicyVersion } from "../../../api/client.ts";
import type { NavItem } from "../../../app/sections.ts";
import { RelativeTime } from "../../../components/RelativeTime.tsx";
import { ErrorState, LoadingRows } from "../../../components/StateViews.tsx";
import { PolicyPageHeader } from "../PolicyPageHeader.tsx";
import { usePolicy, usePolicyDiff, usePolicyVersions } from "../usePolicy.ts";
import { PolicyDiffView } from "./PolicyDiffView.tsx";
import { RollbackPanel } from "./RollbackPanel.tsx";

export function PolicyVersionsPage({ item, id }: { item: NavItem; id: string }) {
  const policy = usePolicy(id);
  const versions = usePolicyVersions(id);
  const current = policy.data?.currentVersion;
  const [picked, setPicked] = useState<{ from?: number; to?: number }>({});
  const [rollingBack, setRollingBack] = useState<PolicyVersion | undefined>();
  const [rolledBack, setRolledBack] = useState<number | undefined>();
  const to = picked.to ?? current;
  const from = picked.from ?? (current !== undefined && current > 1 ? current - 1 : undefined);
  const diff = usePolicyDiff(id, from, to);

  if (policy.isError || versions.isError) {
    return (
      <>
        <PolicyPageHeader item={item} policy={undefined} tab="versions" />
        <ErrorState
          error={policy.error ?? versions.error}
          onRetry={() => {
            policy.refetch();
            versions.refetch();
          }}
        />
      </>
    );
  }
  const items = versions.data?.items ?? [];
  return (
    <>
      <PolicyPageHeader item={item} policy={policy.data} tab="versions" />
      {rolledBack !== undefined ? (
        <p className="notice" role="status">
          Rolled back: version {rolledBack} is now current.
        </p>
      ) : null}
      {rollingBack && current !== undefined ? (
        <RollbackPanel
          policyId={id}
          version={rollingBack}
          current={current}
          onDone={(newVersion) => {
            setRollingBack(undefined);
            if (newVersion !== undefined) {
              setRolledBack(newVersion);
              setPicked({ from: newVersion - 1, to: newVersion });
            }
          }}
        />
      ) : null}
      <div className="table-wrap">
        <table className="table table-stack" aria-busy={versions.isPending ? "true" : undefined}>
          <caption className="visually-hidden">Versions, newest first; pick two to compare</caption>
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Compare</th>
              <th scope="col">Change</th>
              <th scope="col" className="col-optional">
                Content hash
              </th>
              {item.access === "full" ? (
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              ) : null}
            </tr>
          </thead>
          {versions.isPending ? (
            <LoadingRows columns={item.access === "full" ? 5 : 4} />
          ) : (
            <tbody>
              {items.map((v) => (
                <tr key={v.version}>
                  <td data-label="Version" className="mono">
                    v{v.version}
                    {v.version === current ? <span className="muted"> (current)</span> : null}
                  </td>
                  <td data-label="Compare">
                    <label className="compare-pick">
                      <input
                        type="radio"
                        name="from"
                        checked={from === v.version}
                        onChange={() => setPicked({ from: v.version, to })}
                      />{" "}
                      from
                    </label>
                    <label className="compare-pick">
                      <input
                        type="radio"
                        name="to"
                        checked={to === v.version}
                        onChange={() => setPicked({ from, to: v.version })}
                      />{" "}
                      to
                    </label>
                  </td>
                  <td data-label="Change">
                    <div className="nowrap">
                      <RelativeTime iso={v.createdAt} /> <span className="muted">by</span> {v.createdBy}
                    </div>
                    <div className="cell-secondary">
                      {v.rolledBackFrom !== null ? `Rollback to v${v.rolledBackFrom}. ` : ""}
                      {v.comment}
                    </div>
                  </td>
                  <td data-label="Content hash" className="mono col-optional" title={v.contentHash}>
                    {v.contentHash.slice(0, 12)}
                  </td>
                  {item.access === "full" ? (
                    <td className="row-actions">
                      {v.version !== current ? (
                        <button type="button" className="button button-small" onClick={() => setRollingBack(v)}>
                          Roll back to v{v.version}
                        </button>
                      ) : null}
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          )}
        </table>
      </div>
      {items.length === 1 ? (
        <p className="muted">This policy has one version so far: nothing to compare yet.</p>
      ) : from !== undefined && to !== undefined && from === to ? (
        <p className="muted">Pick two different versions to compare.</p>
      ) : diff.isError ? (
        <ErrorState error={diff.error} onRetry={() => diff.refetch()} title="Could not load the diff" />
      ) : diff.data ? (
        <PolicyDiffView diff={diff.data} />
      ) : null}
    </>
  );
}
