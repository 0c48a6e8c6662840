// Tools with their upstream, status and pinned definition hash; quarantined tools with a changed definition
// offer a review. Descriptions are text, never markup.
import type { Tool } from "../../api/client.ts";
import { Badge } from "../../components/Badge.tsx";
import { LoadingRows } from "../../components/StateViews.tsx";

export function ToolStatusBadge({ status }: { status: Tool["status"] }) {
  switch (status) {
    case "active":
      return <Badge tone="success">Active</Badge>;
    case "quarantined":
      return (
        <Badge tone="warning" title="Hidden and denied until someone approves its definition">
          Quarantined
        </Badge>
      );
    case "disabled":
      return <Badge tone="neutral">Disabled</Badge>;
  }
}

export function ToolsTable({
  tools,
  upstreams,
  loading,
  dimmed,
  onReview,
}: {
  tools: Tool[];
  upstreams: Map<string, { name: string; kind: string }> | undefined;
  loading: boolean;
  dimmed: boolean;
  onReview: (tool: Tool) => void;
}) {
  return (
    <div className={dimmed ? "table-wrap is-refreshing" : "table-wrap"}>
      <table className="table table-stack" aria-busy={loading ? "true" : undefined}>
        <thead>
          <tr>
            <th scope="col">Tool</th>
            <th scope="col">Upstream</th>
            <th scope="col">Status</th>
            <th scope="col" className="col-optional">
              Pinned definition
            </th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        {loading ? (
          <LoadingRows columns={5} />
        ) : (
          <tbody>
            {tools.map((tool) => {
              const upstream = upstreams?.get(tool.upstreamId);
              return (
                <tr key={tool.id}>
                  <td data-label="Tool">
                    <div className="cell-primary mono">{tool.name}</div>
                    {tool.description ? <div className="cell-secondary clamp">{tool.description}</div> : null}
                  </td>
                  <td data-label="Upstream">
                    {upstream ? (
                      <>
                        <span className="mono">{upstream.name}</span> <span className="muted">{upstream.kind}</span>
                      </>
                    ) : (
                      <span className="mono muted">{tool.upstreamId}</span>
                    )}
                  </td>
                  <td data-label="Status">
                    <ToolStatusBadge status={tool.status} />
                    {tool.sensitive ? <Badge tone="info">Sensitive</Badge> : null}
                  </td>
                  <td data-label="Pinned definition" className="mono col-optional" title={tool.pinnedHash}>
                    {tool.pinnedHash.slice(0, 12)}…
                  </td>
                  <td className="row-actions">
                    {tool.status === "quarantined" && tool.pendingHash ? (
                      <button type="button" className="button button-small" onClick={() => onReview(tool)}>
                        Review change
                      </button>
                    ) : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        )}
      </table>
    </div>
  );
}
