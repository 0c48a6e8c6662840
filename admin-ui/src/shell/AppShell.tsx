// The signed-in layout: brand, role-based navigation and the user panel beside the page.
import type { ReactNode } from "react";
import type { SessionInfo } from "../api/client.ts";
import { Brand } from "../components/Brand.tsx";
import { Navigation } from "./Navigation.tsx";
import { UserPanel } from "./UserPanel.tsx";

export function AppShell({
  session,
  pathname,
  children,
}: {
  session: SessionInfo;
  pathname: string;
  children: ReactNode;
}) {
  return (
    <div className="shell">
      <aside className="sidebar">
        <div className="sidebar-brand">
          <Brand />
        </div>
        <Navigation userRole={session.user.role} pathname={pathname} />
        <UserPanel user={session.user} />
      </aside>
      <main className="content" id="main">
        {children}
      </main>
    </div>
  );
}
