import { generateSigningKeyPair, type SnapshotResources, signSnapshot, trustedKeys } from "@portcullis/proto";
import { describe, expect, it } from "vitest";
import { makeResources, UNCOMPILABLE_POLICY } from "../../test/fixtures.ts";
import { buildEngine, type ConfigEngine, compileSnapshotPolicies } from "./validate.ts";

const cp = generateSigningKeyPair();
const cpKeys = trustedKeys([cp.publicKey]);
const sign = (version: number, resources: SnapshotResources, key = cp) =>
  signSnapshot({ version, resources, signingKey: key.privateKey, kid: key.kid });

function engineOf(version: number, resources: SnapshotResources): ConfigEngine {
  const built = buildEngine(sign(version, resources), { cpKeys });
  if (!built.ok) throw new Error(built.errors.join("; "));
  return built.engine;
}

describe("buildEngine", () => {
  it("builds a frozen engine with compiled policies and indexes", () => {
    const engine = engineOf(3, makeResources({ tools: 3, policies: 2 }));
    expect(engine.version).toBe(3);
    expect(engine.policies.policies.map((p) => p.id)).toEqual(["policy-1", "policy-0"]);
    expect(engine.toolsById.get("tool-2")?.name).toBe("tool_2");
    expect(engine.toolsByName.get("tool_1")?.map((t) => t.id)).toEqual(["tool-1"]);
    expect(engine.agentsByName.get("expense-bot")?.id).toBe("agent-1");
    expect(engine.agentsById.get("agent-1")?.name).toBe("expense-bot");
    expect(engine.upstreamsById.get("up-1")?.kind).toBe("mcp");
    expect(Object.isFrozen(engine)).toBe(true);
    expect(Object.isFrozen(engine.resources.tools[0])).toBe(true);
    expect(() => (engine.toolsById as Map<string, unknown>).set("x", {})).toThrow(TypeError);
    expect(() => {
      (engine.resources.tools as unknown[]).push({});
    }).toThrow(TypeError);
  });

  it("refuses a snapshot signed by a key the node does not trust", () => {
    const built = buildEngine(sign(1, makeResources(), generateSigningKeyPair()), { cpKeys });
    expect(built).toEqual({ ok: false, errors: [expect.stringMatching(/^signature check failed \(unknown_key\)/)] });
  });

  it("refuses resources that do not hash to the signed sha256", () => {
    const signed = sign(1, makeResources());
    const tampered = Buffer.from(signed.resourcesJson.toString("utf8").replace("tool_1", "tool_X"));
    const built = buildEngine({ ...signed, resourcesJson: tampered }, { cpKeys });
    expect(built).toEqual({ ok: false, errors: [expect.stringMatching(/hash_mismatch/)] });
  });

  it("refuses a version that is not newer than the served one (rollback)", () => {
    const serving = engineOf(5, makeResources());
    for (const version of [4, 5]) {
      const built = buildEngine(sign(version, makeResources()), { cpKeys, serving });
      expect(built).toEqual({ ok: false, errors: [expect.stringContaining("rollback refused")] });
    }
  });

  it("refuses broken references with the path of each problem", () => {
    const resources = makeResources();
    resources.tools[1] = { ...(resources.tools[1] as SnapshotResources["tools"][number]), upstreamId: "nope" };
    const built = buildEngine(sign(1, resources), { cpKeys });
    expect(built).toEqual({ ok: false, errors: ["resources.tools[1].upstreamId: unknown upstream nope"] });
  });

  it("refuses a policy that does not compile, naming the policy and the position", () => {
    const built = buildEngine(sign(1, makeResources({ extraPolicies: [UNCOMPILABLE_POLICY] })), { cpKeys });
    expect(built.ok).toBe(false);
    if (built.ok) return;
    expect(built.errors).toHaveLength(1);
    expect(built.errors[0]).toMatch(/^policy compile error: policy 'broken' \(broken policy\): condition 1:\d+: /);
  });

  it("mass-delete guard: refuses dropping more than half of the tools or policies unless allowed", () => {
    const serving = engineOf(1, makeResources({ tools: 10, policies: 4 }));
    const half = buildEngine(sign(2, makeResources({ tools: 5, policies: 4 })), { cpKeys, serving });
    expect(half.ok).toBe(true);
    const tools = buildEngine(sign(3, makeResources({ tools: 4, policies: 4 })), { cpKeys, serving });
    expect(tools).toEqual({ ok: false, errors: [expect.stringContaining("removes 6 of 10 tools")] });
    const both = buildEngine(sign(3, makeResources({ tools: 0, policies: 1 })), { cpKeys, serving });
    expect(both.ok ? [] : both.errors).toEqual([
      expect.stringContaining("removes 10 of 10 tools"),
      expect.stringContaining("removes 3 of 4 policies"),
    ]);
    const allowed = buildEngine(sign(3, makeResources({ tools: 0, policies: 0, allowMassDelete: true })), {
      cpKeys,
      serving,
    });
    expect(allowed.ok).toBe(true);
  });

  it("has no mass-delete guard without a served snapshot (first apply, restore from disk)", () => {
    expect(buildEngine(sign(1, makeResources({ tools: 0, policies: 0 })), { cpKeys }).ok).toBe(true);
  });
});

describe("compileSnapshotPolicies", () => {
  it("treats an empty approvers as unset, as the snapshot contract says", () => {
    const r = compileSnapshotPolicies(makeResources({ policies: 2 }).policies);
    expect(r.ok).toBe(true);
  });

  it("reports every broken policy at once", () => {
    const r = compileSnapshotPolicies([UNCOMPILABLE_POLICY, { ...UNCOMPILABLE_POLICY, id: "broken-2" }]);
    expect(r.ok ? [] : r.errors).toEqual([
      expect.stringContaining("policy 'broken'"),
      expect.stringContaining("policy 'broken-2'"),
    ]);
  });
});
