// Confirms revoking a node, with the reason the audit trail records. Revocation is irreversible.
import { type FormEvent, useEffect, useId, useRef, useState } from "react";
import type { DataPlaneNode } from "../../api/client.ts";
import { MutationAlert } from "../../components/MutationAlert.tsx";
import { useRevokeNode } from "./useNodes.ts";

export function RevokeNodePanel({ node, onDone }: { node: DataPlaneNode; onDone: (revoked: boolean) => void }) {
  const titleId = useId();
  const revoke = useRevokeNode();
  const [reason, setReason] = useState("");
  const input = useRef<HTMLTextAreaElement>(null);
  useEffect(() => input.current?.focus(), []);

  function submit(event: FormEvent) {
    event.preventDefault();
    const why = reason.trim();
    if (!why) return;
    revoke.mutate({ id: node.id, reason: why }, { onSuccess: () => onDone(true) });
  }

  return (
    <section className="panel panel-danger" role="alertdialog" aria-labelledby={titleId}>
      <h2 className="panel-title" id={titleId}>
        Revoke <span className="mono">{node.name}</span>?
      </h2>
      <form className="form" onSubmit={submit}>
        <p className="panel-text">
          The node's config and audit streams close at once and its keys stop working. This cannot be undone: to bring
          the machine back, enroll it again with a new bootstrap token.
        </p>
        <label className="field">
          <span className="field-label">Reason (kept in the audit trail)</span>
          <textarea
            ref={input}
            value={reason}
            maxLength={500}
            rows={2}
            required
            placeholder="e.g. host decommissioned"
            onChange={(e) => setReason(e.target.value)}
          />
        </label>
        {revoke.isError ? <MutationAlert error={revoke.error} /> : null}
        <div className="form-actions">
          <button type="button" className="button" onClick={() => onDone(false)} disabled={revoke.isPending}>
            Cancel
          </button>
          <button type="submit" className="button button-danger" disabled={!reason.trim() || revoke.isPending}>
            {revoke.isPending ? "Revoking…" : "Revoke node"}
          </button>
        </div>
      </form>
    </section>
  );
}
