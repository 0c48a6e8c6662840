// The agent card of an A2A upstream as the gateway serves it at /a2a/{upstream}/.well-known/agent-card.json.
// The upstream's card is fetched from its configured origin (never from a URL the card names), checked, and
// rewritten: the only interface is the gateway's JSON-RPC endpoint (in the versions the upstream declared), the
// only security scheme is the control plane's token service, and the card is signed by the gateway (JWS over the
// A2A canonical form, the node's assertion key, published in the control plane's JWKS).
//
// Trust of the upstream's own card (T13): with `settings.cardKeys` (a JWK Set) the card must carry a signature by
// one of those keys, over its canonical form; a signature naming a `jku` outside `settings.cardJkuAllow` is not
// accepted, and a `jku` is never fetched. A signed card without configured keys cannot be verified and is not
// trusted either (the gateway never vouches for a signature it did not check). An untrusted card is not served
// and no call is routed to that upstream.
import type { KeyObject } from "node:crypto";
import {
  AgentCard,
  type AgentCard as AgentCardType,
  canonicalizeAgentCard,
  generateAgentCardSignature,
  verifyAgentCardSignature,
} from "@a2a-js/sdk";
import type { JWK } from "jose";
import type { Pool } from "undici";
import { callUpstream } from "../http-tools/call-upstream.ts";

export const CARD_PATH = "/.well-known/agent-card.json";
export const CARD_TTL_MS = 5 * 60_000;
export const GATEWAY_SCHEME = "portcullis";

export type CardResult = { ok: true; card: AgentCardType } | { ok: false; reason: string };

export interface CardSource {
  upstreamId: string;
  pool: Pool;
  origin: string;
  /** Path (and query) of the upstream's card on its origin. */
  cardPath: string;
  settings: Record<string, unknown>;
  credentialHeaders: Readonly<Record<string, string>>;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** Fetches and checks the upstream's card. `reason` is for the log and the audit trail. */
export async function fetchUpstreamCard(source: CardSource, timeoutMs: number): Promise<CardResult> {
  const result = await callUpstream({
    dispatcher: source.pool,
    method: "GET",
    path: source.cardPath,
    headers: { accept: "application/json", "a2a-version": "1.0", ...source.credentialHeaders },
    timeoutMs,
    maxResponseBytes: 256 * 1024,
  });
  if (result.kind !== "response") {
    return { ok: false, reason: result.kind === "error" ? result.reason : `card fetch ${result.kind}` };
  }
  if (result.status !== 200) return { ok: false, reason: `the card answered HTTP ${result.status}` };
  let raw: unknown;
  try {
    raw = JSON.parse(result.body.toString("utf8"));
  } catch {
    return { ok: false, reason: "the card is not JSON" };
  }
  if (!isObject(raw)) return { ok: false, reason: "the card is not a JSON object" };
  const trusted = await checkCardTrust(raw, source.settings);
  if (!trusted.ok) return trusted;
  return { ok: true, card: raw as unknown as AgentCardType };
}

/** T13: whether the upstream's card may be trusted under the upstream's settings (see the file comment). */
export async function checkCardTrust(
  card: Record<string, unknown>,
  settings: Record<string, unknown>,
): Promise<{ ok: true } | { ok: false; reason: string }> {
  const signatures = Array.isArray(card.signatures) ? card.signatures : [];
  const keys =
    isObject(settings.cardKeys) && Array.isArray(settings.cardKeys.keys) ? settings.cardKeys.keys : undefined;
  if (keys === undefined) {
    if (signatures.length > 0) {
      return { ok: false, reason: "the card is signed but no cardKeys are configured to verify it" };
    }
    return { ok: true };
  }
  if (signatures.length === 0) return { ok: false, reason: "the card is not signed but cardKeys require a signature" };
  const jkuAllow = Array.isArray(settings.cardJkuAllow)
    ? settings.cardJkuAllow.filter((j) => typeof j === "string")
    : [];
  const verify = verifyAgentCardSignature(async (kid, jku) => {
    if (jku !== undefined && !jkuAllow.includes(jku)) throw new Error("jku not allowed");
    const jwk = keys.find((k): k is JWK => isObject(k) && k.kid === kid);
    if (!jwk) throw new Error("unknown kid");
    // Public members only: a private key pasted into the settings by mistake is never used as such.
    const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, k: _k, ...publicJwk } = jwk;
    if (jwk.kty === "oct") throw new Error("symmetric keys are not accepted");
    return publicJwk;
  });
  // The SDK logs each failed entry at debug level; the reason that matters is ours.
  const debug = console.debug;
  console.debug = () => {};
  try {
    await verify(card as unknown as AgentCardType);
    return { ok: true };
  } catch {
    return { ok: false, reason: "no signature on the card verifies with the configured cardKeys" };
  } finally {
    console.debug = debug;
  }
}

