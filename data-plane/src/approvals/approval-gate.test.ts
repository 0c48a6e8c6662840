// The node's approval step in isolation: which approval one held call asks for (approvers of every matching
// policy must accept the one who decides; an approvers expression that failed refuses the call), and what the
// agent is told for each answer.
import type { Decision } from "@portcullis/policy";
import { describe, expect, it } from "vitest";
import { approvalPlan, describeApproval } from "./approval-gate.ts";

function held(requests: { policy: string; approvers: string[] }[], errors: Decision["errors"] = []): Decision {
  return {
    outcome: "require_approval",
    code: "approval_required",
    reason: "approval required",
    adaptable: true,
    evaluated: requests.map((r) => r.policy),
    matched: requests.map((r) => r.policy),
    deciding: requests.map((r) => r.policy),
    results: [],
    errors,
    approval: { status: "required", args_digest: "sha256:00", requests },
  };
}

describe("approvalPlan", () => {
  it("one policy: its approvers", () => {
    expect(approvalPlan(held([{ policy: "p", approvers: ["bob@company.com"] }]))).toEqual({
      ok: true,
      policies: ["p"],
      approvers: ["bob@company.com"],
    });
  });

  it("several policies: the approvers every naming policy accepts; unnamed lists do not narrow", () => {
    const plan = approvalPlan(
      held([
        { policy: "a", approvers: ["bob@company.com", "role:security"] },
        { policy: "b", approvers: [] },
        { policy: "c", approvers: ["role:security", "dave@company.com"] },
      ]),
    );
    expect(plan).toEqual({ ok: true, policies: ["a", "b", "c"], approvers: ["role:security"] });
  });

  it("no approver satisfies them all, or an approvers expression failed: refused (fail closed)", () => {
    expect(
      approvalPlan(
        held([
          { policy: "a", approvers: ["bob"] },
          { policy: "b", approvers: ["dave"] },
        ]),
      ),
    ).toMatchObject({
      ok: false,
      message: expect.stringContaining("no single approver"),
    });
    const failed = held(
      [{ policy: "a", approvers: [] }],
      [{ policy: "a", mode: "enforce", message: "approvers: no such key: manager" }],
    );
    expect(approvalPlan(failed)).toMatchObject({ ok: false, message: expect.stringContaining("'a'") });
  });
});

describe("describeApproval", () => {
  const answer = {
    approvalId: "0190c2e4-0000-7000-8000-000000000001",
    status: "APPROVAL_STATUS_PENDING" as const,
    decidedBy: "bob@company.com",
    approvedAs: "",
    comment: "too much",
    expiresAt: "2030-01-01T00:00:00.000Z",
    decidedAt: "",
    decideUrl: "https://gw.example/approvals/0190c2e4-0000-7000-8000-000000000001",
  };

  it("pending says where to decide and that the identical call is retried", () => {
    const d = describeApproval({ kind: "pending", answer }, "approval by bob required");
    expect(d.code).toBe("approval_pending");
    expect(d.message).toContain(answer.decideUrl);
    expect(d.message).toContain("retry the identical call");
    expect(d.data).toMatchObject({ approval_id: answer.approvalId, approve_url: answer.decideUrl });
  });

  it("rejected, expired, unavailable and unsatisfiable each have their own code", () => {
    expect(describeApproval({ kind: "rejected", answer }, "").message).toContain(
      "rejected by bob@company.com (too much)",
    );
    expect(describeApproval({ kind: "expired", answer }, "").code).toBe("approval_expired");
    expect(describeApproval({ kind: "unavailable", message: "down" }, "").code).toBe("approval_unavailable");
    expect(describeApproval({ kind: "unsatisfiable", message: "no" }, "").code).toBe("denied");
  });
});
