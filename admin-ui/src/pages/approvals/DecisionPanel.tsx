// One approval in full: the exact arguments it is bound to (and their digest), who asked through which agent, and
// the decision form. The form says beforehand why someone may not decide: their own request, or not a named
// approver; the API enforces the same rules.
import { type FormEvent, type MouseEvent, useId, useState } from "react";
import type { Approval, Role } from "../../api/client.ts";
import { MutationAlert } from "../../components/MutationAlert.tsx";
import { RelativeTime } from "../../components/RelativeTime.tsx";
import { StatusBadge } from "./StatusBadge.tsx";
import { useDecideApproval } from "./useApprovals.ts";

function whyNot(approval: Approval, me: string, role: Role, canDecide: boolean): string | null {
  if (!canDecide) return "Your role may look at approvals but not decide them.";
  const self = me.toLowerCase();
  if (self === approval.operatorSub.toLowerCase() || self === (approval.operatorEmail ?? "").toLowerCase()) {
    return "This call was made on your behalf: someone else must decide it.";
  }
  const named = approval.approvers;
  if (named.length > 0 && !named.some((a) => a.toLowerCase() === self || a === `role:${role}`)) {
    return `Only ${named.join(" or ")} may decide this approval.`;
  }
  return null;
}

export function DecisionPanel({
  approval,
  me,
  role,
  canDecide,
  onClose,
}: {
  approval: Approval;
  me: string;
  role: Role;
  canDecide: boolean;
  onClose: () => void;
}) {
  const titleId = useId();
  const decide = useDecideApproval();
  const [comment, setComment] = useState("");
  const [done, setDone] = useState<Approval | null>(null);
  const current = done ?? approval;
  const blocked = whyNot(current, me, role, canDecide);

  function submit(decision: "approve" | "reject") {
    return (event: FormEvent | MouseEvent) => {
      event.preventDefault();
      decide.mutate({ id: current.id, decision, comment: comment.trim() }, { onSuccess: (a) => setDone(a) });
    };
  }

  return (
    <section className="panel approval-panel" aria-labelledby={titleId}>
      <div className="panel-head">
        <h2 className="panel-title" id={titleId}>
          <span className="mono">{current.tool}</span> for {current.operatorEmail ?? current.operatorSub}
        </h2>
        <StatusBadge status={current.status} />
      </div>
      <dl className="approval-facts">
        <dt>Agent</dt>
        <dd>{current.agentName ?? current.agentId}</dd>
        <dt>Session</dt>
        <dd className="mono">{current.sessionId}</dd>
        <dt>Policy</dt>
        <dd className="mono">{current.policyId ?? "—"}</dd>
        <dt>Approvers</dt>
        <dd>{current.approvers.length ? current.approvers.join(", ") : "Anyone who may decide approvals"}</dd>
        <dt>Requested</dt>
        <dd>
          <RelativeTime iso={current.createdAt} />
        </dd>
        <dt>{current.status === "pending" || current.status === "approved" ? "Expires" : "Expiry"}</dt>
        <dd>
          <RelativeTime iso={current.expiresAt} />
        </dd>
        {current.decidedBy ? (
          <>
            <dt>Decided by</dt>
            <dd>
              {current.decidedBy}
              {current.comment ? <span className="muted"> — “{current.comment}”</span> : null}
            </dd>
          </>
        ) : null}
      </dl>
      <h3 className="section-heading">Exact arguments</h3>
      <figure className="approval-figure" aria-label="Arguments">
        <pre className="approval-args mono">{JSON.stringify(current.args, null, 2)}</pre>
      </figure>
      <p className="panel-text muted mono">{current.argsSha256}</p>
      <p className="panel-text">
        An approval covers this exact call once: the agent retries it with the same arguments and it executes a single
        time. Different arguments need a new approval.
      </p>
      {current.status === "pending" ? (
        blocked ? (
          <p className="notice" role="note">
            {blocked}
          </p>
        ) : (
          <form className="form" onSubmit={submit("approve")}>
            <label className="field">
              <span className="field-label">Comment (kept in the audit trail)</span>
              <textarea
                value={comment}
                maxLength={1000}
                rows={2}
                placeholder="e.g. conference hotel, agreed in advance"
                onChange={(e) => setComment(e.target.value)}
              />
            </label>
            {decide.isError ? <MutationAlert error={decide.error} /> : null}
            <div className="form-actions">
              <button type="button" className="button" onClick={onClose} disabled={decide.isPending}>
                Close
              </button>
              <button
                type="button"
                className="button button-danger"
                onClick={submit("reject")}
                disabled={decide.isPending}
              >
                Reject
              </button>
              <button type="submit" className="button button-primary" disabled={decide.isPending}>
                {decide.isPending ? "Saving…" : "Approve"}
              </button>
            </div>
          </form>
        )
      ) : (
        <div className="form-actions">
          {done ? (
            <p className="notice" role="status">
              {done.status === "approved"
                ? "Approved. The agent's identical retry will execute once."
                : "Rejected. The agent is told its call was rejected."}
            </p>
          ) : null}
          <button type="button" className="button" onClick={onClose}>
            Close
          </button>
        </div>
      )}
    </section>
  );
}
