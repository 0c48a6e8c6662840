// The header of one policy's pages: back to the list, the name and current version, and its tabs.
import type { Policy } from "../../api/client.ts";
import { Link } from "../../app/router.tsx";
import type { NavItem } from "../../app/sections.ts";
import { PageHeader } from "../../components/PageHeader.tsx";
import { EffectBadge, ModeBadge } from "./PolicyBadges.tsx";

export type PolicyTab = "edit" | "versions";

export function PolicyPageHeader({
  item,
  policy,
  tab,
  isNew,
}: {
  item: NavItem;
  policy: Policy | undefined;
  tab: PolicyTab;
  isNew?: boolean;
}) {
  return (
    <>
      <nav className="breadcrumbs" aria-label="Breadcrumb">
        <Link to="/policies">Policies</Link>
        <span aria-hidden="true"> / </span>
        <span className="mono">{policy?.name ?? (isNew ? "new" : "…")}</span>
      </nav>
      <PageHeader
        title={policy ? policy.name : isNew ? "New policy" : "Policy"}
        description={
          policy
            ? `Version ${policy.currentVersion}${policy.description ? ` · ${policy.description}` : ""}`
            : "Write the rule, check it as you type, and try it in the playground before saving."
        }
        access={item.access}
        actions={
          policy ? (
            <span className="badges">
              <EffectBadge effect={policy.effect} />
              <ModeBadge mode={policy.mode} />
            </span>
          ) : null
        }
      />
      {policy ? (
        <nav className="tabs" aria-label="Policy">
          <Link
            to={`/policies/${policy.id}`}
            className={tab === "edit" ? "tab is-current" : "tab"}
            aria-current={tab === "edit" ? "page" : undefined}
          >
            {item.access === "full" ? "Edit" : "Definition"} &amp; playground
          </Link>
          <Link
            to={`/policies/${policy.id}/versions`}
            className={tab === "versions" ? "tab is-current" : "tab"}
            aria-current={tab === "versions" ? "page" : undefined}
          >
            Versions ({policy.currentVersion})
          </Link>
        </nav>
      ) : null}
    </>
  );
}
