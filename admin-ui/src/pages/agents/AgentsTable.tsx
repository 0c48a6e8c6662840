// The agents of one page: name and description, owner, trust, labels, status, when registered.
import type { Agent } from "../../api/client.ts";
import { Badge } from "../../components/Badge.tsx";
import { RelativeTime } from "../../components/RelativeTime.tsx";
import { LoadingRows } from "../../components/StateViews.tsx";

const MAX_LABELS = 3;

export function AgentsTable({ agents, loading, dimmed }: { agents: Agent[]; loading: boolean; dimmed?: boolean }) {
  return (
    <div className={dimmed ? "table-wrap is-refreshing" : "table-wrap"}>
      <table className="table table-stack" aria-busy={loading ? "true" : undefined}>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Owner</th>
            <th scope="col">Trust</th>
            <th scope="col" className="col-optional">
              Labels
            </th>
            <th scope="col">Status</th>
            <th scope="col" className="col-optional">
              Registered
            </th>
          </tr>
        </thead>
        {loading ? (
          <LoadingRows columns={6} />
        ) : (
          <tbody>
            {agents.map((agent) => (
              <AgentRow key={agent.id} agent={agent} />
            ))}
          </tbody>
        )}
      </table>
    </div>
  );
}

function AgentRow({ agent }: { agent: Agent }) {
  const labels = Object.entries(agent.labels);
  return (
    <tr>
      <td data-label="Name">
        <div className="cell-primary mono">{agent.name}</div>
        {agent.description ? <div className="cell-secondary">{agent.description}</div> : null}
      </td>
      <td data-label="Owner">{agent.owner}</td>
      <td data-label="Trust">
        {agent.trust === "first_party" ? (
          <Badge tone="info" title="Built and run by us">
            First party
          </Badge>
        ) : (
          <Badge tone="warning" title="Built or run by someone else">
            Third party
          </Badge>
        )}
      </td>
      <td data-label="Labels" className="col-optional">
        {labels.length === 0 ? (
          <span className="muted">—</span>
        ) : (
          <span className="chips">
            {labels.slice(0, MAX_LABELS).map(([k, v]) => (
              <span key={k} className="chip mono">
                {k}={v}
              </span>
            ))}
            {labels.length > MAX_LABELS ? (
              <span className="chip chip-more" title={labels.map(([k, v]) => `${k}=${v}`).join(", ")}>
                +{labels.length - MAX_LABELS}
              </span>
            ) : null}
          </span>
        )}
      </td>
      <td data-label="Status">
        {agent.disabled ? <Badge tone="danger">Disabled</Badge> : <Badge tone="success">Active</Badge>}
      </td>
      <td data-label="Registered" className="col-optional nowrap">
        <RelativeTime iso={agent.createdAt} />
      </td>
    </tr>
  );
}
