// Finds the policies whose target matches a call, without scanning all of them: policies are filed under every
// (tool key, agent key) pair their target names, and a call looks up only its own keys.
import type { AgentContext, ToolContext } from "./context.ts";
import { parseSelector, type Selector } from "./policy.ts";

export interface Indexed {
  /** Position in the engine's evaluation order (priority desc, then id). */
  readonly rank: number;
  readonly agents: readonly string[];
  readonly tools: readonly string[];
}

const ANY = "*";
const keyOf = (s: Selector): string =>
  s.kind === "any" ? ANY : s.kind === "name" ? `n:${s.name}` : `l:${s.key}=${s.value}`;

export class TargetIndex<P extends Indexed> {
  readonly #byTool = new Map<string, Map<string, P[]>>();

  constructor(items: readonly P[]) {
    for (const item of items) {
      const agentKeys = [...new Set(item.agents.map((a) => keyOf(parseSelector(a) as Selector)))];
      const toolKeys = [...new Set(item.tools.map((t) => keyOf(parseSelector(t) as Selector)))];
      for (const tk of toolKeys) {
        let byAgent = this.#byTool.get(tk);
        if (byAgent === undefined) {
          byAgent = new Map();
          this.#byTool.set(tk, byAgent);
        }
        for (const ak of agentKeys) {
          const list = byAgent.get(ak);
          if (list === undefined) byAgent.set(ak, [item]);
          else list.push(item);
        }
      }
    }
    for (const byAgent of this.#byTool.values()) {
      for (const list of byAgent.values()) list.sort((a, b) => a.rank - b.rank);
    }
  }

  /** The items whose target matches this agent and tool, in rank order, each once. */
  match(
    agent: Pick<AgentContext, "id" | "name" | "labels">,
    tool: Pick<ToolContext, "name" | "upstream" | "labels">,
  ): P[] {
    // An agent is targeted by its id or by its name (names are unique and what people write in policies).
    const agentKeys = [`n:${agent.id}`, ANY];
    if (agent.name !== "" && agent.name !== agent.id) agentKeys.push(`n:${agent.name}`);
    for (const k in agent.labels) agentKeys.push(`l:${k}=${agent.labels[k]}`);
    const toolKeys = [`n:${tool.name}`, ANY];
    if (tool.upstream !== "") toolKeys.push(`n:${tool.upstream}/${tool.name}`);
    for (const k in tool.labels) toolKeys.push(`l:${k}=${tool.labels[k]}`);

    let single: P[] | undefined;
    let many: P[][] | undefined;
    for (const tk of toolKeys) {
      const byAgent = this.#byTool.get(tk);
      if (byAgent === undefined) continue;
      for (const ak of agentKeys) {
        const list = byAgent.get(ak);
        if (list === undefined) continue;
        if (single === undefined) {
          single = list;
        } else {
          many ??= [single];
          many.push(list);
        }
      }
    }
    if (single === undefined) return [];
    if (many === undefined) return single.slice();
    const seen = new Set<P>();
    for (const list of many) for (const item of list) seen.add(item);
    return [...seen].sort((a, b) => a.rank - b.rank);
  }
}
