// The playground's described call, as typed, and its conversion into a simulation request (with the problems
// that keep it from being sent: arguments that are not a JSON object, a session line that is not understood).
import type { PolicyInput, SimulationInput } from "../../../api/client.ts";

export interface CallFormState {
  agent: string;
  operator: string;
  tool: string;
  args: string;
  history: string;
  taints: string;
}

export const emptyCall: CallFormState = {
  agent: "",
  operator: "",
  tool: "",
  args: "{}",
  history: "",
  taints: "",
};

const DECISIONS = new Set(["allow", "deny", "require_approval"]);

export type BuiltCall = { ok: true; input: SimulationInput } | { ok: false; problems: Record<string, string> };

export function buildSimulation(call: CallFormState, draft: (PolicyInput & { id?: string }) | undefined): BuiltCall {
  const problems: Record<string, string> = {};
  if (!call.agent.trim()) problems.agent = "Name the agent that calls";
  if (!call.operator.trim()) problems.operator = "Name the person the agent acts for";
  if (!call.tool.trim()) problems.tool = "Name the tool";

  let args: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(call.args.trim() || "{}");
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      problems.args = 'The arguments must be a JSON object, e.g. {"amount": 120}';
    } else args = parsed as Record<string, unknown>;
  } catch (e) {
    problems.args = `Not valid JSON: ${(e as Error).message}`;
  }

  let operator: SimulationInput["operator"] = call.operator.trim();
  if (operator.startsWith("{")) {
    try {
      operator = JSON.parse(operator) as SimulationInput["operator"];
    } catch (e) {
      problems.operator = `Not valid JSON: ${(e as Error).message}`;
    }
  }

  const calls: NonNullable<NonNullable<SimulationInput["session"]>["calls"]> = [];
  call.history.split("\n").forEach((line, i) => {
    const [tool, decision = "allow", ...rest] = line.trim().split(/\s+/);
    if (!tool) return;
    if (rest.length > 0 || !DECISIONS.has(decision)) {
      problems.history = `Line ${i + 1}: expected "tool" or "tool allow|deny|require_approval"`;
      return;
    }
    calls.push({ tool, decision: decision as "allow" });
  });
  const taints = call.taints
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);

  if (Object.keys(problems).length > 0) return { ok: false, problems };
  return {
    ok: true,
    input: {
      agent: call.agent.trim(),
      operator,
      tool: call.tool.trim(),
      args,
      ...(calls.length > 0 || taints.length > 0
        ? { session: { ...(calls.length ? { calls } : {}), ...(taints.length ? { taints } : {}) } }
        : {}),
      ...(draft ? { draft } : {}),
    },
  };
}
