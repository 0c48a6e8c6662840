import { useEffect } from "react";

/** Names the browser tab after the page, e.g. "Agents · Portcullis". */
export function useDocumentTitle(title: string) {
  useEffect(() => {
    document.title = `${title} · Portcullis`;
  }, [title]);
}
