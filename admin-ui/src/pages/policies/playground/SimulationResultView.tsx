// What the gateway would do with the described call: the outcome and its reason, whether the tool would be
// listed at all, every policy evaluated (matched, deciding, errors), shadow policies, and who would approve.
import type { SimulationResult } from "../../../api/client.ts";
import { Badge } from "../../../components/Badge.tsx";
import { EffectBadge, ModeBadge } from "../PolicyBadges.tsx";

type Decision = SimulationResult["decision"];
interface Result {
  id: string;
  name: string;
  effect: "allow" | "deny" | "require_approval";
  mode: "enforce" | "shadow";
  matched: boolean;
  error?: string;
}

const outcomeText = { allow: "Allowed", deny: "Denied", require_approval: "Held for approval" } as const;
const outcomeTone = { allow: "success", deny: "danger", require_approval: "warning" } as const;

export function SimulationResultView({ result }: { result: SimulationResult }) {
  const d = result.decision;
  const results = d.results as unknown as Result[];
  const errors = d.errors as unknown as { policy: string; mode: string; message: string }[];
  return (
    <section className="simulation" aria-label="Simulation result">
      <div className={`decision decision-${d.outcome}`} role="status">
        <Badge tone={outcomeTone[d.outcome]}>{outcomeText[d.outcome]}</Badge>
        <p className="decision-reason">{d.reason}</p>
        <p className="decision-meta">
          <code>{d.code}</code> · {result.policiesLoaded} {result.policiesLoaded === 1 ? "policy" : "policies"} loaded ·{" "}
          {result.listed ? "listed in tools/list for this caller" : "hidden from tools/list for this caller"}
          {d.outcome !== "allow" ? (d.adaptable ? " · another call could fare differently" : " · a hard deny") : ""}
        </p>
        <p className="decision-meta">
          {result.context.agent} for {result.context.operator} → <span className="mono">{result.context.tool}</span> on{" "}
          {result.context.upstream}
        </p>
      </div>
      {results.length === 0 ? (
        <p className="muted">No policy targets this agent and tool, so the gateway denies by default.</p>
      ) : (
        <div className="table-wrap">
          <table className="table table-stack">
            <caption className="visually-hidden">Policies evaluated, in order</caption>
            <thead>
              <tr>
                <th scope="col">Policy</th>
                <th scope="col">Effect</th>
                <th scope="col">Mode</th>
                <th scope="col">Result</th>
              </tr>
            </thead>
            <tbody>
              {results.map((r) => (
                <tr key={r.id} className={d.deciding.includes(r.id) ? "is-deciding" : undefined}>
                  <td data-label="Policy" className="mono">
                    {r.name}
                  </td>
                  <td data-label="Effect">
                    <EffectBadge effect={r.effect} />
                  </td>
                  <td data-label="Mode">
                    <ModeBadge mode={r.mode} />
                  </td>
                  <td data-label="Result">
                    {r.matched ? <strong>Matched</strong> : <span className="muted">Did not match</span>}
                    {d.deciding.includes(r.id) ? (
                      <span className="simulation-decided">
                        <Badge tone="info">Decided</Badge>
                      </span>
                    ) : null}
                    {r.error ? <div className="field-error">Error: {r.error}</div> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {errors.length > 0 ? (
        <div className="alert alert-danger">
          <div>
            <p className="alert-title">Evaluation errors (deny and hold policies fail closed)</p>
            <ul>
              {errors.map((e) => (
                <li key={e.policy + e.message}>
                  <span className="mono">{results.find((r) => r.id === e.policy)?.name ?? e.policy}</span>: {e.message}
                </li>
              ))}
            </ul>
          </div>
        </div>
      ) : null}
      <ShadowNote shadow={d.shadow as ShadowInfo | undefined} />
      <ApprovalNote approval={d.approval as ApprovalNoteInfo | undefined} decision={d} />
    </section>
  );
}

interface ShadowInfo {
  outcome: string;
  reason: string;
  differs: boolean;
}

function ShadowNote({ shadow }: { shadow: ShadowInfo | undefined }) {
  if (!shadow) return null;
  return (
    <p className="notice">
      With shadow policies enforced: <strong>{shadow.outcome}</strong> — {shadow.reason}
      {shadow.differs ? " (differs from the enforced decision; recorded, not enforced)" : " (same outcome)"}
    </p>
  );
}

interface ApprovalNoteInfo {
  status: string;
  requests?: { policy: string; approvers: string[] }[];
}

function ApprovalNote({ approval, decision }: { approval: ApprovalNoteInfo | undefined; decision: Decision }) {
  if (!approval || decision.outcome !== "require_approval") return null;
  const approvers = [...new Set((approval.requests ?? []).flatMap((r) => r.approvers))];
  return (
    <p className="notice">
      Needs a person's approval;{" "}
      {approvers.length > 0 ? <>may approve: {approvers.join(", ")}</> : "any security user may approve"}.
    </p>
  );
}
