import { describe, expect, it } from "vitest";
import { lineDiff, sideBySideRows, unifiedLines } from "./diffRows.ts";

const chunks = [
  { value: "a &&\n", added: false, removed: false },
  { value: "b == 1\n", added: false, removed: true },
  { value: "b == 2 &&\nc\n", added: true, removed: false },
  { value: "end", added: false, removed: false },
];

describe("condition diff rows", () => {
  it("pairs removed lines with the added lines that replace them, side by side", () => {
    expect(sideBySideRows(chunks)).toEqual([
      { left: { kind: "same", text: "a &&" }, right: { kind: "same", text: "a &&" } },
      { left: { kind: "removed", text: "b == 1" }, right: { kind: "added", text: "b == 2 &&" } },
      { left: { kind: "empty", text: "" }, right: { kind: "added", text: "c" } },
      { left: { kind: "same", text: "end" }, right: { kind: "same", text: "end" } },
    ]);
  });

  it("lists every line once in the unified view", () => {
    expect(unifiedLines(chunks).map((l) => `${l.kind}:${l.text}`)).toEqual([
      "same:a &&",
      "removed:b == 1",
      "added:b == 2 &&",
      "added:c",
      "same:end",
    ]);
  });

  it("shows a pure removal on the left only", () => {
    expect(sideBySideRows([{ value: "x\n", added: false, removed: true }])).toEqual([
      { left: { kind: "removed", text: "x" }, right: { kind: "empty", text: "" } },
    ]);
  });
});

describe("line diff", () => {
  it("keeps common lines and marks the rest, removals before additions", () => {
    expect(lineDiff("a\nb\nc", "a\nB\nc\nd")).toEqual([
      { value: "a\n", added: false, removed: false },
      { value: "b\n", added: false, removed: true },
      { value: "B\n", added: true, removed: false },
      { value: "c\n", added: false, removed: false },
      { value: "d\n", added: true, removed: false },
    ]);
    expect(lineDiff("same", "same")).toEqual([{ value: "same\n", added: false, removed: false }]);
  });
});
