import { describe, expect, it } from "vitest";
import { call, policy } from "../test/support.ts";
import { compilePolicySet } from "./compile.ts";

describe("agent targets", () => {
  it("match the acting agent by name as well as by id", () => {
    const engine = compilePolicySet([
      policy({ id: "by-name", effect: "allow", target: { agents: ["expense-report-v1"], tools: ["*"] } }),
    ]);
    const decide = (agent: { id: string; name: string }) =>
      engine.decide(call({ agent: { ...agent, trust: "first_party" } })).outcome;
    expect(decide({ id: "0190c2e4-0000-7000-8000-000000000001", name: "expense-report-v1" })).toBe("allow");
    expect(decide({ id: "expense-report-v1", name: "" })).toBe("allow");
    expect(decide({ id: "0190c2e4-0000-7000-8000-000000000002", name: "ocr-helper-v2" })).toBe("deny");
  });
});
