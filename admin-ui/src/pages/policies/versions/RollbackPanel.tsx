// Confirms a rollback: it appends a new version equal to the chosen one, which nodes then enforce.
import { type FormEvent, useId, useState } from "react";
import type { PolicyVersion } from "../../../api/client.ts";
import { MutationAlert } from "../../../components/MutationAlert.tsx";
import { useRollback } from "../usePolicy.ts";

export function RollbackPanel({
  policyId,
  version,
  current,
  onDone,
}: {
  policyId: string;
  version: PolicyVersion;
  current: number;
  onDone: (newVersion: number | undefined) => void;
}) {
  const titleId = useId();
  const rollback = useRollback(policyId);
  const [comment, setComment] = useState("");

  function submit(event: FormEvent) {
    event.preventDefault();
    rollback.mutate(
      { toVersion: version.version, comment: comment.trim() },
      { onSuccess: (p) => onDone(p.currentVersion) },
    );
  }

  return (
    <section className="panel panel-danger" role="alertdialog" aria-labelledby={titleId}>
      <h2 className="panel-title" id={titleId}>
        Roll back to version {version.version}?
      </h2>
      <form className="form" onSubmit={submit}>
        <p className="panel-text">
          This saves version {current + 1} with the content of version {version.version}, and every node enforces it as
          soon as it syncs. Versions 1–{current} stay in the history.
        </p>
        <label className="field">
          <span className="field-label">Why (kept with the version)</span>
          <input
            value={comment}
            maxLength={500}
            placeholder="e.g. v3 blocked legitimate OCR calls"
            onChange={(e) => setComment(e.target.value)}
          />
        </label>
        {rollback.isError ? <MutationAlert error={rollback.error} /> : null}
        <div className="form-actions">
          <button type="button" className="button" onClick={() => onDone(undefined)} disabled={rollback.isPending}>
            Cancel
          </button>
          <button type="submit" className="button button-danger" disabled={rollback.isPending}>
            {rollback.isPending ? "Rolling back…" : `Roll back to v${version.version}`}
          </button>
        </div>
      </form>
    </section>
  );
}
