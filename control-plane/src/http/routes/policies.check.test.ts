// POST /policies/check: the live check behind the console's editor. Same compile as saving, positions and the
// inferred type, and nothing is written.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../../test/app-harness.ts";

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const check = (body: unknown, role: "admin" | "security" | "auditor" = "security") =>
  t.call("POST", "/api/v1/policies/check", { role, body });

describe("policy draft check", () => {
  it("accepts a valid condition and reports its inferred type", async () => {
    const res = await check({ condition: 'session.count("receipt_ocr") == 0' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true, errors: [], types: { condition: "bool", approvers: null } });
  });

  it("returns a syntax error at its line and column as a 200, not a refusal", async () => {
    const res = await check({ condition: "args.amount > 100 &&\n  agent.name ==" });
    expect(res.status).toBe(200);
    expect(res.body.ok).toBe(false);
    expect(res.body.types.condition).toBeNull();
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors[0]).toMatchObject({ field: "body.condition", line: 2, column: expect.any(Number) });
    expect(res.body.errors[0].message).toMatch(/^syntax error/);
  });

  it("positions an unknown variable on its line and column", async () => {
    const res = await check({ condition: "true &&\n   user.name == 'x'" });
    expect(res.body.errors).toEqual([
      { field: "body.condition", message: expect.stringMatching(/undeclared reference to 'user'/), line: 2, column: 4 },
    ]);
  });

  it("names a condition of the wrong type, with the type it has", async () => {
    const res = await check({ condition: "args.amount" });
    expect(res.body.ok).toBe(true); // args values are dyn: checked at run time
    const typed = await check({ condition: "agent.name" });
    expect(typed.body.ok).toBe(false);
    expect(typed.body.errors[0].message).toBe("must evaluate to bool, but evaluates to string");
  });

  it("checks approvers as saving does, and types them", async () => {
    const ok = await check({ effect: "require_approval", approvers: "[operator.manager]" });
    expect(ok.body).toEqual({ ok: true, errors: [], types: { condition: null, approvers: "list(string)" } });
    const misplaced = await check({ effect: "allow", approvers: "operator.manager" });
    expect(misplaced.body.errors).toEqual([
      { field: "body.approvers", message: "only require_approval policies name approvers" },
    ]);
    const wrong = await check({ effect: "require_approval", approvers: "1 + 2" });
    expect(wrong.body.errors[0]).toMatchObject({ field: "body.approvers", line: 1, column: 1 });
  });

  it("agrees with saving: what check accepts saves, what it refuses is refused at the same position", async () => {
    const base = { name: "agree", target: { agents: ["*"], tools: ["check_only"] }, effect: "deny" as const };
    const bad = { ...base, condition: "args.x == 1 &&\n session.count(" };
    const checked = await check(bad);
    const saved = await t.call("POST", "/api/v1/policies", { role: "security", body: bad });
    expect(saved.status).toBe(400);
    expect(saved.body.error.fields).toEqual(checked.body.errors);
    const good = { ...base, condition: "args.x == 1" };
    expect((await check(good)).body.ok).toBe(true);
    expect((await t.call("POST", "/api/v1/policies", { role: "security", body: good })).status).toBe(201);
  });

  it("writes nothing, and any reader may check (auditors included)", async () => {
    const before = (await t.call("GET", "/api/v1/policies")).body.items.length;
    const res = await check({ name: "never-saved", condition: "true" }, "auditor");
    expect(res.status).toBe(200);
    expect((await t.call("GET", "/api/v1/policies")).body.items.length).toBe(before);
  });

  it("refuses a body that is not a draft with field errors", async () => {
    const res = await check({ condition: 42, surprise: true });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_failed");
    expect(res.body.error.fields.map((f: { field: string }) => f.field).sort()).toEqual(["body", "body.condition"]);
  });
});
