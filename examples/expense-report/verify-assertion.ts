// What a tool owner writes to trust Portcullis instead of its callers: every request must carry the gateway's
// assertion (header `Portcullis-Assertion`, a JWT signed by a data-plane node whose key the control plane
// publishes at /.well-known/jwks.json). It is checked for signature, issuer, audience (this server's upstream
// id), type and expiry, and bound to the exact call: the tool's name and the SHA-256 of the arguments' canonical
// JSON (RFC 8785). A missing or invalid assertion is refused; the caller's own token never reaches the tool.
import { createHash } from "node:crypto";
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from "jose";

export const ASSERTION_HEADER = "portcullis-assertion";
export const ASSERTION_TYP = "portcullis-assertion+jwt";

/** One hop of the verified chain, outermost (the agent calling now) first, as RFC 8693 nests `act`. */
export interface Actor {
  sub: string;
  name?: string;
}

export interface VerifiedCaller {
  /** The operator the call is made for. */
  operator: string;
  /** The agents, from the one the operator started to the one calling now. */
  chain: Actor[];
  session: string;
  tool: string;
  decisionId: string;
  claims: JWTPayload;
}

export type AssertionErrorCode = "assertion_missing" | "assertion_invalid" | "assertion_mismatch";

export class AssertionError extends Error {
  override name = "AssertionError";
  readonly code: AssertionErrorCode;
  constructor(code: AssertionErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** RFC 8785 canonical JSON for plain JSON values (what the gateway hashes into `args_sha256`). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const record = value as Record<string, unknown>;
  return `{${Object.keys(record)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`)
    .join(",")}}`;
}

export const argsSha256 = (args: unknown): string =>
  createHash("sha256")
    .update(canonicalJson(args ?? {}))
    .digest("hex");

/** The agents of a nested `act` claim, the one the operator started first. */
export function actorChain(act: unknown): Actor[] {
  const chain: Actor[] = [];
  let hop = act as { sub?: unknown; name?: unknown; act?: unknown } | undefined;
  for (let depth = 0; hop && typeof hop === "object" && depth < 16; depth++) {
    if (typeof hop.sub === "string") {
      chain.unshift({ sub: hop.sub, ...(typeof hop.name === "string" ? { name: hop.name } : {}) });
    }
    hop = hop.act as typeof hop;
  }
  return chain;
}

/** "alice@company.com, via expense-report-v1 → ocr-helper-v2". */
export function describeCaller(caller: Pick<VerifiedCaller, "operator" | "chain">): string {
  return `${caller.operator}, via ${caller.chain.map((a) => a.name ?? a.sub).join(" → ")}`;
}

export interface AssertionVerifier {
  /**
   * Verifies the assertion on a request. With `call`, it must be for exactly that tool and those arguments.
   * Throws AssertionError.
   */
  verify(header: string | string[] | undefined, call?: { tool: string; args: unknown }): Promise<VerifiedCaller>;
}

export function createAssertionVerifier(options: {
  /** The control plane's JWKS URL. */
  jwksUrl: string;
  /** The control plane's issuer (its public URL). */
  issuer: string;
  /** This server's upstream id at the gateway. */
  audience: string;
}): AssertionVerifier {
  const jwks = createRemoteJWKSet(new URL(options.jwksUrl), { cooldownDuration: 5_000, timeoutDuration: 5_000 });
  return {
    async verify(header, call) {
      if (typeof header !== "string" || header === "") {
        throw new AssertionError("assertion_missing", "this tool only accepts calls through the Portcullis gateway");
      }
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(header, jwks, {
          algorithms: ["EdDSA", "ES256"],
          issuer: options.issuer,
          audience: options.audience,
          typ: ASSERTION_TYP,
          requiredClaims: ["exp", "sub", "act", "sid", "tool", "args_sha256"],
          maxTokenAge: "5m",
        }));
      } catch (error) {
        const why =
          error instanceof errors.JOSEError ? `${error.code}: ${error.message}` : "the assertion could not be verified";
        throw new AssertionError("assertion_invalid", `invalid gateway assertion (${why})`);
      }
      const caller: VerifiedCaller = {
        operator: String(payload.sub),
        chain: actorChain(payload.act),
        session: String(payload.sid),
        tool: String(payload.tool),
        decisionId: String(payload.decision_id ?? ""),
        claims: payload,
      };
      if (caller.chain.length === 0) throw new AssertionError("assertion_invalid", "the assertion names no agent");
      if (call) {
        if (caller.tool !== call.tool) {
          throw new AssertionError("assertion_mismatch", `the assertion is for ${caller.tool}, not ${call.tool}`);
        }
        if (payload.args_sha256 !== argsSha256(call.args)) {
          throw new AssertionError("assertion_mismatch", "the arguments differ from the ones the gateway decided on");
        }
      }
      return caller;
    },
  };
}
