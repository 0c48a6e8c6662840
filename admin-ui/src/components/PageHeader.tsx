// A page's title, what it is for, and whether the signed-in role may only read it.
import type { ReactNode } from "react";
import type { Access } from "../app/sections.ts";

export function PageHeader({
  title,
  description,
  access,
  actions,
}: {
  title: string;
  description: string;
  access?: Access;
  actions?: ReactNode;
}) {
  return (
    <header className="page-header">
      <div>
        <h1 className="page-title">
          {title}
          {access === "read" ? (
            <span className="badge badge-neutral" title="Your role may view but not change this">
              Read-only
            </span>
          ) : null}
        </h1>
        <p className="page-description">{description}</p>
      </div>
      {actions ? <div className="page-actions">{actions}</div> : null}
    </header>
  );
}
