// Which upstreams and tools each MCP virtual server serves, and how names are exposed.
import type { SnapshotTool, SnapshotUpstream } from "@portcullis/proto";
import { afterEach, describe, expect, it } from "vitest";
import type { ConfigEngine } from "../config/validate.ts";
import { silentLogger } from "../log.ts";
import { buildMcpServers, type McpServers } from "./virtual-servers.ts";

const upstream = (id: string, name: string, kind: SnapshotUpstream["kind"] = "mcp"): SnapshotUpstream => ({
  id,
  name,
  kind,
  url: `http://127.0.0.1:1/${name}`,
  labels: {},
  settings: {},
  credential: null,
});
const tool = (id: string, upstreamId: string, name: string, status: SnapshotTool["status"] = "active") =>
  ({
    id,
    upstreamId,
    name,
    description: name,
    inputSchema: { type: "object" },
    annotations: {},
    labels: {},
    http: null,
    sensitive: false,
    status,
    pinnedHash: "c".repeat(64),
  }) as SnapshotTool;

function engine(settings: Record<string, unknown>): ConfigEngine {
  const upstreams = [upstream("u1", "mail"), upstream("u2", "crm"), upstream("u3", "api", "http")];
  const tools = [
    tool("t1", "u1", "send_email"),
    tool("t2", "u2", "send_email"),
    tool("t3", "u2", "find_contact"),
    tool("t4", "u2", "old_tool", "quarantined"),
    tool("t5", "u3", "http_tool"),
  ];
  return {
    version: 1,
    resources: { settings, upstreams, tools },
    upstreamsById: new Map(upstreams.map((u) => [u.id, u])),
  } as unknown as ConfigEngine;
}

describe("MCP virtual servers", () => {
  const built: McpServers[] = [];
  afterEach(async () => {
    for (const b of built.splice(0)) for (const pool of b.pools.values()) await pool.close();
  });

  it("without settings: one `default` server with every mcp upstream, active tools only, ambiguous names prefixed (T10)", () => {
    const servers = buildMcpServers(engine({}), undefined, silentLogger);
    built.push(servers);
    expect([...servers.servers.keys()]).toEqual(["default"]);
    const names = [...(servers.servers.get("default")?.tools.keys() ?? [])];
    expect(names).toEqual(["mail__send_email", "crm__send_email", "find_contact"]);
    const route = servers.servers.get("default")?.tools.get("crm__send_email");
    expect(route?.tool.name).toBe("send_email");
    expect(route?.upstream.upstream.id).toBe("u2");
  });

  it("settings.virtualServers names the servers; a name is only prefixed when ambiguous within its server", () => {
    const servers = buildMcpServers(
      engine({ virtualServers: { crm: ["crm"], "bad name": ["mail"] } }),
      undefined,
      silentLogger,
    );
    built.push(servers);
    expect([...servers.servers.keys()]).toEqual(["crm"]);
    expect([...(servers.servers.get("crm")?.tools.keys() ?? [])]).toEqual(["send_email", "find_contact"]);
  });
});
