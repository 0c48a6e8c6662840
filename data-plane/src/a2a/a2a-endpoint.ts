// /a2a/{upstream}: one A2A agent behind the gateway, JSON-RPC binding, A2A v1.0 and v0.3 method names. The pipeline
// is the other routes' (src/server/call-steps.ts): authenticate before parsing, strict JSON, resolve the caller from
// the snapshot, decide with the session ledger (tool `a2a:{V1Method}`), forward with the minted assertion, one audit
// event per call. What is A2A's own: the agent card (rewritten and re-signed, see agent-card.ts), per-task
// authorization (task-owners.ts), push notification URLs checked against SSRF (push-url.ts), and SSE streams passed
// through event by event (each event's task and context ids are claimed for the caller before it is released).
import type { IncomingMessage, ServerResponse } from "node:http";
import type { BlockList } from "node:net";
import { performance } from "node:perf_hooks";
import type { AgentCard } from "@a2a-js/sdk";
import type { JsonObject, ToolContext } from "@portcullis/policy";
import type { MintAssertion } from "../assertions/mint-assertion.ts";
import type { CallOutcome, DecisionEvent, DecisionRecorder } from "../audit/record-decision.ts";
import { callUpstream } from "../http-tools/call-upstream.ts";
import type { Logger } from "../log.ts";
import { type Id, nodeBaseUrl, rpcError } from "../mcp/mcp-endpoint.ts";
import type { QuotaStore } from "../quota/quota-store.ts";
import { newRequestId, noteAgent } from "../server/access-log.ts";
import {
  argsDigest,
  authenticateCaller,
  callAssertion,
  type DecideInput,
  decideCall,
  decisionFields,
  nodeRefusal,
  openDecisionEvent,
  rateLimitedReply,
  resolveCaller,
  sessionKeyOf,
  takeQuota,
} from "../server/call-steps.ts";
import { checkBodyHeaders, readJsonBody } from "../server/read-body.ts";
import { bearerChallenge, sendError, sendJson } from "../server/replies.ts";
import type { ServingConfig } from "../server/serving-config.ts";
import type { StalenessWatch } from "../server/staleness.ts";
import type { HttpToolsSettings } from "../server/tools-invoke.ts";
import type { SessionLedger } from "../session/ledger.ts";
import type { A2aRoute } from "./a2a-routes.ts";
import { CARD_TTL_MS, type CardResult, fetchUpstreamCard, gatewayCard } from "./agent-card.ts";
import { A2A_METHODS, a2aToolName, idsInResult, referencesOf } from "./methods.ts";
import { checkPushUrl, type Resolve } from "./push-url.ts";
import { contextKey, sameOwner, type TaskOwner, type TaskOwnerStore, taskKey } from "./task-owners.ts";

/** JSON-RPC error codes of the A2A endpoint: the standard ones and the gateway's own (-31401 … -31413). */
export const A2A_RPC = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  invalidParams: -32602,
  internalError: -32603,
  /** No or an invalid gateway session token (HTTP 401). */
  unauthorized: -31401,
  /** The token's agent is unknown to the snapshot or disabled (HTTP 403). */
  agentNotAllowed: -31402,
  /** Policy denied the method (`data`: code, decision_id, adaptable). */
  denied: -31403,
  /** The task (or context) is unknown to the gateway or belongs to another session: answered alike. */
  taskNotFound: -31404,
  /** A push notification URL points to a loopback, private or reserved address, or is not a usable URL (HTTP 400). */
  pushUrlRefused: -31405,
  /** A require_approval policy matched: the call was not executed. */
  approvalRequired: -31406,
  /** The gateway session is expired, bound elsewhere, over its call limit, or the session store is down. */
  sessionRefused: -31407,
  /** The upstream agent failed to answer usably. */
  upstreamError: -31408,
  /** The upstream agent did not answer in time. */
  upstreamTimeout: -31409,
  /** The audit spool cannot take the call's record: not executed (or its result withheld). */
  auditUnavailable: -31410,
  /** The upstream's agent card could not be fetched or is not trusted: no call is routed to it. */
  agentCardUntrusted: -31411,
  /** The task ownership store is unavailable: nothing was forwarded. */
  ownershipUnavailable: -31412,
  /** The request names a tenant: the tenant comes from the verified identity only (HTTP 403). */
  tenantRefused: -31413,
  /** A rate limit of the gateway group is reached (HTTP 429 with Retry-After; `data`: scope, retry_after_seconds). */
  rateLimited: -31414,
  /** The quota store (Redis) is unreachable: the call was not counted, so not executed (HTTP 503). */
  quotaUnavailable: -31415,
  /** The node has not heard from the control plane past its staleness limit: sensitive agents refused (R05). */
  configStale: -31416,
} as const;

