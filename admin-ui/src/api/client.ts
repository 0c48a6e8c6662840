// The console's API client: openapi-fetch over the generated types, with two middlewares: the CSRF header on
// every mutation (the control plane refuses cookie-authenticated mutations without it) and the error envelope
// mapped into a thrown ApiError, so callers only ever see typed data or an ApiError.
import createClient, { type Client, type Middleware } from "openapi-fetch";
import type { components, paths } from "../generated/api-schema.d.ts";
import { ApiError } from "./errors.ts";

export type Schemas = components["schemas"];
export type SessionInfo = Schemas["SessionInfo"];
export type Role = SessionInfo["user"]["role"];
export type Agent = Schemas["Agent"];
export type Policy = Schemas["Policy"];
export type PolicyVersion = Schemas["PolicyVersion"];
export type PolicyInput = Schemas["PolicyInput"];
export type PolicyDraft = Schemas["PolicyDraft"];
export type PolicyCheck = Schemas["PolicyCheck"];
export type PolicyDiff = Schemas["PolicyDiff"];
export type SimulationInput = Schemas["SimulationInput"];
export type SimulationResult = Schemas["SimulationResult"];
export type Tool = Schemas["Tool"];
export type Approval = Schemas["Approval"];
/** A data-plane node (named so it does not shadow the DOM's `Node`). */
export type DataPlaneNode = Schemas["Node"];
export type GatewayGroup = Schemas["GatewayGroup"];
export type BootstrapTokenIssued = Schemas["BootstrapTokenIssued"];
export type GatewaySession = Schemas["Session"];
export type AuditEvent = Schemas["AuditEvent"];
export type SessionTimeline = Schemas["SessionTimeline"];
export type TimelineEvent = SessionTimeline["events"][number];
export type Integrity = SessionTimeline["integrity"];
export type Overview = Schemas["Overview"];

/** Holds the CSRF token of the current session; set at sign-in and whenever the session is read. */
export interface CsrfToken {
  current: string | undefined;
}

export interface ConsoleApi {
  client: Client<paths>;
  csrf: CsrfToken;
}

const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export function csrfMiddleware(csrf: CsrfToken): Middleware {
  return {
    onRequest({ request }) {
      if (MUTATING.has(request.method) && csrf.current) request.headers.set("X-CSRF-Token", csrf.current);
      return request;
    },
  };
}

export const errorEnvelopeMiddleware: Middleware = {
  async onResponse({ response }) {
    if (!response.ok) throw await ApiError.fromResponse(response);
    return undefined;
  },
  onError({ error }) {
    return error instanceof ApiError ? error : ApiError.network(error);
  },
};

export function createConsoleApi(
  options: { baseUrl?: string; fetch?: (request: Request) => Promise<Response> } = {},
): ConsoleApi {
  const csrf: CsrfToken = { current: undefined };
  const client = createClient<paths>({
    baseUrl: options.baseUrl ?? globalThis.location?.origin ?? "",
    credentials: "same-origin",
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  client.use(csrfMiddleware(csrf), errorEnvelopeMiddleware);
  return { client, csrf };
}

/** The data of a call whose failures the middleware has already turned into thrown ApiErrors. */
export async function dataOf<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await call;
  if (error !== undefined) throw await ApiError.fromResponse(response);
  return data as T;
}
