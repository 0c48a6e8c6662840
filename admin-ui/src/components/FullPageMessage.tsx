// A centred message for states with no shell yet: starting up, or unable to start.
import type { ReactNode } from "react";
import { Brand } from "./Brand.tsx";

export function FullPageMessage({ title, busy, children }: { title: string; busy?: boolean; children?: ReactNode }) {
  return (
    <main className="full-page" aria-busy={busy ? "true" : undefined}>
      <Brand />
      {busy ? <div className="spinner" aria-hidden="true" /> : null}
      {children ?? <p className="full-page-title">{title}</p>}
    </main>
  );
}
