// The editor's form state and its conversion to and from the API's policy shapes.
import type { Policy, PolicyDraft, PolicyInput } from "../../../api/client.ts";

export interface PolicyFormState {
  name: string;
  description: string;
  agents: string;
  tools: string;
  effect: PolicyInput["effect"];
  mode: PolicyInput["mode"];
  priority: string;
  condition: string;
  approvers: string;
  comment: string;
}

export const emptyForm: PolicyFormState = {
  name: "",
  description: "",
  agents: "*",
  tools: "",
  effect: "deny",
  mode: "enforce",
  priority: "0",
  condition: "",
  approvers: "",
  comment: "",
};

export function formOf(p: Policy): PolicyFormState {
  return {
    name: p.name,
    description: p.description,
    agents: p.target.agents.join(", "),
    tools: p.target.tools.join(", "),
    effect: p.effect,
    mode: p.mode,
    priority: String(p.priority),
    condition: p.condition,
    approvers: p.approvers,
    comment: "",
  };
}

/** Selectors typed as a comma- or line-separated list. */
export function selectorList(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

export function inputOf(f: PolicyFormState): PolicyInput {
  return {
    name: f.name.trim(),
    description: f.description,
    target: { agents: selectorList(f.agents), tools: selectorList(f.tools) },
    effect: f.effect,
    mode: f.mode,
    priority: Number.parseInt(f.priority, 10) || 0,
    condition: f.condition,
    approvers: f.effect === "require_approval" ? f.approvers : "",
    ...(f.comment.trim() ? { comment: f.comment.trim() } : {}),
  };
}

/** What the live check compiles: the expressions and the effect they depend on. */
export function draftOf(f: PolicyFormState): PolicyDraft {
  return {
    effect: f.effect,
    condition: f.condition,
    ...(f.effect === "require_approval" ? { approvers: f.approvers } : {}),
  };
}
