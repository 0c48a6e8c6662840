// POST /api/v1/gateway-groups/{id}/bootstrap-tokens: a one-time token that enrolls one node into the group.
import { createRoute, z } from "@hono/zod-openapi";
import { createBootstrapToken } from "../../services/nodes.ts";
import { type ApiApp, errorResponses, IdParam, jsonBody, jsonResponse, serviceContext } from "../common.ts";

const Input = z
  .object({
    expiresInMinutes: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60)
      .default(60),
  })
  .strict()
  .openapi("BootstrapTokenInput");

const Issued = z
  .object({
    id: z.string(),
    groupId: z.string(),
    token: z.string().openapi({ description: "Shown once; stored only as a digest" }),
    expiresAt: z.string(),
    command: z.string().openapi({ description: "The command that starts a node with this token" }),
  })
  .openapi("BootstrapTokenIssued");

export const route = createRoute({
  method: "post",
  path: "/api/v1/gateway-groups/{id}/bootstrap-tokens",
  operationId: "createBootstrapToken",
  tags: ["nodes"],
  summary: "Create a bootstrap token to enroll a node",
  request: { params: IdParam, ...jsonBody(Input) },
  responses: { 201: jsonResponse(Issued, "The token, shown once, with the command to use it"), ...errorResponses },
});

export const permission = "gateways:write";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const issued = await createBootstrapToken({
      ctx: serviceContext(c),
      groupId: c.req.valid("param").id,
      expiresInMinutes: c.req.valid("json").expiresInMinutes,
    });
    const grpc = c.get("web").grpcAddress;
    return c.json(
      {
        ...issued,
        expiresAt: issued.expiresAt.toISOString(),
        command: `PORTCULLIS_CP_GRPC=${grpc} PORTCULLIS_BOOTSTRAP_TOKEN=${issued.token} npx portcullis dp`,
      },
      201,
    );
  });
}
