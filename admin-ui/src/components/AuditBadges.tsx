// How the console names a call's decision and the integrity of its audit evidence, everywhere it shows them.
import type { AuditEvent, Integrity } from "../api/client.ts";
import { Badge, type Tone } from "./Badge.tsx";

export type Verdict = "allow" | "deny" | "approval";

/** The policy decision when there is one; otherwise the outcome (`ok` allowed, anything else refused). */
export function verdictOf(e: Pick<AuditEvent, "decision" | "outcome">): Verdict {
  if (e.decision === "allow") return "allow";
  if (e.decision === "require_approval" || e.outcome === "approval_required") return "approval";
  if (e.decision === null && e.outcome === "ok") return "allow";
  return "deny";
}

const verdicts: Record<Verdict, { label: string; tone: Tone }> = {
  allow: { label: "Allowed", tone: "success" },
  deny: { label: "Denied", tone: "danger" },
  approval: { label: "Held for approval", tone: "warning" },
};

export function DecisionBadge({ event }: { event: Pick<AuditEvent, "decision" | "outcome"> }) {
  const v = verdicts[verdictOf(event)];
  const refused = event.decision === null && verdictOf(event) === "deny";
  return (
    <Badge tone={v.tone} title={`decision: ${event.decision ?? "none"} · outcome: ${event.outcome ?? "none"}`}>
      {refused ? "Refused" : v.label}
    </Badge>
  );
}

const integrities: Record<Integrity, { label: string; tone: Tone; title: string }> = {
  verified: {
    label: "Signature verified",
    tone: "success",
    title: "The node's signature, the batch chain and every event of the batch check out",
  },
  failed: {
    label: "Verification failed",
    tone: "danger",
    title: "The stored evidence differs from what the node signed, or cannot be checked",
  },
  pending: {
    label: "Verification pending",
    tone: "warning",
    title: "The batch verifies, but the batch before it is not stored yet, so its chain is not confirmed",
  },
};

export function IntegrityBadge({ integrity }: { integrity: Integrity }) {
  const i = integrities[integrity];
  return (
    <Badge tone={i.tone} title={i.title}>
      {i.label}
    </Badge>
  );
}

/** A latency in the unit a person reads: µs below a millisecond, ms below a second, then seconds. */
export function formatLatency(us: number | null): string {
  if (us === null) return "—";
  if (us < 1000) return `${us} µs`;
  if (us < 1_000_000) return `${(us / 1000).toFixed(us < 10_000 ? 1 : 0)} ms`;
  return `${(us / 1_000_000).toFixed(1)} s`;
}

/** The names of the policies a record cites (the id when the policy was deleted since). */
export function policyNames(refs: { id: string; name: string | null }[]): string[] {
  return refs.map((p) => p.name ?? p.id);
}
