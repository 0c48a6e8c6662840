// Mints the downstream assertion a forwarded call carries: a compact JWS (EdDSA, the node's assertion key) saying
// who is really calling (operator, verified agent), for which session, tool, arguments and decision. Signed with
// node:crypto directly (a fresh signature per call is the one cost that cannot be cached); jose verifies it.
import { type KeyObject, randomUUID, sign } from "node:crypto";

export const ASSERTION_TYP = "portcullis-assertion+jwt";
export const ASSERTION_LIFETIME_SECONDS = 60;

/** One level of the verified actor chain: the current actor outermost, the origin innermost. */
export interface AssertionAct {
  sub: string;
  name: string;
  act?: AssertionAct;
}

/** What the caller states; the minter adds `iss`, `jti`, `iat` and `exp`. */
export interface AssertionInput {
  /** The upstream's id: the only audience that should accept it. */
  aud: string;
  /** The operator. */
  sub: string;
  /** The acting agent, as the gateway verified it; for a delegated call, its delegators nested (RFC 8693 §4.1). */
  act: AssertionAct;
  sid: string;
  tool: string;
  /** Hex SHA-256 of the canonical JSON of the call's arguments. */
  args_sha256: string;
  /** The audit event id of the decision. */
  decision_id: string;
  config_version: number;
}

export interface AssertionClaims extends AssertionInput {
  iss: string;
  jti: string;
  iat: number;
  exp: number;
}

export type MintAssertion = (input: AssertionInput) => string;

export function createAssertionMinter(options: {
  issuer: string;
  key: { kid: string; privateKey: KeyObject };
  now?: () => number;
}): MintAssertion {
  const now = options.now ?? Date.now;
  const header = Buffer.from(JSON.stringify({ alg: "EdDSA", kid: options.key.kid, typ: ASSERTION_TYP })).toString(
    "base64url",
  );
  const { privateKey } = options.key;
  return function mintAssertion(input: AssertionInput): string {
    const iat = Math.floor(now() / 1000);
    const claims: AssertionClaims = {
      iss: options.issuer,
      ...input,
      jti: randomUUID(),
      iat,
      exp: iat + ASSERTION_LIFETIME_SECONDS,
    };
    const signingInput = `${header}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}`;
    const signature = sign(null, Buffer.from(signingInput, "ascii"), privateKey).toString("base64url");
    return `${signingInput}.${signature}`;
  };
}
