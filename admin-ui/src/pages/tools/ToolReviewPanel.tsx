// The quarantine review: the pinned definition and the one newly seen upstream side by side (with invisible
// and bidirectional characters made visible), and approval of the new one by the hash that was reviewed.
import { type FormEvent, useId, useState } from "react";
import type { Tool } from "../../api/client.ts";
import { lineDiff, sideBySideRows } from "../../components/diffRows.ts";
import { FormField } from "../../components/FormField.tsx";
import { MutationAlert } from "../../components/MutationAlert.tsx";
import { useApproveTool } from "./useTools.ts";

/** Zero-width, bidirectional-control and other invisible characters, shown as `⟦U+202E⟧`. */
const INVISIBLE = /[\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;
export const revealInvisible = (text: string) =>
  text.replace(INVISIBLE, (c) => `⟦U+${(c.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, "0")}⟧`);

const definitionText = (d: Record<string, unknown>) =>
  revealInvisible(
    JSON.stringify(
      { name: d.name, description: d.description, inputSchema: d.inputSchema, annotations: d.annotations ?? {} },
      null,
      2,
    ),
  );

export function ToolReviewPanel({
  tool,
  canApprove,
  onDone,
}: {
  tool: Tool;
  canApprove: boolean;
  onDone: (approved: Tool | undefined) => void;
}) {
  const titleId = useId();
  const approve = useApproveTool();
  const [comment, setComment] = useState("");
  const pending = tool.pendingDefinition ?? {};
  const rows = sideBySideRows(lineDiff(definitionText(tool), definitionText(pending)));

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!tool.pendingHash) return;
    approve.mutate(
      { id: tool.id, pendingHash: tool.pendingHash, comment: comment.trim() },
      { onSuccess: (approved) => onDone(approved) },
    );
  }

  return (
    <section className="panel review" aria-labelledby={titleId}>
      <div className="panel-head">
        <h2 className="panel-title" id={titleId}>
          Review <span className="mono">{tool.name}</span>
        </h2>
        <button type="button" className="button button-quiet" onClick={() => onDone(undefined)}>
          Close
        </button>
      </div>
      <p className="panel-text">
        The upstream now describes this tool differently from the definition that was approved. Agents cannot see or
        call it until the new definition is approved. Read the description as an agent would: instructions hidden in it
        reach the model.
      </p>
      <table className="diff-lines diff-side review-diff" aria-label="Pinned and new definition, side by side">
        <thead>
          <tr>
            <th scope="col">
              Pinned <span className="mono muted">{tool.pinnedHash.slice(0, 12)}…</span>
            </th>
            <th scope="col">
              New <span className="mono muted">{tool.pendingHash?.slice(0, 12)}…</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows are positional
            <tr key={i}>
              <td className={`diff-${row.left.kind}`}>{row.left.text}</td>
              <td className={`diff-${row.right.kind}`}>{row.right.text}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {canApprove ? (
        <form className="form review-form" onSubmit={submit}>
          <FormField label="Why the new definition is acceptable (kept in the admin audit log)">
            <input value={comment} maxLength={500} onChange={(e) => setComment(e.target.value)} />
          </FormField>
          {approve.isError ? <MutationAlert error={approve.error} /> : null}
          <div className="form-actions">
            <button type="submit" className="button button-primary" disabled={approve.isPending}>
              {approve.isPending ? "Approving…" : "Approve new definition"}
            </button>
          </div>
        </form>
      ) : (
        <p className="muted">Your role can review but not approve definitions.</p>
      )}
    </section>
  );
}