export interface A2aEndpointDeps {
  ledger: SessionLedger;
  /** Past the staleness limit with PORTCULLIS_DP_STALE_POLICY=deny_sensitive, sensitive calls are refused (R05). */
  staleness?: Pick<StalenessWatch, "refusesSensitive">;
  quota: QuotaStore;
  recorder: DecisionRecorder;
  mintAssertion: MintAssertion;
  settings: HttpToolsSettings;
  owners: TaskOwnerStore;
  /** Ranges push notification URLs may point to although private (PORTCULLIS_DP_A2A_PUSH_ALLOW). */
  pushAllow: BlockList;
  /** The control plane's issuer: its token service and JWKS. */
  issuer: string;
  /** Signs the cards the gateway serves (the node's assertion key). */
  cardKey: { kid: string; privateKey: import("node:crypto").KeyObject };
  /** Told how long each policy evaluation takes (the node's metrics). */
  metrics?: DecideInput["metrics"];
  logger: Logger;
  /** Name resolution for push URLs (tests). */
  resolve?: Resolve;
  /** How long an event stream may stay silent before the gateway ends it (default 5 min). */
  streamIdleMs?: number;
}

export interface A2aEndpoint {
  /** POST /a2a/{name} (JSON-RPC). */
  handleRpc(serving: ServingConfig, req: IncomingMessage, res: ServerResponse, name: string): Promise<void>;
  /** GET /a2a/{name}/.well-known/agent-card.json. */
  handleCard(serving: ServingConfig, req: IncomingMessage, res: ServerResponse, name: string): Promise<void>;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** Headers of the client's request the upstream may see (A2A's own); everything else is the gateway's. */
const PASSED_HEADERS = ["a2a-version", "a2a-extensions", "x-a2a-extensions"];

export const a2aEndpointPath = (req: IncomingMessage, name: string) => `${nodeBaseUrl(req)}/a2a/${name}`;

