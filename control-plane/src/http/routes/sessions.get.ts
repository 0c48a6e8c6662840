// GET /api/v1/sessions/{id}: one gateway session.
import { createRoute } from "@hono/zod-openapi";
import { getSession } from "../../services/sessions.ts";
import { type ApiApp, errorResponses, jsonResponse, serviceContext } from "../common.ts";
import { Session, SessionIdParam, sessionOut } from "./sessions.schemas.ts";

export const route = createRoute({
  method: "get",
  path: "/api/v1/sessions/{id}",
  operationId: "getGatewaySession",
  tags: ["sessions"],
  summary: "Get a gateway session",
  request: { params: SessionIdParam },
  responses: { 200: jsonResponse(Session, "The session"), ...errorResponses },
});

export const permission = "sessions:read";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const session = await getSession({ ctx: serviceContext(c), id: c.req.valid("param").id });
    return c.json(sessionOut(session), 200);
  });
}
