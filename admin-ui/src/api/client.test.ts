// The client's middlewares: the CSRF header goes on mutations only, and every failure reaches callers as an
// ApiError carrying the envelope's code, message, request id and field issues.
import { describe, expect, it } from "vitest";
import { apiError, fakeControlPlane, json } from "../testing/fake-control-plane.tsx";
import { createConsoleApi, dataOf } from "./client.ts";
import { ApiError } from "./errors.ts";

function apiOver(cp: ReturnType<typeof fakeControlPlane>) {
  return createConsoleApi({ baseUrl: "http://console.test", fetch: cp.fetch });
}

describe("console API client", () => {
  it("sends X-CSRF-Token on mutations, never on reads", async () => {
    const cp = fakeControlPlane({
      "GET /api/v1/agents": () => json(200, { items: [], nextCursor: null }),
      "POST /api/v1/auth/logout": () => new Response(null, { status: 204 }),
    });
    const api = apiOver(cp);
    api.csrf.current = "csrf-123";
    await dataOf(api.client.GET("/api/v1/agents", { params: { query: { limit: 10 } } }));
    await api.client.POST("/api/v1/auth/logout");
    expect(cp.requests.map((r) => [r.method, r.headers.get("x-csrf-token")])).toEqual([
      ["GET", null],
      ["POST", "csrf-123"],
    ]);
    expect(new URL(cp.requests[0]?.url ?? "").search).toBe("?limit=10");
  });

  it("maps the error envelope into a typed ApiError", async () => {
    const cp = fakeControlPlane({
      "POST /api/v1/agents": () =>
        apiError(400, "validation_failed", "body.name: expected a name", [
          { field: "body.name", message: "expected a name" },
        ]),
    });
    const err = await dataOf(
      apiOver(cp).client.POST("/api/v1/agents", { body: { name: "", owner: "x", trust: "first_party" } }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    const apiErr = err as ApiError;
    expect([apiErr.status, apiErr.code, apiErr.message, apiErr.requestId]).toEqual([
      400,
      "validation_failed",
      "body.name: expected a name",
      "req-0001",
    ]);
    expect(apiErr.fieldMessage("body.name")).toBe("expected a name");
  });

  it("turns a body that is not the envelope into a generic error with the request id header", async () => {
    const cp = fakeControlPlane({
      "GET /api/v1/agents": () =>
        new Response("<html>oops</html>", {
          status: 500,
          statusText: "Server Error",
          headers: { "x-request-id": "r-9" },
        }),
    });
    const err = (await dataOf(apiOver(cp).client.GET("/api/v1/agents")).catch((e: unknown) => e)) as ApiError;
    expect([err.status, err.code, err.requestId]).toEqual([500, "http_500", "r-9"]);
    expect(err.unreachable).toBe(false);
  });

  it("reports a proxy's 502 and a failed fetch as an unreachable control plane", async () => {
    const cp = fakeControlPlane({
      "GET /api/v1/agents": () => new Response("Bad Gateway", { status: 502 }),
      "GET /api/v1/policies": () => Promise.reject(new TypeError("fetch failed")),
    });
    const api = apiOver(cp);
    const proxied = (await dataOf(api.client.GET("/api/v1/agents")).catch((e: unknown) => e)) as ApiError;
    const down = (await dataOf(api.client.GET("/api/v1/policies")).catch((e: unknown) => e)) as ApiError;
    expect([proxied.code, proxied.unreachable]).toEqual(["unreachable", true]);
    expect([down.status, down.code, down.unreachable]).toEqual([0, "network", true]);
  });
});
