// An approval's state as people read it.
import type { Approval } from "../../api/client.ts";
import { Badge, type Tone } from "../../components/Badge.tsx";

export const STATUS_TONE: Record<Approval["status"], Tone> = {
  pending: "warning",
  approved: "info",
  consumed: "success",
  rejected: "danger",
  expired: "neutral",
};

const STATUS_LABEL: Record<Approval["status"], string> = {
  pending: "Pending",
  approved: "Approved, not used yet",
  consumed: "Approved and executed",
  rejected: "Rejected",
  expired: "Expired",
};

export function StatusBadge({ status }: { status: Approval["status"] }) {
  return <Badge tone={STATUS_TONE[status]}>{STATUS_LABEL[status]}</Badge>;
}
