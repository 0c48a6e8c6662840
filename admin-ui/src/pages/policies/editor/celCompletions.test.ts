// The editor's completions match what the engine declares, so they never suggest a variable it would refuse.
import { describe, expect, it } from "vitest";
import { RECORDS, VARIABLES } from "../../../../../policy/src/context-schema.ts";
import { completionsAt, FIELDS, GLOBALS } from "./celCompletions.ts";

describe("condition completions", () => {
  it("list exactly the engine's variables and each record's fields", () => {
    expect(GLOBALS.filter((g) => !g.endsWith("(")).sort()).toEqual(Object.keys(VARIABLES).sort());
    for (const [path, fields] of Object.entries(FIELDS)) {
      const type = path.split(".").reduce<unknown>((t, part, i) => {
        const record = (i === 0 ? VARIABLES[part] : (t as { fields: Record<string, unknown> }).fields[part]) as {
          name: string;
        };
        return RECORDS.find((r) => r.name === record.name);
      }, undefined) as { fields: Record<string, unknown> };
      expect(fields.filter((f) => !f.endsWith("(")).sort(), path).toEqual(Object.keys(type.fields).sort());
    }
  });

  it("complete a variable, a field after a dot, and a nested record's field", () => {
    expect(completionsAt("ses", 3)).toEqual({ from: 0, options: ["session"] });
    expect(completionsAt("x && operator.de", 16)).toEqual({ from: 14, options: ["department", "delegation_limit"] });
    expect(completionsAt("tool.annotations.", 17)?.options).toEqual([
      "destructive",
      "read_only",
      "idempotent",
      "open_world",
    ]);
    expect(completionsAt('session.count("receipt_ocr") == 0', 4)).toEqual({ from: 0, options: ["session"] });
  });

  it("offer nothing inside unknown paths, strings or for a finished word", () => {
    expect(completionsAt("args.amo", 8)).toBeUndefined();
    expect(completionsAt('"agen', 5)).toBeUndefined();
    expect(completionsAt("agent", 5)).toBeUndefined();
    expect(completionsAt("", 0)).toBeUndefined();
  });
});
