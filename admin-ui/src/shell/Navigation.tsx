// The sections the signed-in role may use; the current one is marked for sighted and screen-reader users.
import type { Role } from "../api/client.ts";
import { Link } from "../app/router.tsx";
import { navigationFor, sectionAt } from "../app/sections.ts";
import { Icon } from "../components/Icon.tsx";

export function Navigation({ userRole, pathname }: { userRole: Role; pathname: string }) {
  const current = sectionAt(pathname)?.id;
  return (
    <nav className="nav" aria-label="Main">
      <ul>
        {navigationFor(userRole).map((item) => (
          <li key={item.id}>
            <Link
              to={item.path}
              className={item.id === current ? "nav-link is-current" : "nav-link"}
              aria-current={item.id === current ? "page" : undefined}
            >
              <Icon name={item.id} />
              <span className="nav-label">{item.label}</span>
              {item.access === "read" ? (
                <span className="nav-note" title="Read-only for your role">
                  read
                </span>
              ) : null}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
