// Wire shapes of tools: the definition that is pinned (name, description, input schema, annotations), how policies
// see it (labels, sensitive, status) and, for HTTP upstreams, how a call becomes a request.
import { z } from "@hono/zod-openapi";
import type { ToolRow } from "../../services/tools.ts";
import {
  Description,
  JsonObject,
  LabelQuery,
  Labels,
  pageOf,
  SearchQuery,
  Timestamps,
  timestampsOf,
} from "../common.ts";

const statuses = ["active", "quarantined", "disabled"] as const;
const ToolStatus = z
  .enum(statuses, { error: "expected active, quarantined or disabled" })
  .openapi({ description: "quarantined: hidden and denied until someone approves its definition" });

const argumentPlaces = ["path", "query", "header", "body"] as const;

/** `{name}` placeholders of a path template. */
const placeholders = (path: string) => new Set([...path.matchAll(/\{([^{}]+)\}/g)].map((m) => m[1] as string));

const HttpMapping = z
  .object(
    {
      method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE"], { error: "expected GET, POST, PUT, PATCH or DELETE" }),
      path: z
        .string({ error: "expected a path template" })
        .max(2000, "expected at most 2000 characters")
        .regex(/^\/[^\s?#]*$/, "expected a path template starting with '/', e.g. /reports/{reportId}")
        .openapi({ example: "/reports/{reportId}/submit" }),
      arguments: z
        .record(z.string(), z.enum(argumentPlaces, { error: "expected path, query, header or body" }), {
          error: "expected an object naming where each argument goes",
        })
        .optional()
        .openapi({
          description:
            "Where each argument goes; `{name}` placeholders are path arguments, the rest default to the body",
          example: { reportId: "path", note: "body" },
        }),
    },
    { error: "expected an object with method and path" },
  )
  .strict()
  .superRefine((http, ctx) => {
    const inPath = placeholders(http.path);
    for (const [arg, place] of Object.entries(http.arguments ?? {})) {
      if (place === "path" && !inPath.has(arg)) {
        ctx.addIssue({ code: "custom", path: ["arguments", arg], message: `the path has no {${arg}} placeholder` });
      } else if (place !== "path" && inPath.has(arg)) {
        ctx.addIssue({
          code: "custom",
          path: ["arguments", arg],
          message: `{${arg}} is in the path, so it maps to path`,
        });
      }
    }
  })
  .openapi("ToolHttpMapping", { description: "For tools on HTTP upstreams: how a call becomes a request" });

export const ToolInput = z
  .object({
    upstreamId: z.uuid({ message: "expected the id of an upstream" }),
    name: z
      .string({ error: "expected the tool's name as the upstream exposes it" })
      .regex(/^[A-Za-z0-9_./-]{1,128}$/, "expected 1–128 letters, digits, '_', '-', '.' or '/'")
      .openapi({ example: "submit_expense_report" }),
    description: Description.optional(),
    inputSchema: JsonObject.optional().openapi({
      description: "JSON Schema of the arguments",
      example: { type: "object", properties: { reportId: { type: "string" } } },
    }),
    annotations: JsonObject.optional().openapi({
      description: "Hints policies read, e.g. destructiveHint, readOnlyHint",
      example: { destructiveHint: true },
    }),
    labels: Labels.optional(),
    http: HttpMapping.optional(),
    sensitive: z
      .boolean({ error: "expected true or false" })
      .optional()
      .openapi({ description: "Audit is written before the response is released" }),
    status: ToolStatus.optional(),
  })
  .strict()
  .openapi("ToolInput");

export const ToolPatch = ToolInput.omit({ upstreamId: true })
  .partial()
  .strict()
  .openapi("ToolPatch", { description: "A tool stays on its upstream; changing its definition re-pins it" });

export const ToolQuery = {
  upstreamId: z.uuid({ message: "expected an upstream id" }).optional(),
  status: z.enum(statuses).optional(),
  q: SearchQuery("Name contains"),
  label: LabelQuery,
};

export const Tool = z
  .object({
    id: z.string(),
    upstreamId: z.string(),
    name: z.string(),
    description: z.string(),
    inputSchema: z.record(z.string(), z.unknown()),
    annotations: z.record(z.string(), z.unknown()),
    labels: z.record(z.string(), z.string()),
    http: z.record(z.string(), z.unknown()).nullable(),
    sensitive: z.boolean(),
    status: z.enum(statuses),
    pinnedHash: z.string().openapi({ description: "SHA-256 of the approved definition's canonical JSON" }),
    pendingHash: z.string().nullable().openapi({ description: "Hash of a changed definition awaiting review" }),
    pendingDefinition: z.record(z.string(), z.unknown()).nullable(),
    ...Timestamps,
  })
  .openapi("Tool");

export const ToolPage = pageOf(Tool, "ToolPage");

export function toolOut(t: ToolRow): z.infer<typeof Tool> {
  return {
    id: t.id,
    upstreamId: t.upstreamId,
    name: t.name,
    description: t.description,
    inputSchema: t.inputSchema,
    annotations: t.annotations,
    labels: t.labels,
    http: t.http,
    sensitive: t.sensitive,
    status: t.status,
    pinnedHash: t.pinnedHash,
    pendingHash: t.pendingHash,
    pendingDefinition: t.pendingDefinition,
    ...timestampsOf(t),
  };
}
