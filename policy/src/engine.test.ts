// Engine-level invariants: CEL is parsed when a policy set is compiled and never while deciding or listing.
import * as cel from "@bufbuild/cel";
import { expect, test, vi } from "vitest";
import { call, listCtx, policy } from "../test/support.ts";
import { compilePolicySet } from "./compile.ts";
import { buildToolContext } from "./context.ts";

vi.mock("@bufbuild/cel", async (importOriginal) => {
  const original = await importOriginal<typeof import("@bufbuild/cel")>();
  return { ...original, parse: vi.fn(original.parse), plan: vi.fn(original.plan) };
});

test("conditions are parsed and planned once, at compile time; deciding and listing never parse", () => {
  const parse = vi.mocked(cel.parse);
  const plan = vi.mocked(cel.plan);
  parse.mockClear();
  plan.mockClear();
  const engine = compilePolicySet([
    policy({ id: "a", effect: "allow", condition: "args.x == 1" }),
    policy({ id: "d", effect: "deny", condition: 'session.called("tool_a")' }),
    policy({ id: "h", effect: "require_approval", condition: "args.x > 5", approvers: "operator.manager" }),
  ]);
  expect(parse).toHaveBeenCalledTimes(4);
  expect(plan).toHaveBeenCalledTimes(4);
  for (let i = 0; i < 100; i++) {
    engine.decide(call({ args: { x: i % 10 } }));
    engine.listTools(listCtx(), [buildToolContext({ name: "tool_a" })]);
  }
  expect(parse).toHaveBeenCalledTimes(4);
  expect(plan).toHaveBeenCalledTimes(4);
});

test("only src/cel/ imports the CEL library (our own small interface is the boundary)", async () => {
  const { readdir, readFile } = await import("node:fs/promises");
  const { join } = await import("node:path");
  const root = join(import.meta.dirname);
  const offenders: string[] = [];
  for (const entry of await readdir(root, { recursive: true })) {
    const file = String(entry);
    if (!file.endsWith(".ts") || file.endsWith(".test.ts") || file.startsWith("cel/")) continue;
    const text = await readFile(join(root, file), "utf8");
    if (/from "@bufbuild\//.test(text)) offenders.push(file);
  }
  expect(offenders).toEqual([]);
});

test("a malformed context is denied (engine_error) and lists nothing, instead of throwing", () => {
  const engine = compilePolicySet([policy({ id: "a", effect: "allow" })]);
  const broken = { ...call(), agent: undefined } as unknown as ReturnType<typeof call>;
  expect(engine.decide(broken)).toMatchObject({ outcome: "deny", code: "engine_error" });
  expect(engine.listTools({ ...listCtx(), agent: undefined } as never, [buildToolContext({ name: "t" })])).toEqual([]);
});
