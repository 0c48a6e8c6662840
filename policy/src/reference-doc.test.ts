// Runs every example in docs/policy-reference.md. Fenced blocks are examples by their info string:
//   ```cel                 an expression; its first line `// expect: <JSON value> | error | compile error: <text>`
//   ```json sample-context the sample call context the cel examples run against (exactly one)
//   ```json policy         a policy that must compile
//   ```json decision       { policies, call?, delegators?, limits?, expect: <subset of the Decision> } against the
//                          sample context; with `delegators` (origin first) it is decided by decideForChain
//   ```json listing        { policies, tools, expect: [names] } for the sample caller
//   ```text                not an example (grammar, output)
// Any other fence fails the test, so nothing in the doc escapes being run; so does a doc with no examples.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { CallBindings } from "./bindings.ts";
import { compileExpression, createExpressionEnv, toStringList } from "./cel/expression.ts";
import { Meter } from "./cel/meter.ts";
import { T } from "./cel/types.ts";
import { compilePolicy, compilePolicySet } from "./compile.ts";
import {
  type AgentContext,
  buildCallContext,
  buildListContext,
  buildToolContext,
  type CallContextInput,
} from "./context.ts";
import { RECORDS, VARIABLES } from "./context-schema.ts";
import { decideForChain } from "./delegation.ts";
import type { Limits } from "./limits.ts";

const DOC = join(import.meta.dirname, "../../docs/policy-reference.md");
const markdown = readFileSync(DOC, "utf8");

interface Block {
  info: string;
  body: string;
  line: number;
}

function fencedBlocks(md: string): Block[] {
  const blocks: Block[] = [];
  const lines = md.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(.*)$/.exec(lines[i] as string);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== "```"; i++) body.push(lines[i] as string);
    blocks.push({ info: (open[1] as string).trim(), body: body.join("\n"), line: start + 1 });
  }
  return blocks;
}

const blocks = fencedBlocks(markdown);
const KINDS = new Set(["cel", "json sample-context", "json policy", "json decision", "json listing", "text"]);
const of = (kind: string) => blocks.filter((b) => b.info === kind);
const contextBlocks = of("json sample-context");
const sample: CallContextInput = JSON.parse(contextBlocks[0]?.body ?? "{}");
const NOW = new Date("2026-03-02T10:00:00Z");

describe("docs/policy-reference.md", () => {
  test("has examples, one sample context, and only fences this test knows how to run", () => {
    expect(of("cel").length).toBeGreaterThan(20);
    expect(of("json decision").length).toBeGreaterThan(3);
    expect(contextBlocks).toHaveLength(1);
    expect(blocks.filter((b) => !KINDS.has(b.info)).map((b) => `line ${b.line}: \`\`\`${b.info}`)).toEqual([]);
  });

  const env = createExpressionEnv(VARIABLES, RECORDS);
  const anyType = [T.bool, T.int, T.uint, T.double, T.string, T.list(T.string), T.list(T.dyn), T.timestamp, T.duration];

  describe("cel examples", () => {
    test.each(of("cel").map((b) => [`line ${b.line}: ${b.body.split("\n")[1] ?? ""}`, b] as const))(
      "%s",
      (_name, b) => {
        const [first, ...rest] = b.body.split("\n");
        const m = /^\/\/ expect: (.*)$/.exec(first ?? "");
        expect(m, `line ${b.line}: first line must be "// expect: …"`).not.toBeNull();
        const expected = (m?.[1] ?? "").trim();
        const source = rest.join("\n");
        const compiled = compileExpression(env, source, anyType, "a value");
        if (expected.startsWith("compile error")) {
          expect(compiled.ok).toBe(false);
          const text = expected.replace(/^compile error:?\s*/, "");
          if (!compiled.ok) expect(compiled.issues.map((i) => i.message).join("; ")).toContain(text);
          return;
        }
        if (!compiled.ok) throw new Error(`line ${b.line}: ${compiled.issues.map((i) => i.message).join("; ")}`);
        const meter = new Meter({ maxSteps: 25_000, maxMillis: 1_000, maxRegexInput: 65_536 });
        const out = compiled.expression.evaluate(new CallBindings(buildCallContext(sample, NOW)), meter);
        if (expected === "error") {
          expect(out.ok, `line ${b.line}: expected an evaluation error`).toBe(false);
          return;
        }
        if (!out.ok) throw new Error(`line ${b.line}: evaluation error: ${out.error}`);
        expect(toJs(out.value)).toEqual(JSON.parse(expected));
      },
    );
  });

  test.each(of("json policy").map((b) => [`line ${b.line}`, b] as const))("policy example at %s compiles", (_n, b) => {
    const r = compilePolicy(JSON.parse(b.body));
    expect(r.ok ? [] : r.errors).toEqual([]);
  });

  test.each(of("json decision").map((b) => [`line ${b.line}`, b] as const))("decision example at %s", (_n, b) => {
    const ex = JSON.parse(b.body) as {
      policies: unknown[];
      call?: Partial<CallContextInput>;
      delegators?: AgentContext[];
      limits?: Partial<Limits>;
      expect: Record<string, unknown>;
    };
    const engine = compilePolicySet(ex.policies, ex.limits ? { limits: ex.limits } : {});
    const ctx = buildCallContext({ ...sample, ...ex.call }, NOW);
    const d = ex.delegators ? decideForChain(engine, ctx, ex.delegators) : engine.decide(ctx);
    expect(d).toMatchObject(ex.expect);
  });

  test.each(of("json listing").map((b) => [`line ${b.line}`, b] as const))("listing example at %s", (_n, b) => {
    const ex = JSON.parse(b.body) as { policies: unknown[]; tools: CallContextInput["tool"][]; expect: string[] };
    const engine = compilePolicySet(ex.policies);
    const listed = engine.listTools(buildListContext(sample), ex.tools.map(buildToolContext));
    expect(listed.map((t) => t.name)).toEqual(ex.expect);
  });
});

function toJs(v: unknown): unknown {
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "boolean" || typeof v === "number" || typeof v === "string" || v === null) return v;
  const list = toStringList(v);
  if (list !== undefined) return list;
  if (v !== null && typeof v === "object" && Symbol.iterator in v) return [...(v as Iterable<unknown>)].map(toJs);
  return String(v);
}
