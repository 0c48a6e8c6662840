import { describe, expect, it } from "vitest";
import { offsetOf, tokenize } from "./celTokens.ts";

const kinds = (source: string) =>
  tokenize(source)
    .filter((t) => t.kind !== "text")
    .map((t) => `${t.kind}:${t.text}`);

describe("CEL display tokens", () => {
  it("colours variables, fields, strings, numbers, keywords and operators", () => {
    expect(kinds('session.count("receipt_ocr") == 0 && args.amount in [1.5, 2u]')).toEqual([
      "variable:session",
      "operator:.",
      "ident:count",
      "operator:(",
      'string:"receipt_ocr"',
      "operator:)",
      "operator:==",
      "number:0",
      "operator:&&",
      "variable:args",
      "operator:.",
      "ident:amount",
      "keyword:in",
      "operator:[",
      "number:1.5",
      "operator:,",
      "number:2u",
      "operator:]",
    ]);
  });

  it("a root name after a dot is a field, not a variable; comments and unterminated strings stay whole", () => {
    expect(kinds("x.agent // note")).toEqual(["ident:x", "operator:.", "ident:agent", "comment:// note"]);
    expect(kinds("'open")).toEqual(["string:'open"]);
  });

  it("keeps every character, so the coloured copy lines up with the text area", () => {
    const source = "agent.name == 'a'\n  && !tool.annotations.destructive\t# ?";
    expect(
      tokenize(source)
        .map((t) => t.text)
        .join(""),
    ).toBe(source);
  });

  it("finds the offset of a 1-based line and column, clamped to the line", () => {
    const source = "true &&\n   user.name";
    expect(source.slice(offsetOf(source, 2, 4))).toBe("user.name");
    expect(offsetOf(source, 1, 99)).toBe(7);
    expect(offsetOf(source, 9, 1)).toBe(source.length);
  });
});
