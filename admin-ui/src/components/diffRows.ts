// Turns the API's line diff of a condition (`{ value, added, removed }` chunks) into rows for a side-by-side
// view (removed lines paired with the added lines that replace them) and a unified one.

export interface DiffChunk {
  value: string;
  added: boolean;
  removed: boolean;
}

export type LineKind = "same" | "added" | "removed" | "empty";
export interface SideBySideRow {
  left: { kind: LineKind; text: string };
  right: { kind: LineKind; text: string };
}
export interface UnifiedLine {
  kind: Exclude<LineKind, "empty">;
  text: string;
}

const linesOf = (value: string) => {
  const lines = value.split("\n");
  if (lines.length > 1 && lines[lines.length - 1] === "") lines.pop();
  return lines;
};

export function unifiedLines(chunks: DiffChunk[]): UnifiedLine[] {
  return chunks.flatMap((c) =>
    linesOf(c.value).map((text) => ({ kind: c.added ? "added" : c.removed ? "removed" : "same", text }) as const),
  );
}

export function sideBySideRows(chunks: DiffChunk[]): SideBySideRow[] {
  const rows: SideBySideRow[] = [];
  const empty = { kind: "empty" as const, text: "" };
  for (let i = 0; i < chunks.length; i++) {
    const c = chunks[i] as DiffChunk;
    if (!c.added && !c.removed) {
      for (const text of linesOf(c.value)) rows.push({ left: { kind: "same", text }, right: { kind: "same", text } });
      continue;
    }
    const removed = c.removed ? linesOf(c.value) : [];
    const next = chunks[i + 1];
    const added = c.added ? linesOf(c.value) : next?.added ? linesOf(next.value) : [];
    if (c.removed && next?.added) i++;
    for (let k = 0; k < Math.max(removed.length, added.length); k++) {
      const l = removed[k];
      const r = added[k];
      rows.push({
        left: l === undefined ? empty : { kind: "removed", text: l },
        right: r === undefined ? empty : { kind: "added", text: r },
      });
    }
  }
  return rows;
}

/** A line diff of two texts (longest common subsequence), in the API's chunk shape; for small documents. */
export function lineDiff(before: string, after: string): DiffChunk[] {
  const a = before.split("\n");
  const b = after.split("\n");
  // at(i, j): length of the longest common subsequence of a[i..] and b[j..].
  const width = b.length + 1;
  const lcs = new Int32Array((a.length + 1) * width);
  const at = (i: number, j: number) => lcs[i * width + j] as number;
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i * width + j] = a[i] === b[j] ? at(i + 1, j + 1) + 1 : Math.max(at(i + 1, j), at(i, j + 1));
    }
  }
  const chunks: DiffChunk[] = [];
  const push = (line: string, added: boolean, removed: boolean) => {
    const last = chunks[chunks.length - 1];
    if (last && last.added === added && last.removed === removed) last.value += `${line}\n`;
    else chunks.push({ value: `${line}\n`, added, removed });
  };
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      push(a[i] as string, false, false);
      i++;
      j++;
    } else if (j < b.length && (i >= a.length || at(i, j + 1) >= at(i + 1, j))) {
      push(b[j] as string, true, false);
      j++;
    } else {
      push(a[i] as string, false, true);
      i++;
    }
  }
  // Removals first within a changed run, so side-by-side pairs old lines with their replacements.
  for (let k = 0; k + 1 < chunks.length; k++) {
    const c = chunks[k] as DiffChunk;
    const n = chunks[k + 1] as DiffChunk;
    if (c.added && n.removed) {
      chunks[k] = n;
      chunks[k + 1] = c;
    }
  }
  return chunks;
}
