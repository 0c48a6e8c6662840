// Shared pieces of the REST surface: the app's type, the error envelope and its OpenAPI responses,
// pagination, and helpers that turn a Hono context into a service context.

import type { OpenAPIHono } from "@hono/zod-openapi";
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { Deps, ServiceContext } from "../services/context.ts";
import { ApiError } from "../services/errors.ts";
import type { LoginThrottle } from "../services/login-throttle.ts";
import { type Actor, type Permission, roles } from "../services/rbac.ts";

export interface AppEnv {
  Variables: {
    requestId: string;
    deps: Deps;
    actor: Actor | undefined;
    /** How the caller authenticated: cookie sessions must pass CSRF checks on mutations. */
    authKind: "cookie" | "bearer" | undefined;
    sessionTokenHash: string | undefined;
    web: WebSettings;
  };
}

export interface WebSettings {
  sessions: { idleMinutes: number; absoluteHours: number };
  /** Cookies get `__Host-` and `Secure` when the console is served over TLS. */
  secureCookies: boolean;
  /** Where data-plane nodes reach the control plane's gRPC service (shown in enrollment commands). */
  grpcAddress: string;
  /** Slows down password guessing at sign-in. */
  loginThrottle: LoginThrottle;
}

export type ApiApp = OpenAPIHono<AppEnv>;

/** One REST operation: its route (with OpenAPI description), the permission it needs, and its registration. */
export interface Operation {
  route: { method: string; path: string; operationId?: string | undefined };
  /** `public`: no authentication; `authenticated`: any signed-in caller; otherwise a role-matrix permission. */
  permission: Permission | "public" | "authenticated";
  register(app: ApiApp): void;
}

export const ErrorEnvelope = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "validation_failed", description: "Stable, machine-readable code" }),
      message: z.string().openapi({ example: "body.name: expected a non-empty string" }),
      requestId: z.string().openapi({ description: "Quote this when reporting a problem" }),
      fields: z
        .array(
          z.object({
            field: z.string(),
            message: z.string(),
            line: z.number().int().optional(),
            column: z.number().int().optional(),
          }),
        )
        .optional()
        .openapi({ description: "Per-field problems for validation errors" }),
    }),
  })
  .openapi("Error");

const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: ErrorEnvelope } },
});

export const errorResponses = {
  400: errorResponse("The input is invalid; `fields` names each problem"),
  401: errorResponse("Not signed in, or the credential is invalid or expired"),
  403: errorResponse("The caller's role may not do this, or the CSRF check failed"),
  404: errorResponse("No such object"),
  409: errorResponse("Conflicts with existing state, e.g. a duplicate name"),
  500: errorResponse("Unexpected error; details are in the server log under the request id"),
} as const;

/** 429 with a Retry-After header: too many attempts. */
export const rateLimitedResponse = errorResponse("Too many attempts: wait the number of seconds in Retry-After");

export function jsonBody<T extends z.ZodType>(schema: T, description = "Request body") {
  return { body: { required: true, description, content: { "application/json": { schema } } } };
}

export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } };
}

export const IdParam = z.object({
  id: z.uuid({ message: "expected a UUID" }).openapi({ param: { name: "id", in: "path" }, example: "0190c2e4-…" }),
});

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50).openapi({ description: "Page size (1–200)", example: 50 }),
  cursor: z.uuid({ message: "expected the nextCursor of a previous page" }).optional().openapi({
    description: "Opaque cursor from the previous page's `nextCursor`",
  }),
});

export function pageOf<T extends z.ZodType>(item: T, name: string) {
  return z
    .object({
      items: z.array(item),
      nextCursor: z.string().nullable().openapi({ description: "Pass as `cursor` for the next page; null at the end" }),
    })
    .openapi(name);
}

export const Labels = z
  .record(z.string().min(1).max(63), z.string().max(253))
  .openapi({ example: { team: "finance" }, description: "Free-form key/value labels that policies can target" });

/** Names that policies and snapshots refer to: lowercase, stable, safe in URLs and CEL strings. */
export const ResourceName = z
  .string({ error: "expected a name" })
  .regex(
    /^[a-z0-9][a-z0-9._-]{0,62}$/,
    "expected 1–63 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit",
  );

export const Description = z.string({ error: "expected text" }).max(2000, "expected at most 2000 characters");

export const RoleName = z.enum(roles, { error: `expected one of ${roles.join(", ")}` }).openapi({
  description: "admin: everything; security: policies, approvals; platform: tools, agents, nodes; auditor: read-only",
});

/** A JSON object (never an array or a scalar): settings, attributes, schemas, annotations. */
export const JsonObject = z.record(z.string(), z.unknown(), { error: "expected a JSON object" });

export const Timestamp = z.string().openapi({ format: "date-time" });

/** The `createdAt`/`updatedAt` pair every entity returns, and its mapping from a row. */
export const Timestamps = { createdAt: Timestamp, updatedAt: Timestamp };
export function timestampsOf(row: { createdAt: Date; updatedAt: Date }) {
  return { createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString() };
}

/** List filters shared by several collections. */
export const SearchQuery = (description: string) =>
  z.string().max(200, "expected at most 200 characters").optional().openapi({ description });
export const LabelQuery = z.string().max(300).optional().openapi({ description: "`key` or `key=value`" });

export function serviceContext(c: Context<AppEnv>): ServiceContext {
  const actor = c.get("actor");
  if (!actor) throw new ApiError("unauthenticated", "sign in first");
  return { ...c.get("deps"), actor, requestId: c.get("requestId") };
}
