// The signed-in user (name, email, role) and Sign out.

import type { SessionInfo } from "../api/client.ts";
import { asApiError } from "../api/errors.ts";
import { useSignOut } from "../auth/session.ts";
import { Icon } from "../components/Icon.tsx";
import { sentence } from "../components/sentence.ts";
import { roleLabels } from "./roles.ts";

export function UserPanel({ user }: { user: SessionInfo["user"] }) {
  const signOut = useSignOut();
  return (
    <section className="user-panel" aria-label="Signed-in user">
      <div className="user-avatar" aria-hidden="true">
        {initials(user.displayName || user.email)}
      </div>
      <div className="user-text">
        <div className="user-name">{user.displayName || user.email}</div>
        <div className="user-email" data-testid="user-email">
          {user.email}
        </div>
        <div className="user-role">{roleLabels[user.role]}</div>
      </div>
      <button
        type="button"
        className="button button-quiet user-signout"
        disabled={signOut.isPending}
        onClick={() => signOut.mutate()}
      >
        <Icon name="signOut" />
        <span>{signOut.isPending ? "Signing out…" : "Sign out"}</span>
      </button>
      {signOut.isError ? (
        <p className="user-error" role="alert">
          Could not sign out. {sentence(asApiError(signOut.error).message)}
        </p>
      ) : null}
    </section>
  );
}

function initials(name: string): string {
  const parts = name.split(/[\s@._-]+/).filter(Boolean);
  return ((parts[0]?.[0] ?? "?") + (parts[1]?.[0] ?? "")).toUpperCase();
}
