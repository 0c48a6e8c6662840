// GET /api/v1/keys: the control plane's signing keys, newest first.
import { createRoute, z } from "@hono/zod-openapi";
import { listSigningKeys } from "../../services/signing-keys.ts";
import { type ApiApp, errorResponses, jsonResponse, serviceContext } from "../common.ts";
import { SigningKey, signingKeyOut } from "./keys.schemas.ts";

export const route = createRoute({
  method: "get",
  path: "/api/v1/keys",
  operationId: "listSigningKeys",
  tags: ["keys"],
  summary: "List the control plane's signing keys",
  description: "Every key with its status and when it activates and retires. Private halves never leave the server.",
  responses: {
    200: jsonResponse(z.object({ items: z.array(SigningKey) }).openapi("SigningKeyList"), "Signing keys"),
    ...errorResponses,
  },
});

export const permission = "keys:read";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const keys = await listSigningKeys({ ctx: serviceContext(c) });
    return c.json({ items: keys.map(signingKeyOut) }, 200);
  });
}
