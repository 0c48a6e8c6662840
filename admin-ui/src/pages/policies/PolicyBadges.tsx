import type { Policy } from "../../api/client.ts";
import { Badge } from "../../components/Badge.tsx";

export function EffectBadge({ effect }: { effect: Policy["effect"] }) {
  switch (effect) {
    case "allow":
      return <Badge tone="success">Allow</Badge>;
    case "deny":
      return <Badge tone="danger">Deny</Badge>;
    case "require_approval":
      return <Badge tone="warning">Require approval</Badge>;
  }
}

export function ModeBadge({ mode }: { mode: Policy["mode"] }) {
  return mode === "enforce" ? (
    <Badge tone="info" title="Decisions are enforced">
      Enforce
    </Badge>
  ) : (
    <Badge tone="neutral" title="Decisions are recorded but not enforced">
      Shadow
    </Badge>
  );
}
