import { describe, expect, it } from "vitest";
import { checkResources, SNAPSHOT_SCHEMA_VERSION, type SnapshotResources } from "./resources.ts";

const base = (): SnapshotResources => ({
  schemaVersion: SNAPSHOT_SCHEMA_VERSION,
  groupId: "g",
  groupName: "default",
  settings: {},
  agents: [
    { id: "a1", name: "agent", owner: "o", trust: "first_party", labels: {}, allowedDelegates: [], disabled: false },
  ],
  operators: [],
  upstreams: [
    { id: "u1", name: "ocr", kind: "mcp", url: "http://127.0.0.1:1", labels: {}, settings: {}, credential: null },
  ],
  tools: [
    {
      id: "t1",
      upstreamId: "u1",
      name: "receipt_ocr",
      description: "",
      inputSchema: {},
      annotations: {},
      labels: {},
      http: null,
      sensitive: false,
      status: "active",
      pinnedHash: "x",
    },
  ],
  policies: [],
  trust: { controlPlaneKeys: [], issuers: [], nodeAssertionKeys: [] },
  allowMassDelete: false,
});

describe("snapshot resources", () => {
  it("accepts a consistent set", () => {
    expect(checkResources(base())).toEqual([]);
  });

  it("names dangling references, duplicates and a wrong schema version", () => {
    const r = base();
    r.schemaVersion = 99;
    expect(checkResources(r)[0]?.path).toBe("schemaVersion");
    const d = base();
    d.tools[0] = { ...(d.tools[0] as SnapshotResources["tools"][number]), upstreamId: "nope" };
    d.agents.push({ ...(d.agents[0] as SnapshotResources["agents"][number]), allowedDelegates: ["ghost"] });
    expect(checkResources(d).map((p) => p.message)).toEqual([
      "duplicate id a1",
      "duplicate name agent",
      "unknown agent ghost",
      "unknown upstream nope",
    ]);
    expect(checkResources(null)).toEqual([{ path: "", message: "resources are not an object" }]);
  });
});
