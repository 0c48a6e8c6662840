// Routes inside Policies: the list, a new policy, one policy's editor, its versions, and the playground.
import { Link, useLocation } from "../../app/router.tsx";
import type { NavItem } from "../../app/sections.ts";
import { EmptyState } from "../../components/StateViews.tsx";
import { PolicyEditorPage } from "./editor/PolicyEditorPage.tsx";
import { PoliciesPage } from "./PoliciesPage.tsx";
import { PlaygroundPage } from "./playground/PlaygroundPage.tsx";
import { PolicyVersionsPage } from "./versions/PolicyVersionsPage.tsx";
import "./policies.css";

const UUID = "[0-9a-fA-F-]{36}";

export function PoliciesSection({ item }: { item: NavItem }) {
  const { pathname } = useLocation();
  const path = pathname.replace(/\/+$/, "");
  if (path === "/policies") return <PoliciesPage item={item} />;
  if (path === "/policies/playground") return <PlaygroundPage item={item} />;
  if (path === "/policies/new" && item.access === "full") return <PolicyEditorPage item={item} id={undefined} />;
  const one = new RegExp(`^/policies/(${UUID})(/versions)?$`).exec(path);
  if (one?.[1]) {
    return one[2] ? <PolicyVersionsPage item={item} id={one[1]} /> : <PolicyEditorPage item={item} id={one[1]} />;
  }
  return (
    <EmptyState icon="compass" title="No such policy page" action={<Link to="/policies">Back to policies</Link>}>
      There is nothing at <code>{pathname}</code>.
    </EmptyState>
  );
}
