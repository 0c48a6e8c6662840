// The control plane's signing keys (session tokens, snapshots, assertions) and their rotation.
import { MutationAlert } from "../../components/MutationAlert.tsx";
import { RelativeTime } from "../../components/RelativeTime.tsx";
import { EmptyRow, SettingsSection } from "./SettingsSection.tsx";
import { useRotateKey, useSigningKeys } from "./useSettings.ts";

export function KeysPanel() {
  const keys = useSigningKeys();
  const rotate = useRotateKey();
  return (
    <SettingsSection
      title="Signing keys"
      description="Keys that sign session tokens, snapshots and assertions. A rotation publishes the new key at once and signs with it after a delay; the old key verifies until its tokens expire."
      error={keys.error}
      onRetry={() => keys.refetch()}
      actions={
        <button
          type="button"
          className="button button-small"
          disabled={rotate.isPending}
          onClick={() => {
            if (window.confirm("Rotate the signing key? The new key is published now and signs after the delay.")) {
              rotate.mutate();
            }
          }}
        >
          {rotate.isPending ? "Rotating…" : "Rotate key"}
        </button>
      }
    >
      {rotate.isError ? <MutationAlert error={rotate.error} /> : null}
      {rotate.data ? (
        <p className="notice" role="status">
          New key <span className="mono">{rotate.data.kid}</span> signs from{" "}
          <RelativeTime iso={rotate.data.activatesAt} />.
        </p>
      ) : null}
      <table className="table table-stack">
        <thead>
          <tr>
            <th scope="col">Key id</th>
            <th scope="col">Algorithm</th>
            <th scope="col">Status</th>
            <th scope="col">Signs from</th>
            <th scope="col">Retires</th>
          </tr>
        </thead>
        <tbody>
          {keys.data?.items.length === 0 ? <EmptyRow columns={5}>No keys yet.</EmptyRow> : null}
          {keys.data?.items.map((k) => (
            <tr key={k.kid}>
              <td data-label="Key id" className="mono">
                {k.kid}
              </td>
              <td data-label="Algorithm">{k.alg}</td>
              <td data-label="Status">{k.status}</td>
              <td data-label="Signs from">
                <RelativeTime iso={k.activatesAt} />
              </td>
              <td data-label="Retires">{k.retiresAt ? <RelativeTime iso={k.retiresAt} /> : "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </SettingsSection>
  );
}