export function createA2aEndpoint(deps: A2aEndpointDeps): A2aEndpoint {
  const { ledger, recorder, settings, owners, logger } = deps;
  const streamIdleMs = deps.streamIdleMs ?? 300_000;
  // Upstream cards, fetched on demand and kept CARD_TTL_MS (a failure is kept briefly, so a broken upstream is not
  // hammered); the signed gateway card per endpoint URL it names.
  const cards = new Map<string, { at: number; result: Promise<CardResult>; signed: Map<string, Promise<AgentCard>> }>();

  function cardEntry(route: A2aRoute) {
    const key = `${route.upstream.id} ${route.origin}${route.cardPath} ${JSON.stringify(route.upstream.settings)}`;
    const now = Date.now();
    const known = cards.get(key);
    if (known && now - known.at < CARD_TTL_MS) return known;
    const entry = {
      at: now,
      result: fetchUpstreamCard(
        {
          upstreamId: route.upstream.id,
          pool: route.pool,
          origin: route.origin,
          cardPath: route.cardPath,
          settings: route.upstream.settings,
          credentialHeaders: route.credentialHeaders,
        },
        settings.upstreamTimeoutMs,
      ),
      signed: new Map<string, Promise<AgentCard>>(),
    };
    cards.set(key, entry);
    void entry.result.then((r) => {
      if (!r.ok) {
        logger.warn({ upstream: route.upstream.id, reason: r.reason }, "A2A agent card not usable");
        // Retry a failed fetch after a few seconds rather than after the full TTL.
        entry.at = Date.now() - CARD_TTL_MS + 5_000;
      }
    });
    return entry;
  }

  async function signedCard(route: A2aRoute, endpoint: string, issuer: string): Promise<CardResult> {
    const entry = cardEntry(route);
    const upstreamCard = await entry.result;
    if (!upstreamCard.ok) return upstreamCard;
    let signed = entry.signed.get(endpoint);
    if (!signed) {
      signed = gatewayCard(upstreamCard.card, { endpoint, issuer, key: deps.cardKey });
      if (entry.signed.size > 16) entry.signed.clear();
      entry.signed.set(endpoint, signed);
    }
    return { ok: true, card: await signed };
  }

  async function handleCard(serving: ServingConfig, req: IncomingMessage, res: ServerResponse, name: string) {
    const requestId = newRequestId();
    const route = serving.a2a.byName.get(name);
    if (!route) return sendError(res, "not_found", "no such A2A agent", requestId);
    const card = await signedCard(route, a2aEndpointPath(req, name), deps.issuer);
    if (!card.ok) {
      return sendError(res, "upstream_error", "the agent's card could not be fetched or is not trusted", requestId);
    }
    sendJson(res, 200, card.card, { headers: { "cache-control": "public, max-age=60" } });
  }

  async function handleRpc(serving: ServingConfig, req: IncomingMessage, res: ServerResponse, name: string) {
    const startedAt = performance.now();
    const requestId = newRequestId();
    const reply = (status: number, body: unknown, headers: Record<string, string> = {}, close = false) =>
      sendJson(res, status, body, { headers, close });
    if (req.method !== "POST") {
      return reply(405, rpcError(null, { code: A2A_RPC.invalidRequest, message: "Method not allowed: use POST" }), {
        allow: "POST",
      });
    }
    const problem = checkBodyHeaders(req, settings.maxBodyBytes);
    if (problem) {
      const status = problem.code === "payload_too_large" ? 413 : 415;
      return reply(status, rpcError(null, { code: A2A_RPC.invalidRequest, message: problem.message }), {}, true);
    }
    // Authenticate before anything is parsed.
    const auth = await authenticateCaller(serving, req);
    if (!auth.ok) {
      const challenge = bearerChallenge(
        auth.code === "unauthenticated" ? undefined : { code: "invalid_token", description: auth.message },
      );
      return reply(
        401,
        rpcError(null, { code: A2A_RPC.unauthorized, message: auth.message }),
        { "www-authenticate": challenge },
        true,
      );
    }
    const { token, session: tokenSession } = auth;
    const caller = resolveCaller(serving, token, tokenSession);
    if (!caller.ok) {
      return reply(403, rpcError(null, { code: A2A_RPC.agentNotAllowed, message: caller.message }), {}, true);
    }
    noteAgent(caller.agent);
    const route = serving.a2a.byName.get(name);
    if (!route) {
      return reply(404, rpcError(null, { code: A2A_RPC.invalidRequest, message: `no A2A agent named ${name}` }));
    }
    const body = await readJsonBody(req, { maxBytes: settings.maxBodyBytes });
    if (!body.ok) {
      if (body.code === "client_aborted") return;
      if (body.code === "payload_too_large") {
        return reply(413, rpcError(null, { code: A2A_RPC.invalidRequest, message: body.message }), {}, true);
      }
      return reply(400, rpcError(null, { code: A2A_RPC.parseError, message: `Parse error: ${body.message}` }));
    }
    const message = body.value;
    const invalid = (id: Id, why: string) =>
      reply(400, rpcError(id, { code: A2A_RPC.invalidRequest, message: `Invalid Request: ${why}` }));
    if (Array.isArray(message)) return invalid(null, "JSON-RPC batches are not supported");
    if (!isObject(message)) return invalid(null, "the body must be a JSON-RPC request object");
    const rawId = message.id;
    const idOk = typeof rawId === "string" || (typeof rawId === "number" && Number.isInteger(rawId));
    const id: Id = idOk ? (rawId as string | number) : null;
    if (message.jsonrpc !== "2.0") return invalid(id, 'jsonrpc must be "2.0"');
    if (!idOk) return invalid(null, "id must be a string or an integer (A2A has no notifications)");
    if (typeof message.method !== "string") return invalid(id, "method must be a string");
    if (message.params !== undefined && !isObject(message.params)) return invalid(id, "params must be an object");
    const params = (message.params ?? {}) as Record<string, unknown>;
    const method = A2A_METHODS.get(message.method);
    const rpcMethod = message.method;

    const event = openDecisionEvent({
      requestId,
      protocol: "a2a",
      token,
      session: tokenSession,
      tool: method ? a2aToolName(method) : `a2a:${rpcMethod.slice(0, 100)}`,
      configVersion: serving.engine.version,
      source: req.socket.remoteAddress,
    });
    Object.assign(event, { agent_id: caller.agent.name, upstream: route.upstream.id });
    const sensitive = route.sensitive;
    // Set when the call is forwarded: what follows is the agent's time.
    let forwardedAt: number | undefined;
    const finish = async (fields: Partial<DecisionEvent>): Promise<boolean> => {
      Object.assign(event, fields);
      const now = performance.now();
      event.latency_us = Math.round((now - startedAt) * 1000);
      if (forwardedAt !== undefined) event.upstream_latency_us = Math.round((now - forwardedAt) * 1000);
      return recorder.record(event, sensitive);
    };
    /** Records the event, then sends the answer (withheld when a sensitive call's record failed). */
    const conclude = async (
      status: number,
      answer: unknown,
      fields: Partial<DecisionEvent>,
      headers: Record<string, string> = {},
    ): Promise<void> => {
      const recorded = await finish(fields);
      let out = answer;
      let code = status;
      if (!recorded && sensitive) {
        const executed = event.upstream_status !== undefined;
        code = 200;
        out = rpcError(id, {
          code: A2A_RPC.auditUnavailable,
          message: executed
            ? "the call could not be recorded in the audit trail, so its result is withheld (the agent may have acted)"
            : "the call could not be recorded in the audit trail, so it was not executed",
        });
      }
      reply(code, out, {
        ...(code === status ? headers : {}),
        ...(recorded ? { "portcullis-decision-id": requestId } : {}),
      });
    };
    const refuse = (
      status: number,
      code: number,
      text: string,
      outcome: CallOutcome,
      eventCode: string,
      reason = text,
    ) => conclude(status, rpcError(id, { code, message: text }), { outcome, code: eventCode, reason });
    const me: TaskOwner = { sid: tokenSession.id, sub: token.subject, agentId: caller.agent.id };
    const notFound = (reason: string) =>
      refuse(200, A2A_RPC.taskNotFound, "Task not found", "denied", "task_not_found", reason);

    try {
      if (!method) {
        return refuse(
          200,
          A2A_RPC.methodNotFound,
          `Method not found: ${rpcMethod.slice(0, 100)}`,
          "invalid_request",
          "method_not_found",
        );
      }
      const digest = argsDigest(params);
      if (!digest.ok) {
        return refuse(
          400,
          A2A_RPC.invalidParams,
          `Invalid params: ${digest.message}`,
          "invalid_arguments",
          "invalid_arguments",
        );
      }
      event.args_sha256 = digest.sha256;
      // T17: the tenant comes from the verified identity, never from the request.
      if (typeof params.tenant === "string" && params.tenant !== "") {
        logger.warn({ requestId, upstream: route.upstream.id, agent: caller.agent.id }, "A2A request named a tenant");
        return refuse(
          403,
          A2A_RPC.tenantRefused,
          "the tenant comes from the gateway session, not from the request",
          "denied",
          "tenant_spoof",
        );
      }
      const held = nodeRefusal(recorder, deps.staleness, sensitive, "agent");
      if (held?.code === "audit_unavailable") {
        return refuse(200, A2A_RPC.auditUnavailable, held.message, held.code, held.code);
      }
      if (held) return refuse(503, A2A_RPC.configStale, held.message, held.code, held.code);
      // No call reaches an upstream whose card the gateway cannot trust (T13).
      const card = await cardEntry(route).result;
      if (!card.ok) {
        return refuse(
          200,
          A2A_RPC.agentCardUntrusted,
          "the agent's card could not be fetched or is not trusted: the call was not forwarded",
          "upstream_error",
          "agent_card_untrusted",
          card.reason,
        );
      }
      // Push notification URLs (T13): checked before anything else could forward them.
      const refs = referencesOf(method, params);
      for (const url of refs.pushUrls) {
        const check = await checkPushUrl(url, deps.pushAllow, deps.resolve);
        if (!check.ok) {
          return refuse(
            400,
            A2A_RPC.pushUrlRefused,
            `Push notification URL refused: ${check.reason}`,
            "invalid_arguments",
            "push_url_refused",
          );
        }
      }
      // Per-task authorization (T17): every task named must be the caller's; a context must be the caller's or new.
      const taskKeys = refs.tasks.map((t) => taskKey(route.upstream.id, t));
      const known = await owners.owners(taskKeys);
      if (!known.ok)
        return refuse(200, A2A_RPC.ownershipUnavailable, known.message, "internal_error", "ownership_unavailable");
      if (known.value.some((owner) => owner === undefined || !sameOwner(owner, me))) {
        return notFound("the task is unknown to the gateway or belongs to another session");
      }
      if (refs.contextId !== undefined) {
        const key = contextKey(route.upstream.id, refs.contextId);
        const claimed = method.kind === "list" ? await owners.owners([key]) : await owners.claim([key], me);
        if (!claimed.ok) {
          return refuse(200, A2A_RPC.ownershipUnavailable, claimed.message, "internal_error", "ownership_unavailable");
        }
        const owner = claimed.value[0];
        if (owner === undefined ? method.kind === "list" : !sameOwner(owner, me)) {
          return notFound("the context is unknown to the gateway or belongs to another session");
        }
      }

      // The gateway group's rate limits, per agent, operator and method (tool `a2a:{V1Method}` of this upstream).
      const quota = await takeQuota(deps.quota, serving.engine, {
        agentId: caller.agent.id,
        operator: token.subject,
        toolId: `${route.upstream.id}/${a2aToolName(method)}`,
        toolName: a2aToolName(method),
      });
      if (!quota.ok) {
        if (quota.code === "quota_unavailable") {
          return conclude(
            503,
            rpcError(id, { code: A2A_RPC.quotaUnavailable, message: quota.message, data: { reason_code: quota.code } }),
            { outcome: "quota_unavailable", code: "quota_unavailable", reason: quota.message },
          );
        }
        const limited = rateLimitedReply(quota);
        return conclude(
          429,
          rpcError(id, { code: A2A_RPC.rateLimited, message: limited.message, data: limited.data }),
          { outcome: "rate_limited", code: "rate_limited", reason: limited.message },
          { "retry-after": String(limited.retryAfterSeconds) },
        );
      }

      const era = rpcMethod.includes("/") ? "0.3" : "1.0";
      const decided = await ledger.decideAndRecord(sessionKeyOf(token, tokenSession, caller.agent.id), (history) =>
        decideCall(
          {
            engine: serving.engine,
            who: caller.who,
            delegators: caller.delegatorContexts,
            tool: { name: a2aToolName(method), context: route.toolContexts.get(method.v1) as ToolContext },
            args: params as JsonObject,
            request: { protocol: "a2a", era, source: req.socket.remoteAddress ?? "" },
            metrics: deps.metrics,
          },
          history,
        ),
      );
      if (!decided.ok) {
        return conclude(
          200,
          rpcError(id, { code: A2A_RPC.sessionRefused, message: decided.message, data: { reason_code: decided.code } }),
          { outcome: "session_refused", code: decided.code, reason: decided.message },
        );
      }
      const decision = decided.value;
      Object.assign(event, decisionFields(decision));
      const data = { code: decision.code, adaptable: decision.adaptable, decision_id: requestId };
      if (decision.outcome === "deny") {
        return conclude(200, rpcError(id, { code: A2A_RPC.denied, message: `Denied: ${decision.reason}`, data }), {
          outcome: "denied",
        });
      }
      if (decision.outcome === "require_approval") {
        const text = `Approval required: ${decision.reason}. The call was not executed.`;
        return conclude(200, rpcError(id, { code: A2A_RPC.approvalRequired, message: text, data }), {
          outcome: "approval_required",
        });
      }

      // Forward: the exact bytes policy saw, the minted assertion and the upstream's credential.
      const assertion = deps.mintAssertion(
        callAssertion({
          upstreamId: route.upstream.id,
          token,
          session: tokenSession,
          agent: caller.agent,
          delegators: caller.delegators,
          tool: a2aToolName(method),
          argsSha256: digest.sha256,
          decisionId: requestId,
          configVersion: serving.engine.version,
        }),
      );
      const headers: Record<string, string> = {
        "content-type": "application/json",
        accept: method.streaming ? "text/event-stream" : "application/json",
        "portcullis-assertion": assertion,
        ...(route.upstream.credential === null ? { authorization: `Bearer ${assertion}` } : {}),
        ...route.credentialHeaders,
      };
      for (const h of PASSED_HEADERS) {
        const v = req.headers[h];
        if (typeof v === "string" && v.length <= 1024 && !/[\r\n]/.test(v)) headers[h] = v;
      }
      const forwarded = JSON.stringify(message);
      const cancel = new AbortController();
      res.once("close", () => {
        if (!res.writableFinished) cancel.abort();
      });
      forwardedAt = performance.now();
      if (method.streaming) {
        return stream({ route, headers, body: forwarded, cancel: cancel.signal, me, id, res, finish, conclude, event });
      }
      const result = await callUpstream({
        dispatcher: route.pool,
        method: "POST",
        path: route.path,
        headers,
        body: forwarded,
        timeoutMs: settings.upstreamTimeoutMs,
        maxResponseBytes: settings.maxResponseBytes,
        cancel: cancel.signal,
      });
      if (result.kind === "cancelled") {
        await finish({ outcome: "cancelled", code: "cancelled", reason: "the client went away" });
        return;
      }
      if (result.kind === "timeout") {
        const text = `the agent did not answer within ${settings.upstreamTimeoutMs} ms`;
        return refuse(200, A2A_RPC.upstreamTimeout, text, "upstream_timeout", "upstream_timeout");
      }
      const upstreamFailed = (why: string, status?: number) =>
        conclude(200, rpcError(id, { code: A2A_RPC.upstreamError, message: "the agent failed to answer" }), {
          outcome: "upstream_error",
          code: "upstream_error",
          reason: "the agent failed to answer",
          upstream_error: why,
          ...(status !== undefined ? { upstream_status: status } : {}),
        });
      if (result.kind === "error") return upstreamFailed(result.reason);
      let answer: unknown;
      try {
        answer = JSON.parse(result.body.toString("utf8"));
      } catch {
        return upstreamFailed(`HTTP ${result.status}, not JSON`, result.status);
      }
      if (!isObject(answer) || answer.jsonrpc !== "2.0" || !("result" in answer || "error" in answer)) {
        return upstreamFailed(`HTTP ${result.status}, not a JSON-RPC response`, result.status);
      }
      if ("error" in answer) {
        const error = isObject(answer.error) ? answer.error : {};
        return conclude(
          200,
          { jsonrpc: "2.0", id, error: answer.error },
          {
            outcome: "upstream_error",
            code: "upstream_rpc_error",
            reason: "the agent answered with a JSON-RPC error",
            upstream_status: result.status,
            upstream_error: `JSON-RPC error ${String(error.code).slice(0, 20)}`,
          },
        );
      }
      let out: unknown = answer.result;
      if (method.kind === "list") {
        out = await ownTasksOnly(route, out, me);
        if (out === undefined)
          return refuse(
            200,
            A2A_RPC.ownershipUnavailable,
            "the task ownership store is unavailable",
            "internal_error",
            "ownership_unavailable",
          );
      } else if (method.kind === "card") {
        if (!isObject(out)) return upstreamFailed("the extended card is not an object", result.status);
        const signed = await gatewayCard(out as unknown as AgentCard, {
          endpoint: a2aEndpointPath(req, name),
          issuer: deps.issuer,
          key: deps.cardKey,
        });
        out = signed;
      } else {
        const claimed = await claimIds(route, out, me);
        if (claimed !== "ok") {
          return claimed === "unavailable"
            ? refuse(
                200,
                A2A_RPC.ownershipUnavailable,
                "the task ownership store is unavailable",
                "internal_error",
                "ownership_unavailable",
              )
            : notFound("the agent answered with a task or context another session owns");
        }
      }
      return conclude(200, { jsonrpc: "2.0", id, result: out }, { outcome: "ok", upstream_status: result.status });
    } catch (error) {
      logger.error({ err: (error as Error).message, requestId }, "A2A call failed unexpectedly");
      return refuse(200, A2A_RPC.internalError, "Internal error", "internal_error", "internal_error");
    }
  }

  /** Claims the tasks and contexts an answer reveals for the caller: "conflict" when another owns one. */
  async function claimIds(route: A2aRoute, result: unknown, me: TaskOwner): Promise<"ok" | "conflict" | "unavailable"> {
    const ids = idsInResult(result);
    const keys = [
      ...ids.tasks.map((t) => taskKey(route.upstream.id, t)),
      ...ids.contexts.map((c) => contextKey(route.upstream.id, c)),
    ];
    if (keys.length === 0) return "ok";
    const claimed = await owners.claim([...new Set(keys)], me);
    if (!claimed.ok) return "unavailable";
    return claimed.value.every((o) => o !== undefined && sameOwner(o, me)) ? "ok" : "conflict";
  }

  /** A ListTasks answer with only the caller's tasks (undefined when ownership cannot be checked). */
  async function ownTasksOnly(route: A2aRoute, result: unknown, me: TaskOwner): Promise<unknown> {
    if (!isObject(result) || !Array.isArray(result.tasks)) return result;
    const tasks = result.tasks as unknown[];
    const keys = tasks.map((t) => taskKey(route.upstream.id, isObject(t) && typeof t.id === "string" ? t.id : ""));
    const known = await owners.owners(keys);
    if (!known.ok) return undefined;
    const mine = tasks.filter((_, i) => {
      const owner = known.value[i];
      return owner !== undefined && sameOwner(owner, me);
    });
    return { ...result, tasks: mine, ...(typeof result.totalSize === "number" ? { totalSize: mine.length } : {}) };
  }

  /** SSE passthrough: each complete event is parsed, its ids claimed for the caller, then released. */
  async function stream(c: {
    route: A2aRoute;
    headers: Record<string, string>;
    body: string;
    cancel: AbortSignal;
    me: TaskOwner;
    id: Id;
    res: ServerResponse;
    finish: (fields: Partial<DecisionEvent>) => Promise<boolean>;
    conclude: (status: number, answer: unknown, fields: Partial<DecisionEvent>) => Promise<void>;
    event: DecisionEvent;
  }): Promise<void> {
    const { route, res, id } = c;
    const failed = (why: string, status?: number) =>
      c.conclude(200, rpcError(id, { code: A2A_RPC.upstreamError, message: "the agent failed to answer" }), {
        outcome: "upstream_error",
        code: "upstream_error",
        reason: "the agent failed to answer",
        upstream_error: why,
        ...(status !== undefined ? { upstream_status: status } : {}),
      });
    const controller = new AbortController();
    const onCancel = () => controller.abort();
    c.cancel.addEventListener("abort", onCancel, { once: true });
    let response: Awaited<ReturnType<typeof route.pool.request>>;
    try {
      response = await route.pool.request({
        method: "POST",
        path: route.path,
        headers: c.headers,
        body: c.body,
        signal: controller.signal,
        headersTimeout: settings.upstreamTimeoutMs,
        bodyTimeout: streamIdleMs,
      });
    } catch (error) {
      c.cancel.removeEventListener("abort", onCancel);
      if (c.cancel.aborted) {
        await c.finish({ outcome: "cancelled", code: "cancelled", reason: "the client went away" });
        return;
      }
      const e = error as { code?: string; message?: string };
      if (e.code === "UND_ERR_HEADERS_TIMEOUT") {
        const text = `the agent did not answer within ${settings.upstreamTimeoutMs} ms`;
        await c.conclude(200, rpcError(id, { code: A2A_RPC.upstreamTimeout, message: text }), {
          outcome: "upstream_timeout",
          code: "upstream_timeout",
          reason: text,
        });
        return;
      }
      return failed(`${e.code ?? ""} ${String(e.message ?? error).slice(0, 200)}`.trim());
    }
    const contentType = String(response.headers["content-type"] ?? "");
    if (response.statusCode !== 200 || !contentType.startsWith("text/event-stream")) {
      // An immediate JSON-RPC answer (usually an error): relayed like a non-streaming call.
      const chunks: Buffer[] = [];
      let total = 0;
      try {
        for await (const chunk of response.body as AsyncIterable<Buffer>) {
          total += chunk.length;
          if (total > settings.maxResponseBytes) throw new Error("too large");
          chunks.push(chunk);
        }
      } catch {
        response.body.destroy();
        return failed("unusable answer to a streaming request", response.statusCode);
      } finally {
        c.cancel.removeEventListener("abort", onCancel);
      }
      let answer: unknown;
      try {
        answer = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      } catch {
        return failed(`HTTP ${response.statusCode}, neither SSE nor JSON`, response.statusCode);
      }
      if (isObject(answer) && answer.jsonrpc === "2.0" && isObject(answer.error)) {
        return c.conclude(
          200,
          { jsonrpc: "2.0", id, error: answer.error },
          {
            outcome: "upstream_error",
            code: "upstream_rpc_error",
            reason: "the agent answered with a JSON-RPC error",
            upstream_status: response.statusCode,
            upstream_error: `JSON-RPC error ${String(answer.error.code).slice(0, 20)}`,
          },
        );
      }
      return failed(`HTTP ${response.statusCode}, not an event stream`, response.statusCode);
    }
    // The stream is allowed and started: its record comes first (durably for sensitive agents).
    const recorded = await c.finish({ outcome: "ok", upstream_status: 200 });
    if (!recorded && route.sensitive) {
      response.body.destroy();
      c.cancel.removeEventListener("abort", onCancel);
      sendJson(
        res,
        200,
        rpcError(id, {
          code: A2A_RPC.auditUnavailable,
          message:
            "the call could not be recorded in the audit trail, so its result is withheld (the agent may have acted)",
        }),
      );
      return;
    }
    res.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-store",
      "x-accel-buffering": "no",
      ...(recorded ? { "portcullis-decision-id": c.event.id } : {}),
    });
    const maxEvent = settings.maxResponseBytes;
    let buffer = "";
    const decoder = new TextDecoder();
    const release = async (raw: string): Promise<boolean> => {
      // data: lines joined (SSE); a JSON-RPC result's ids are claimed before the event is released.
      const data = raw
        .split("\n")
        .filter((l) => l.startsWith("data:"))
        .map((l) => l.slice(5).replace(/^ /, ""))
        .join("\n");
      if (data !== "") {
        let parsed: unknown;
        try {
          parsed = JSON.parse(data);
        } catch {
          parsed = undefined;
        }
        if (isObject(parsed) && "result" in parsed) {
          const claimed = await claimIds(route, parsed.result, c.me);
          if (claimed !== "ok") {
            const error =
              claimed === "unavailable"
                ? { code: A2A_RPC.ownershipUnavailable, message: "the task ownership store is unavailable" }
                : { code: A2A_RPC.taskNotFound, message: "Task not found" };
            res.write(`data: ${JSON.stringify(rpcError(id, error))}\n\n`);
            return false;
          }
        }
      }
      return res.write(`${raw}\n\n`) || (await new Promise<boolean>((r) => res.once("drain", () => r(true))));
    };
    try {
      for await (const chunk of response.body as AsyncIterable<Buffer>) {
        buffer += decoder.decode(chunk, { stream: true }).replace(/\r\n?/g, "\n");
        if (buffer.length > maxEvent) throw new Error("event too large");
        let end = buffer.indexOf("\n\n");
        while (end !== -1) {
          const raw = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (!(await release(raw))) {
            response.body.destroy();
            res.end();
            return;
          }
          end = buffer.indexOf("\n\n");
        }
      }
      if (buffer.trim() !== "") await release(buffer);
    } catch (error) {
      if (!c.cancel.aborted) {
        logger.warn({ upstream: route.upstream.id, err: (error as Error).message }, "A2A event stream ended early");
      }
    } finally {
      c.cancel.removeEventListener("abort", onCancel);
    }
    res.end();
  }

  return { handleRpc, handleCard };
}
