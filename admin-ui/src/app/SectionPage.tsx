// Picks the page for the current path, after checking that the signed-in role may use that section.
import type { SessionInfo } from "../api/client.ts";
import { EmptyState } from "../components/StateViews.tsx";
import { AgentsPage } from "../pages/agents/AgentsPage.tsx";
import { ApprovalsPage } from "../pages/approvals/ApprovalsPage.tsx";
import { AuditPage } from "../pages/audit/AuditPage.tsx";
import { NodesPage } from "../pages/nodes/NodesPage.tsx";
import { OverviewPage } from "../pages/overview/OverviewPage.tsx";
import { PlannedPage } from "../pages/PlannedPage.tsx";
import { PoliciesSection } from "../pages/policies/PoliciesSection.tsx";
import { SessionPage } from "../pages/sessions/SessionPage.tsx";
import { SessionsPage } from "../pages/sessions/SessionsPage.tsx";
import { SettingsPage } from "../pages/settings/SettingsPage.tsx";
import { ToolsPage } from "../pages/tools/ToolsPage.tsx";
import { Link } from "./router.tsx";
import { type NavItem, navigationFor, sectionAt } from "./sections.ts";
import { useDocumentTitle } from "./useDocumentTitle.ts";

export function SectionPage({ session, pathname }: { session: SessionInfo; pathname: string }) {
  const section = sectionAt(pathname);
  const item = section && navigationFor(session.user.role).find((n) => n.id === section.id);
  useDocumentTitle(item?.label ?? (section ? "Not available" : "Not found"));

  if (!section) {
    return (
      <EmptyState icon="compass" title="No such page" action={<Link to="/">Go to the overview</Link>}>
        There is nothing at <code>{pathname}</code>. It may have moved, or the link may be mistyped.
      </EmptyState>
    );
  }
  if (!item) {
    return (
      <EmptyState
        icon="lock"
        title={`${section.label} is not available to your role`}
        action={<Link to="/">Go to the overview</Link>}
      >
        You are signed in with the <strong>{session.user.role}</strong> role, which does not include {section.label}.
        Ask an administrator if you need access.
      </EmptyState>
    );
  }
  return <PageFor item={item} session={session} pathname={pathname} />;
}

function PageFor({ item, session, pathname }: { item: NavItem; session: SessionInfo; pathname: string }) {
  const rest = pathname.slice(item.path.length + 1).replace(/\/+$/, "");
  switch (item.id) {
    case "overview":
      return <OverviewPage session={session} />;
    case "agents":
      return <AgentsPage item={item} />;
    case "policies":
      return <PoliciesSection item={item} />;
    case "nodes":
      return <NodesPage item={item} />;
    case "settings":
      return <SettingsPage item={item} />;
    case "tools":
      return <ToolsPage item={item} role={session.user.role} />;
    case "sessions":
      return rest ? <SessionPage id={decodeURIComponent(rest)} /> : <SessionsPage item={item} />;
    case "audit":
      return <AuditPage item={item} />;
    case "approvals":
      return <ApprovalsPage item={item} session={session} />;
    default:
      return <PlannedPage item={item} />;
  }
}
