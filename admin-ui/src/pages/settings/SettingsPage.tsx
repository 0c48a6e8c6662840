// Settings (admin): trusted issuers, signing keys, console users and API tokens.
import type { NavItem } from "../../app/sections.ts";
import { PageHeader } from "../../components/PageHeader.tsx";
import { IssuersPanel } from "./IssuersPanel.tsx";
import { KeysPanel } from "./KeysPanel.tsx";
import { TokensPanel } from "./TokensPanel.tsx";
import { UsersPanel } from "./UsersPanel.tsx";
import "./settings.css";

export function SettingsPage({ item }: { item: NavItem }) {
  return (
    <>
      <PageHeader title="Settings" description={item.summary} access={item.access} />
      <div className="settings">
        <UsersPanel />
        <TokensPanel />
        <IssuersPanel />
        <KeysPanel />
      </div>
    </>
  );
}