/** The versions of the JSON-RPC binding the upstream declares (1.0 when it declares none it could be reached by). */
function jsonRpcVersions(card: Record<string, unknown>): string[] {
  const versions = new Set<string>();
  const interfaces = Array.isArray(card.supportedInterfaces) ? card.supportedInterfaces : [];
  for (const i of interfaces) {
    if (isObject(i) && i.protocolBinding === "JSONRPC" && typeof i.protocolVersion === "string") {
      versions.add(i.protocolVersion);
    }
  }
  // A v0.3 card: `preferredTransport` + `protocolVersion` (+ additionalInterfaces with `transport`).
  if (card.preferredTransport === "JSONRPC" && typeof card.protocolVersion === "string")
    versions.add(card.protocolVersion);
  if (versions.size === 0) versions.add("1.0");
  return [...versions].filter((v) => /^\d+\.\d+$/.test(v)).sort((a, b) => b.localeCompare(a));
}

export interface GatewayCardOptions {
  /** The gateway's JSON-RPC endpoint for this upstream. */
  endpoint: string;
  /** The control plane's issuer (token service, JWKS). */
  issuer: string;
  key: { kid: string; privateKey: KeyObject };
}

/** The card the gateway serves: the upstream's, rewritten (interfaces, security) and signed by the gateway. */
export async function gatewayCard(upstream: AgentCardType, options: GatewayCardOptions): Promise<AgentCardType> {
  const versions = jsonRpcVersions(upstream as unknown as Record<string, unknown>);
  // Only v1.0 fields survive (the SDK's codec), and nothing of the upstream's own security or signatures.
  const base = AgentCard.fromJSON(upstream);
  const card: AgentCardType = {
    ...base,
    supportedInterfaces: versions.map((protocolVersion) => ({
      url: options.endpoint,
      protocolBinding: "JSONRPC",
      tenant: "",
      protocolVersion,
    })),
    securitySchemes: {
      [GATEWAY_SCHEME]: {
        scheme: {
          $case: "oauth2SecurityScheme",
          value: {
            description:
              "A Portcullis gateway session token: exchange the operator's token (subject_token) and the agent's " +
              "credential (actor_token) at the token URL (RFC 8693 token exchange)",
            flows: {
              flow: {
                $case: "clientCredentials",
                value: { tokenUrl: `${options.issuer}/oauth/token`, refreshUrl: "", scopes: {} },
              },
            },
            oauth2MetadataUrl: `${options.issuer}/.well-known/oauth-authorization-server`,
          },
        },
      },
    },
    securityRequirements: [{ schemes: { [GATEWAY_SCHEME]: { list: [] } } }],
    skills: base.skills.map((s) => ({ ...s, securityRequirements: [] })),
    signatures: [],
  };
  const json = AgentCard.toJSON(card) as AgentCardType;
  const sign = generateAgentCardSignature(options.key.privateKey, {
    alg: "EdDSA",
    typ: "JOSE",
    kid: options.key.kid,
    jku: `${options.issuer}/.well-known/jwks.json`,
  });
  return sign(json);
}

export { canonicalizeAgentCard };
