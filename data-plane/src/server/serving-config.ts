// Everything the request path precomputes from one snapshot: the token verifier for its control-plane keys (kept,
// with its cache, while the key set is unchanged), the HTTP tool routes, MCP virtual servers and A2A agents with their pools, and the operator
// directory as policy contexts. Immutable; a new snapshot builds a new one and requests in flight keep theirs.
import { type OperatorContext, operatorFromDirectory } from "@portcullis/policy";
import type { EgressRules } from "@portcullis/proto";
import { type A2aRoutes, buildA2aRoutes } from "../a2a/a2a-routes.ts";
import { createTokenVerifier, keySetIdOf, type TokenVerifier, type VerifiedToken } from "../authn/verify-token.ts";
import type { ConfigEngine } from "../config/validate.ts";
import { buildToolRoutes, type ToolRoutes } from "../http-tools/tool-routes.ts";
import type { Logger } from "../log.ts";
import { buildMcpServers, type McpServers } from "../mcp/virtual-servers.ts";

export interface ServingConfig {
  readonly engine: ConfigEngine;
  readonly verifier: TokenVerifier;
  readonly tools: ToolRoutes;
  /** The MCP virtual servers (`/mcp/{server}`) with their upstream pools. */
  readonly mcp: McpServers;
  /** The A2A agents (`/a2a/{upstream}`) with their upstream pools. */
  readonly a2a: A2aRoutes;
  /** Directory entries as operator contexts, by subject and by email. */
  readonly operatorsBySubject: ReadonlyMap<string, Partial<OperatorContext>>;
  readonly operatorsByEmail: ReadonlyMap<string, Partial<OperatorContext>>;
}

export function buildServingConfig(
  engine: ConfigEngine,
  previous: ServingConfig | undefined,
  options: { issuer: string; logger: Logger; egress?: EgressRules },
): ServingConfig {
  const keys = engine.resources.trust.controlPlaneKeys;
  const verifier =
    previous && previous.verifier.keySetId === keySetIdOf(keys)
      ? previous.verifier
      : createTokenVerifier({ issuer: options.issuer, controlPlaneKeys: keys });
  if (verifier.keySetId === "") {
    options.logger.error(
      { version: engine.version },
      "the snapshot publishes no usable control-plane key: every token is refused",
    );
  }
  const bySubject = new Map<string, Partial<OperatorContext>>();
  const byEmail = new Map<string, Partial<OperatorContext>>();
  for (const entry of engine.resources.operators) {
    const context = Object.freeze(operatorFromDirectory(entry));
    bySubject.set(entry.subject, context);
    if (entry.email) byEmail.set(entry.email, context);
  }
  return Object.freeze({
    engine,
    verifier,
    tools: buildToolRoutes(engine, previous?.tools, options.logger, options.egress),
    mcp: buildMcpServers(engine, previous?.mcp, options.logger, options.egress),
    a2a: buildA2aRoutes(engine, previous?.a2a, options.logger, options.egress),
    operatorsBySubject: bySubject,
    operatorsByEmail: byEmail,
  });
}

/**
 * The operator as policies see it: the token's `op` claims, each missing one filled from the directory entry of
 * the token's subject (or, failing that, of its email). `sub` is always the token's.
 */
export function resolveOperator(serving: ServingConfig, token: VerifiedToken): Partial<OperatorContext> {
  const op = token.operator;
  const entry =
    serving.operatorsBySubject.get(token.subject) ?? (op.email ? serving.operatorsByEmail.get(op.email) : undefined);
  return {
    ...entry,
    sub: token.subject,
    ...(op.email !== undefined ? { email: op.email } : {}),
    ...(op.department !== undefined ? { department: op.department } : {}),
    ...(op.manager !== undefined ? { manager: op.manager } : {}),
    ...(op.cost_center !== undefined ? { cost_center: op.cost_center } : {}),
    ...(op.groups !== undefined ? { groups: op.groups } : {}),
    ...(op.delegation_limit !== undefined ? { delegation_limit: op.delegation_limit } : {}),
  };
}
