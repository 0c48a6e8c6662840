// POST /api/v1/policies/check: compile a draft policy with the shared engine, as saving would, and return its
// errors at their line and column and the inferred type of each expression. Writes nothing; the console calls
// it while a person types.
import { createRoute, z } from "@hono/zod-openapi";
import { checkPolicyDraft } from "../../services/policy-check.ts";
import { type ApiApp, errorResponses, jsonBody, jsonResponse, serviceContext } from "../common.ts";
import { PolicyDraft } from "./policies.schemas.ts";

const PolicyCheck = z
  .object({
    ok: z.boolean().openapi({ description: "Whether saving this draft would compile" }),
    errors: z
      .array(
        z.object({
          field: z.string().openapi({ example: "body.condition" }),
          message: z.string().openapi({ example: "undeclared reference to 'user'" }),
          line: z.number().int().optional().openapi({ description: "1-based line in that field's source" }),
          column: z.number().int().optional().openapi({ description: "1-based column in that field's source" }),
        }),
      )
      .openapi({ description: "Each problem, with its position in the CEL source when it has one" }),
    types: z.object({
      condition: z
        .string()
        .nullable()
        .openapi({ description: "Inferred CEL type of the condition (must be bool)", example: "bool" }),
      approvers: z
        .string()
        .nullable()
        .openapi({ description: "Inferred CEL type of approvers (string or list(string))", example: "list(string)" }),
    }),
  })
  .openapi("PolicyCheck");

export const route = createRoute({
  method: "post",
  path: "/api/v1/policies/check",
  operationId: "checkPolicyDraft",
  tags: ["policies"],
  summary: "Check a draft policy without saving it",
  description:
    "Compiles the draft with the same engine as saving and the data plane. A draft that does not compile is " +
    "still a 200 with `ok: false` and positioned `errors`; 400 only for a body that is not a policy draft.",
  request: jsonBody(PolicyDraft),
  responses: { 200: jsonResponse(PolicyCheck, "The check result"), ...errorResponses },
});

export const permission = "policies:read";

export function register(app: ApiApp) {
  app.openapi(route, (c) => c.json(checkPolicyDraft({ ctx: serviceContext(c), draft: c.req.valid("json") }), 200));
}
