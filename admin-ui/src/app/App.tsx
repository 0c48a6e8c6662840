// Top-level routing: the sign-in page while nobody is signed in, the shell with the current section otherwise.
import { useEffect } from "react";
import type { SessionInfo } from "../api/client.ts";
import { LoginPage } from "../auth/LoginPage.tsx";
import { signedOutHere, useSession } from "../auth/session.ts";
import { FullPageMessage } from "../components/FullPageMessage.tsx";
import { ErrorState } from "../components/StateViews.tsx";
import { AppShell } from "../shell/AppShell.tsx";
import { navigate, safeReturnPath, useLocation } from "./router.tsx";
import { SectionPage } from "./SectionPage.tsx";
import { useDocumentTitle } from "./useDocumentTitle.ts";

export function App() {
  const session = useSession();
  if (session.isPending) return <FullPageMessage busy title="Loading the console…" />;
  if (session.isError) {
    return (
      <FullPageMessage title="The console could not start">
        <ErrorState error={session.error} onRetry={() => session.refetch()} />
      </FullPageMessage>
    );
  }
  return session.data ? <SignedIn session={session.data} /> : <SignedOut />;
}

function SignedOut() {
  const { pathname, search } = useLocation();
  useEffect(() => {
    if (pathname === "/login") return;
    if (signedOutHere()) return navigate("/login", { replace: true });
    const next = pathname === "/" ? "" : `?next=${encodeURIComponent(pathname + search)}`;
    navigate(`/login${next}`, { replace: true });
  }, [pathname, search]);
  useDocumentTitle("Sign in");
  return <LoginPage />;
}

function SignedIn({ session }: { session: SessionInfo }) {
  const { pathname, search } = useLocation();
  useEffect(() => {
    if (pathname === "/login") navigate(safeReturnPath(new URLSearchParams(search).get("next")), { replace: true });
  }, [pathname, search]);
  if (pathname === "/login") return <FullPageMessage busy title="Signing in…" />;
  return (
    <AppShell session={session} pathname={pathname}>
      <SectionPage session={session} pathname={pathname} />
    </AppShell>
  );
}
