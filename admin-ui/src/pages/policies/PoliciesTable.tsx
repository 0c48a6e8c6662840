// Policies at their current version: name, effect, mode, version, and the last change (when, who, why).
import type { Policy } from "../../api/client.ts";
import { Link } from "../../app/router.tsx";
import { RelativeTime } from "../../components/RelativeTime.tsx";
import { LoadingRows } from "../../components/StateViews.tsx";
import { EffectBadge, ModeBadge } from "./PolicyBadges.tsx";

export function PoliciesTable({
  policies,
  loading,
  dimmed,
}: {
  policies: Policy[];
  loading: boolean;
  dimmed?: boolean;
}) {
  return (
    <div className={dimmed ? "table-wrap is-refreshing" : "table-wrap"}>
      <table className="table table-stack" aria-busy={loading ? "true" : undefined}>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Effect</th>
            <th scope="col">Mode</th>
            <th scope="col" className="num">
              Version
            </th>
            <th scope="col" className="col-optional">
              Last change
            </th>
          </tr>
        </thead>
        {loading ? (
          <LoadingRows columns={5} />
        ) : (
          <tbody>
            {policies.map((policy) => (
              <PolicyRow key={policy.id} policy={policy} />
            ))}
          </tbody>
        )}
      </table>
    </div>
  );
}

function PolicyRow({ policy }: { policy: Policy }) {
  return (
    <tr>
      <td data-label="Name">
        <div className="cell-primary mono">
          <Link to={`/policies/${policy.id}`}>{policy.name}</Link>
        </div>
        {policy.description ? <div className="cell-secondary">{policy.description}</div> : null}
      </td>
      <td data-label="Effect">
        <EffectBadge effect={policy.effect} />
      </td>
      <td data-label="Mode">
        <ModeBadge mode={policy.mode} />
      </td>
      <td data-label="Version" className="num mono">
        v{policy.currentVersion}
      </td>
      <td data-label="Last change" className="col-optional">
        <div className="cell-value">
          <div className="nowrap">
            <RelativeTime iso={policy.updatedAt} /> <span className="muted">by</span> {policy.createdBy}
          </div>
          {policy.rolledBackFrom !== null ? (
            <div className="cell-secondary">Rolled back from v{policy.rolledBackFrom}</div>
          ) : policy.comment ? (
            <div className="cell-secondary">{policy.comment}</div>
          ) : null}
        </div>
      </td>
    </tr>
  );
}
