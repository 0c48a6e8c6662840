// Tool pinning at the node (T08): what an upstream MCP server lists must be what was approved. The snapshot pins
// each tool's definition (`pinnedHash`: SHA-256 of the canonical JSON of {name, description, inputSchema,
// annotations}, as the control plane's toolDefinitionHash computes it). When a gateway session first uses an
// upstream, and again once the last check is older than the recheck interval, the node lists the upstream's tools
// and hashes each definition; a tool whose definition differs from its pin is quarantined on this node: hidden
// from tools/list and answered like an unknown tool, with one `tool_definition_changed` audit event (old and new
// hash) and a warning in the log. Other tools are unaffected. A new pin (the tool re-approved in the control
// plane, so a new snapshot) that matches what the upstream lists lifts the quarantine; so does the upstream going
// back to the approved definition.
import { canonicalJson, type SnapshotTool, sha256Hex } from "@portcullis/proto";

/** The pin of a tool definition as an upstream lists it (missing fields as the control plane stores them). */
export function toolDefinitionHash(tool: {
  name: string;
  description?: unknown;
  inputSchema?: unknown;
  annotations?: unknown;
}): string {
  return sha256Hex(
    canonicalJson({
      name: tool.name,
      description: tool.description ?? "",
      inputSchema: tool.inputSchema ?? {},
      annotations: tool.annotations ?? {},
    } as Parameters<typeof canonicalJson>[0]),
  );
}

export interface DefinitionChange {
  tool: SnapshotTool;
  pinnedHash: string;
  seenHash: string;
}

export interface ToolPins {
  /** True while this node has seen the upstream list a definition of this tool that differs from `pinnedHash`. */
  isQuarantined(toolId: string, pinnedHash: string): boolean;
  /** How many tools are quarantined on this node now. */
  quarantined(): number;
  /** Whether the upstream's listing is due for a check (never checked, or last checked too long ago). */
  due(upstreamKey: string): boolean;
  /**
   * Compares an upstream's listing with the pins of its snapshot tools; returns the tools newly quarantined.
   * Tools the upstream does not list are left alone (a call to them fails upstream).
   */
  apply(upstreamKey: string, pinned: readonly SnapshotTool[], listed: readonly unknown[]): DefinitionChange[];
}

export function createToolPins(options: {
  recheckMs: number;
  now?: () => number;
  /** Called after a check that quarantined a tool or lifted a quarantine (what tools/list shows changed). */
  onChange?: () => void;
}): ToolPins {
  const now = options.now ?? Date.now;
  // toolId → the pin it was quarantined under, and what the upstream listed.
  const quarantined = new Map<string, { pinnedHash: string; seenHash: string }>();
  const checkedAt = new Map<string, number>();
  return {
    isQuarantined: (toolId, pinnedHash) => quarantined.get(toolId)?.pinnedHash === pinnedHash,
    quarantined: () => quarantined.size,
    due(upstreamKey) {
      const at = checkedAt.get(upstreamKey);
      return at === undefined || now() - at >= options.recheckMs;
    },
    apply(upstreamKey, pinned, listed) {
      checkedAt.set(upstreamKey, now());
      const seen = new Map<string, string>();
      for (const entry of listed) {
        if (!entry || typeof entry !== "object" || typeof (entry as { name?: unknown }).name !== "string") continue;
        const definition = entry as { name: string };
        try {
          seen.set(definition.name, toolDefinitionHash(definition));
        } catch {
          seen.set(definition.name, "unhashable");
        }
      }
      const changes: DefinitionChange[] = [];
      let lifted = false;
      for (const tool of pinned) {
        const seenHash = seen.get(tool.name);
        if (seenHash === undefined) continue;
        if (seenHash === tool.pinnedHash) {
          lifted = quarantined.delete(tool.id) || lifted;
          continue;
        }
        const known = quarantined.get(tool.id);
        if (known?.pinnedHash === tool.pinnedHash && known.seenHash === seenHash) continue;
        quarantined.set(tool.id, { pinnedHash: tool.pinnedHash, seenHash });
        changes.push({ tool, pinnedHash: tool.pinnedHash, seenHash });
      }
      if (lifted || changes.length > 0) options.onChange?.();
      return changes;
    },
  };
}
