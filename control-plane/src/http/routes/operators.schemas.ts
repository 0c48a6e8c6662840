// Wire shapes of operators: the people agents act for, as policies see them (`operator.*`).
import { z } from "@hono/zod-openapi";
import type { OperatorRow } from "../../services/operators.ts";
import { JsonObject, pageOf, SearchQuery, Timestamps, timestampsOf } from "../common.ts";

const directoryField = (description: string, example: string) =>
  z
    .string({ error: "expected text or null" })
    .max(200, "expected at most 200 characters")
    .nullable()
    .optional()
    .openapi({ description: `${description}; null clears it`, example });

export const OperatorInput = z
  .object({
    subject: z
      .string({ error: "expected the operator's subject (the `sub` their issuer puts in tokens)" })
      .min(1, "expected the operator's subject (the `sub` their issuer puts in tokens)")
      .max(255, "expected at most 255 characters")
      .openapi({ example: "alice@example.com" }),
    email: z.email({ message: "expected an email address" }).max(254).openapi({ example: "alice@example.com" }),
    displayName: z.string({ error: "expected text" }).max(200, "expected at most 200 characters").optional(),
    department: directoryField("Department", "finance"),
    manager: directoryField("The manager's subject or email", "bob@example.com"),
    costCenter: directoryField("Cost centre", "cc-4411"),
    groups: z
      .array(z.string({ error: "expected group names" }).min(1, "expected non-empty group names").max(200), {
        error: "expected a list of group names",
      })
      .max(200, "expected at most 200 groups")
      .optional()
      .openapi({ example: ["finance", "approvers"] }),
    attributes: JsonObject.optional().openapi({ description: "Other directory attributes policies may read" }),
  })
  .strict()
  .openapi("OperatorInput");

export const OperatorPatch = OperatorInput.partial().strict().openapi("OperatorPatch");

export const OperatorQuery = {
  q: SearchQuery("Email or subject contains"),
  department: z.string().max(200).optional(),
};

export const Operator = z
  .object({
    id: z.string(),
    subject: z.string(),
    email: z.string(),
    displayName: z.string(),
    department: z.string().nullable(),
    manager: z.string().nullable(),
    costCenter: z.string().nullable(),
    groups: z.array(z.string()),
    attributes: z.record(z.string(), z.unknown()),
    ...Timestamps,
  })
  .openapi("Operator");

export const OperatorPage = pageOf(Operator, "OperatorPage");

export function operatorOut(o: OperatorRow): z.infer<typeof Operator> {
  return {
    id: o.id,
    subject: o.subject,
    email: o.email,
    displayName: o.displayName,
    department: o.department,
    manager: o.manager,
    costCenter: o.costCenter,
    groups: o.groups,
    attributes: o.attributes,
    ...timestampsOf(o),
  };
}
