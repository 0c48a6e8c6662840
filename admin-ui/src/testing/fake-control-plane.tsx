// Component tests talk to a small fake of the control plane's HTTP surface at the fetch boundary, with the
// real generated client and middlewares in between. Each route answers with a function of the request.
import { render } from "@testing-library/react";
import { type ConsoleApi, createConsoleApi, type Role, type SessionInfo } from "../api/client.ts";
import { Console } from "../app/Console.tsx";
import { createQueryClient } from "../app/queryClient.ts";

export type Handler = (request: Request) => Response | Promise<Response>;

export interface FakeControlPlane {
  fetch: (request: Request) => Promise<Response>;
  /** Every request seen, in order, as `METHOD /path?query`. */
  requests: Request[];
  route(key: string, handler: Handler): void;
}

export function fakeControlPlane(routes: Record<string, Handler> = {}): FakeControlPlane {
  const table = new Map(Object.entries(routes));
  const requests: Request[] = [];
  return {
    requests,
    route: (key, handler) => table.set(key, handler),
    fetch: async (request) => {
      requests.push(request.clone());
      const url = new URL(request.url);
      const handler = table.get(`${request.method} ${url.pathname}`);
      return handler ? handler(request) : apiError(404, "not_found", `no route for ${request.method} ${url.pathname}`);
    },
  };
}

export function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

export function apiError(
  status: number,
  code: string,
  message: string,
  fields?: { field: string; message: string }[],
): Response {
  return json(status, { error: { code, message, requestId: "req-0001", ...(fields ? { fields } : {}) } });
}

export function sessionFor(role: Role, email = `${role}@example.test`): SessionInfo {
  return {
    user: { id: `user-${role}`, email, displayName: `${role} user`, role },
    csrfToken: `csrf-${role}`,
    expiresAt: "2099-01-01T00:00:00.000Z",
  };
}

export const signedOut: Handler = () => apiError(401, "unauthenticated", "sign in first");

/** Renders the whole console against the fake, with retries off so failures show at once. */
export function renderConsole(cp: FakeControlPlane, path = "/"): { api: ConsoleApi } {
  window.history.replaceState(null, "", path);
  const api = createConsoleApi({ baseUrl: "http://console.test", fetch: cp.fetch });
  const queryClient = createQueryClient();
  const defaults = queryClient.getDefaultOptions();
  queryClient.setDefaultOptions({ ...defaults, queries: { ...defaults.queries, retry: false } });
  render(<Console api={api} queryClient={queryClient} />);
  return { api };
}
