// What changed between two versions: each changed field, and the condition's lines side by side or unified.
import { useState } from "react";
import type { PolicyDiff } from "../../../api/client.ts";
import { sideBySideRows, unifiedLines } from "../../../components/diffRows.ts";

const show = (v: unknown) => (typeof v === "string" ? v || "(empty)" : JSON.stringify(v));

export function PolicyDiffView({ diff }: { diff: PolicyDiff }) {
  const [layout, setLayout] = useState<"side" | "unified">("side");
  const fields = diff.changes.filter((c) => c.field !== "condition");
  const conditionChanged = diff.changes.some((c) => c.field === "condition");
  return (
    <section className="diff" aria-label={`Changes from version ${diff.from.version} to ${diff.to.version}`}>
      <div className="diff-head">
        <h3 className="section-heading">
          v{diff.from.version} → v{diff.to.version}
        </h3>
        <fieldset className="segmented">
          <legend className="visually-hidden">Layout</legend>
          <label>
            <input type="radio" checked={layout === "side"} onChange={() => setLayout("side")} /> Side by side
          </label>
          <label>
            <input type="radio" checked={layout === "unified"} onChange={() => setLayout("unified")} /> Unified
          </label>
        </fieldset>
      </div>
      {diff.changes.length === 0 ? <p className="muted">These versions have the same content.</p> : null}
      {fields.length > 0 ? (
        <table className="table diff-fields">
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">v{diff.from.version}</th>
              <th scope="col">v{diff.to.version}</th>
            </tr>
          </thead>
          <tbody>
            {fields.map((c) => (
              <tr key={c.field}>
                <th scope="row">{c.field}</th>
                <td className="mono diff-removed">{show(c.from)}</td>
                <td className="mono diff-added">{show(c.to)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {conditionChanged ? (
        layout === "side" ? (
          <table className="diff-lines diff-side" aria-label="Condition, side by side">
            <thead>
              <tr>
                <th scope="col">Condition in v{diff.from.version}</th>
                <th scope="col">Condition in v{diff.to.version}</th>
              </tr>
            </thead>
            <tbody>
              {sideBySideRows(diff.conditionDiff).map((row, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: rows are positional
                <tr key={i}>
                  <td className={`diff-${row.left.kind}`}>{row.left.text}</td>
                  <td className={`diff-${row.right.kind}`}>{row.right.text}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <figure className="diff-figure" aria-label="Condition, unified">
            <pre className="diff-lines diff-unified">
              {unifiedLines(diff.conditionDiff).map((l, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: lines are positional
                <span key={i} className={`diff-${l.kind}`}>
                  {l.kind === "added" ? "+ " : l.kind === "removed" ? "- " : "  "}
                  {l.text}
                  {"\n"}
                </span>
              ))}
            </pre>
          </figure>
        )
      ) : null}
    </section>
  );
}
