// Per-node RPC credentials: every gRPC call a node makes after enrollment carries a short-lived token signed
// with that node's own Ed25519 key (`authorization: Bearer …` metadata). No shared secret exists; the control
// plane checks the signature against the node's registered key, the audience, and a lifetime of ≤ 5 minutes.

import type { KeyObject } from "node:crypto";
import { randomBytes } from "node:crypto";
import { isRecord, signCompactJws, verifyCompactJws } from "./jws.ts";
import type { TrustedKeys } from "./keys.ts";
import { fail, ok, type Result } from "./result.ts";

export const NODE_TOKEN_JWS_TYPE = "portcullis-node+jws";
/** The audience every node token names: the control plane's gRPC services. */
export const NODE_TOKEN_AUDIENCE = "portcullis-control-plane";
export const NODE_TOKEN_MAX_LIFETIME_S = 300;
const LEEWAY_S = 30;

export interface NodeTokenClaims {
  sub: string;
  aud: string;
  iat: number;
  exp: number;
  jti: string;
}

export type NodeTokenErrorCode =
  | "malformed"
  | "bad_signature"
  | "unknown_key"
  | "expired"
  | "wrong_audience"
  | "wrong_node";

export function signNodeToken(input: {
  nodeId: string;
  signingKey: KeyObject;
  kid: string;
  lifetimeSeconds?: number;
  now?: Date;
}): string {
  const iat = Math.floor((input.now ?? new Date()).getTime() / 1000);
  const lifetime = Math.min(input.lifetimeSeconds ?? 120, NODE_TOKEN_MAX_LIFETIME_S);
  const claims: NodeTokenClaims = {
    sub: input.nodeId,
    aud: NODE_TOKEN_AUDIENCE,
    iat,
    exp: iat + lifetime,
    jti: randomBytes(12).toString("base64url"),
  };
  return signCompactJws(NODE_TOKEN_JWS_TYPE, input.kid, claims, input.signingKey);
}

/** Reads the kid without verifying, so the caller can look up which node's key it names. */
export function nodeTokenKid(token: string): string | undefined {
  const head = token.split(".")[0];
  if (!head || head.length > 512) return undefined;
  try {
    const header = JSON.parse(Buffer.from(head, "base64url").toString("utf8")) as unknown;
    return isRecord(header) && typeof header.kid === "string" ? header.kid : undefined;
  } catch {
    return undefined;
  }
}

/** Verifies a node token against the keys registered for `expectedNodeId` (or any node, if omitted). */
export function verifyNodeToken(
  token: string,
  keys: KeyObject | TrustedKeys,
  options: { expectedNodeId?: string; now?: Date } = {},
): Result<NodeTokenClaims, NodeTokenErrorCode> {
  const verified = verifyCompactJws(token, NODE_TOKEN_JWS_TYPE, keys);
  if (!verified.ok) return verified;
  const c = verified.value.payload;
  if (
    !isRecord(c) ||
    typeof c.sub !== "string" ||
    typeof c.aud !== "string" ||
    typeof c.jti !== "string" ||
    !Number.isSafeInteger(c.iat) ||
    !Number.isSafeInteger(c.exp)
  ) {
    return fail("malformed", "node token claims are incomplete");
  }
  const claims = c as unknown as NodeTokenClaims;
  if (claims.aud !== NODE_TOKEN_AUDIENCE) return fail("wrong_audience", "the token is not for the control plane");
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (claims.exp - claims.iat > NODE_TOKEN_MAX_LIFETIME_S)
    return fail("malformed", "node tokens live at most 5 minutes");
  if (claims.exp + LEEWAY_S < now || claims.iat - LEEWAY_S > now)
    return fail("expired", "the node token is expired or not yet valid");
  if (options.expectedNodeId !== undefined && claims.sub !== options.expectedNodeId) {
    return fail("wrong_node", "the token names another node");
  }
  return ok(claims);
}
