// The one error type the console shows: the control plane's envelope `{ error: { code, message, requestId,
// fields? } }` with the HTTP status, or a synthetic `network` error when the control plane cannot be reached.
import type { components } from "../generated/api-schema.d.ts";

type Envelope = components["schemas"]["Error"];
export type FieldIssue = NonNullable<Envelope["error"]["fields"]>[number];

export class ApiError extends Error {
  override name = "ApiError";
  /** HTTP status; 0 when no response arrived. */
  readonly status: number;
  /**
   * The control plane's stable code (`validation_failed`, `unauthenticated`, …); or, when no envelope came back,
   * `network` (no response), `unreachable` (a proxy's 502/503/504) or `http_<status>`.
   */
  readonly code: string;
  readonly requestId: string | undefined;
  readonly fields: FieldIssue[];

  constructor(init: { status: number; code: string; message: string; requestId?: string; fields?: FieldIssue[] }) {
    super(init.message);
    this.status = init.status;
    this.code = init.code;
    this.requestId = init.requestId;
    this.fields = init.fields ?? [];
  }

  /** The problem reported for one input, e.g. `fieldMessage("body.email")`. */
  fieldMessage(field: string): string | undefined {
    return this.fields.find((f) => f.field === field)?.message;
  }

  /** Maps a failed response; bodies that are not the envelope (a proxy's HTML page) get a generic message. */
  static async fromResponse(response: Response): Promise<ApiError> {
    const text = await response.text().catch(() => "");
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (isEnvelope(body)) {
      const { code, message, requestId, fields } = body.error;
      return new ApiError({ status: response.status, code, message, requestId, ...(fields ? { fields } : {}) });
    }
    if (response.status === 502 || response.status === 503 || response.status === 504) {
      return new ApiError({
        status: response.status,
        code: "unreachable",
        message: `a proxy answered ${response.status} instead of the control plane; check that the control plane is running`,
      });
    }
    return new ApiError({
      status: response.status,
      code: `http_${response.status}`,
      message: `the control plane answered ${response.status} ${response.statusText}`.trim(),
      requestId: response.headers.get("x-request-id") ?? undefined,
    });
  }

  /** True when the control plane itself did not answer (as opposed to answering with an error). */
  get unreachable(): boolean {
    return this.code === "network" || this.code === "unreachable";
  }

  static network(cause: unknown): ApiError {
    const err = new ApiError({
      status: 0,
      code: "network",
      message: "cannot reach the control plane; check that it is running and try again",
    });
    err.cause = cause;
    return err;
  }
}

function isEnvelope(body: unknown): body is Envelope {
  if (typeof body !== "object" || body === null || !("error" in body)) return false;
  const e = (body as { error: unknown }).error;
  return (
    typeof e === "object" &&
    e !== null &&
    typeof (e as Record<string, unknown>).code === "string" &&
    typeof (e as Record<string, unknown>).message === "string"
  );
}

/** Whatever was thrown, as an ApiError (unexpected exceptions become a generic one). */
export function asApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  return new ApiError({
    status: 0,
    code: "unexpected",
    message: err instanceof Error ? err.message : "something went wrong",
  });
}
