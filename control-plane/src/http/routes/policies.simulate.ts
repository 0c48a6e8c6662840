// POST /api/v1/policies/simulate: what would the gateway decide for this call? Same engine as the data plane.
import { createRoute, z } from "@hono/zod-openapi";
import { simulatePolicyDecision } from "../../services/policy-simulate.ts";
import { type ApiApp, errorResponses, jsonBody, jsonResponse, serviceContext } from "../common.ts";
import { PolicyInput } from "./policies.schemas.ts";

const Json = z.record(z.string(), z.unknown());

const SimulationInput = z
  .object({
    agent: z.string().min(1).max(200).openapi({ description: "Agent name or id", example: "expense-report-v1" }),
    operator: z
      .union([
        z.string().min(1).max(320),
        z
          .object({
            sub: z.string().min(1),
            email: z.string().optional(),
            department: z.string().optional(),
            manager: z.string().optional(),
            cost_center: z.string().optional(),
            groups: z.array(z.string()).optional(),
            attributes: Json.optional(),
          })
          .strict(),
      ])
      .openapi({
        description: "An operator's subject (looked up in the directory) or their attributes",
        example: "alice@company.com",
      }),
    tool: z
      .string()
      .min(1)
      .max(300)
      .openapi({ description: "Tool name, or `upstream/name`", example: "create_expense_report" }),
    args: Json.default({}).openapi({
      example: { employee_id: "alice@company.com", amount: 127.5, cost_center: "eng-team-001" },
    }),
    session: z
      .object({
        calls: z
          .array(
            z.object({
              tool: z.string(),
              decision: z.enum(["allow", "deny", "require_approval"]),
              at: z.string().optional(),
              args: Json.optional(),
            }),
          )
          .max(1000)
          .optional(),
        taints: z.array(z.string()).max(100).optional(),
      })
      .strict()
      .optional()
      .openapi({ description: "The session so far" }),
    delegation: z
      .object({
        chain: z
          .array(z.object({ agent: z.string(), trust: z.enum(["first_party", "third_party"]), owner: z.string() }))
          .min(1)
          .max(10),
        origin: z.enum(["human", "system", "agent"]),
      })
      .strict()
      .optional(),
    draft: PolicyInput.extend({
      id: z.string().optional().openapi({ description: "Replace this policy with the draft" }),
    })
      .optional()
      .openapi({ description: "Evaluate with this draft policy in place of the saved one (or added)" }),
  })
  .strict()
  .openapi("SimulationInput");

const SimulationResult = z
  .object({
    decision: z
      .object({
        outcome: z.enum(["allow", "deny", "require_approval"]),
        code: z.string(),
        reason: z.string(),
        adaptable: z.boolean(),
        evaluated: z.array(z.string()),
        matched: z.array(z.string()),
        deciding: z.array(z.string()),
        results: z.array(Json),
        errors: z.array(Json),
        shadow: Json.optional(),
        approval: Json.optional(),
      })
      .openapi("Decision"),
    listed: z.boolean().openapi({ description: "Whether tools/list would show the tool to this caller" }),
    policiesLoaded: z.number().int(),
    context: z.object({ agent: z.string(), operator: z.string(), tool: z.string(), upstream: z.string() }),
  })
  .openapi("SimulationResult");

export const route = createRoute({
  method: "post",
  path: "/api/v1/policies/simulate",
  operationId: "simulatePolicyDecision",
  tags: ["policies"],
  summary: "Simulate a call against the policies",
  description:
    "Evaluates a hypothetical call (agent, operator, tool, arguments, session history) with the data plane's engine and returns the explanation.",
  request: jsonBody(SimulationInput),
  responses: { 200: jsonResponse(SimulationResult, "The decision and its explanation"), ...errorResponses },
});

export const permission = "policies:read";

export function register(app: ApiApp) {
  app.openapi(route, async (c) => {
    const result = await simulatePolicyDecision({ ctx: serviceContext(c), input: c.req.valid("json") as never });
    return c.json(JSON.parse(JSON.stringify(result)), 200);
  });
}
