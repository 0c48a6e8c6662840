import { useState } from "react";

/**
 * Walks keyset pages: remembers the cursors that led to the current page so Previous can go back. Any change of
 * `filterKey` (search text, filters) starts again at the first page.
 */
export function useCursorPages(filterKey: string) {
  const [state, setState] = useState<{ filterKey: string; cursors: string[] }>({ filterKey, cursors: [] });
  const cursors = state.filterKey === filterKey ? state.cursors : [];
  return {
    /** The cursor of the current page; undefined on the first. */
    cursor: cursors.at(-1),
    page: cursors.length + 1,
    next: (nextCursor: string) => setState({ filterKey, cursors: [...cursors, nextCursor] }),
    previous: () => setState({ filterKey, cursors: cursors.slice(0, -1) }),
  };
}
