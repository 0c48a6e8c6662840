// The console's sections and which roles see them. The navigation shows only what a role may use; "read"
// marks sections a role may look at but not change. This mirrors the control plane's role matrix
// (control-plane/src/services/rbac.ts), which remains the authority: the API refuses what a role may not do.
import type { Role } from "../api/client.ts";

export type SectionId =
  | "overview"
  | "policies"
  | "agents"
  | "tools"
  | "nodes"
  | "approvals"
  | "sessions"
  | "audit"
  | "settings";
export type Access = "full" | "read";

export interface Section {
  id: SectionId;
  label: string;
  path: string;
  /** One line on what the page is for. */
  summary: string;
  /** What the page will show, for sections not built yet. */
  planned?: string[];
}

export const sections: readonly Section[] = [
  {
    id: "overview",
    label: "Overview",
    path: "/",
    summary: "Traffic, denials and data-plane health at a glance.",
  },
  {
    id: "policies",
    label: "Policies",
    path: "/policies",
    summary: "Rules that allow, deny or hold tool calls for approval.",
  },
  {
    id: "agents",
    label: "Agents",
    path: "/agents",
    summary: "Registered agents, their owners, trust level and credentials.",
  },
  {
    id: "tools",
    label: "Tools",
    path: "/tools",
    summary: "The tool catalog behind the gateway: pinned definitions and changes waiting for review.",
  },
  {
    id: "nodes",
    label: "Nodes",
    path: "/nodes",
    summary: "Data-plane nodes: enrollment, config sync and health.",
  },
  {
    id: "approvals",
    label: "Approvals",
    path: "/approvals",
    summary: "Tool calls held by a require-approval policy, bound to their exact arguments.",
  },
  {
    id: "sessions",
    label: "Sessions",
    path: "/sessions",
    summary: "Agent sessions: each call in order, its decision, and verified evidence.",
  },
  {
    id: "audit",
    label: "Audit",
    path: "/audit",
    summary: "Search every recorded tool call and export the evidence.",
  },
  {
    id: "settings",
    label: "Settings",
    path: "/settings",
    summary: "Identity issuers, signing keys, console users and API tokens.",
  },
];

const access: Record<Role, Partial<Record<SectionId, Access>>> = {
  admin: {
    overview: "full",
    policies: "full",
    agents: "full",
    tools: "full",
    nodes: "full",
    approvals: "full",
    sessions: "full",
    audit: "full",
    settings: "full",
  },
  security: {
    overview: "full",
    policies: "full",
    tools: "read",
    nodes: "read",
    approvals: "full",
    sessions: "full",
    audit: "full",
  },
  platform: { overview: "full", agents: "full", tools: "full", nodes: "full", policies: "read" },
  auditor: {
    overview: "full",
    sessions: "full",
    audit: "full",
    policies: "read",
    agents: "read",
    tools: "read",
    nodes: "read",
    approvals: "read",
  },
};

export interface NavItem extends Section {
  access: Access;
}

/** The sections a role may use, in navigation order. */
export function navigationFor(role: Role): NavItem[] {
  return sections.flatMap((s) => {
    const a = access[role][s.id];
    return a ? [{ ...s, access: a }] : [];
  });
}

/** The section a path belongs to: its own path or anything under it (`/policies/…` is Policies). */
export function sectionAt(pathname: string): Section | undefined {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, "") : pathname;
  return sections.find((s) => s.path === path || (s.path !== "/" && path.startsWith(`${s.path}/`)));
}
