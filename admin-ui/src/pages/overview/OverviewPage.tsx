// Overview: who is signed in and what their role can do here; gateway activity once data planes report it.
import type { SessionInfo } from "../../api/client.ts";
import { Link } from "../../app/router.tsx";
import { navigationFor } from "../../app/sections.ts";
import { Badge } from "../../components/Badge.tsx";
import { Icon } from "../../components/Icon.tsx";
import { PageHeader } from "../../components/PageHeader.tsx";
import { EmptyState } from "../../components/StateViews.tsx";
import { roleDescriptions } from "../../shell/roles.ts";

export function OverviewPage({ session }: { session: SessionInfo }) {
  const { user } = session;
  const destinations = navigationFor(user.role).filter((s) => s.id !== "overview");
  return (
    <>
      <PageHeader
        title="Overview"
        description={`Welcome, ${user.displayName || user.email}. ${roleDescriptions[user.role]}`}
      />
      <section className="panel" aria-labelledby="activity-title">
        <h2 id="activity-title" className="panel-title">
          Gateway activity
        </h2>
        <EmptyState icon="activity" title="No traffic to show yet">
          Tool calls per minute, denials and the health of each data-plane node will appear here once a data plane is
          connected and reporting audit.
        </EmptyState>
      </section>
      <section aria-labelledby="sections-title">
        <h2 id="sections-title" className="section-heading">
          Your console
        </h2>
        <ul className="card-grid">
          {destinations.map((s) => (
            <li key={s.id}>
              <Link to={s.path} className="card">
                <span className="card-head">
                  <Icon name={s.id} />
                  <span className="card-title">{s.label}</span>
                  {s.planned ? <Badge>Coming soon</Badge> : null}
                  {s.access === "read" ? <Badge>Read-only</Badge> : null}
                </span>
                <span className="card-body">{s.summary}</span>
                <span className="card-link">
                  Open <Icon name="arrowRight" />
                </span>
              </Link>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}
