// /policies/playground: try a described call against the saved policy set.
import { Link } from "../../../app/router.tsx";
import type { NavItem } from "../../../app/sections.ts";
import { PageHeader } from "../../../components/PageHeader.tsx";
import { PolicyPlayground } from "./PolicyPlayground.tsx";

export function PlaygroundPage({ item }: { item: NavItem }) {
  return (
    <>
      <nav className="breadcrumbs" aria-label="Breadcrumb">
        <Link to="/policies">Policies</Link>
        <span aria-hidden="true"> / </span>
        <span>Playground</span>
      </nav>
      <PageHeader
        title="Playground"
        description="What would the gateway decide for this call? To try a change first, open a policy and use its draft."
        access={item.access === "read" ? undefined : item.access}
      />
      <PolicyPlayground />
    </>
  );
}
