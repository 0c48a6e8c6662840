// ApprovalService: a node asks for the approval of one exact call (consuming an approved one atomically) or reads
// one it holds a call open for. Authenticated per node; the arguments must hash to the digest they are bound to,
// so what approvers see is what executes. Database failures answer UNAVAILABLE: the node fails closed.
import * as grpc from "@grpc/grpc-js";
import { digestArgs, type JsonValue } from "@portcullis/policy";
import type { ApprovalAnswer, ApprovalServiceHandlers, ApprovalStatus } from "@portcullis/proto";
import type { Db } from "../db/client.ts";
import {
  type ApprovalRow,
  type ApprovalSettings,
  decideUrl,
  readApprovalForNode,
  requestApproval,
  stateOf,
} from "../services/approvals.ts";
import { authenticateNode, RpcError, toServiceError } from "./authenticate.ts";

export interface ApprovalServiceDeps {
  db: Db;
  settings: ApprovalSettings;
  log: (level: "info" | "warn", msg: string, fields?: Record<string, unknown>) => void;
}

const MAX_ARGS_JSON = 1024 * 1024;

function answer(settings: ApprovalSettings, row: ApprovalRow, status: ApprovalStatus): ApprovalAnswer {
  return {
    approvalId: row.id,
    status,
    decidedBy: row.decidedBy ?? "",
    approvedAs: row.approvedAs ?? "",
    comment: row.reason ?? "",
    expiresAt: row.expiresAt.toISOString(),
    decidedAt: row.decidedAt?.toISOString() ?? "",
    decideUrl: decideUrl(settings, row.id),
  };
}

function parseJson<T>(text: string, what: string, check: (v: unknown) => v is T): T {
  if (text.length > MAX_ARGS_JSON) throw new RpcError(grpc.status.INVALID_ARGUMENT, `${what} too large`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new RpcError(grpc.status.INVALID_ARGUMENT, `${what} is not JSON`);
  }
  if (!check(value)) throw new RpcError(grpc.status.INVALID_ARGUMENT, `${what} has the wrong shape`);
  return value;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

export function approvalHandlers(deps: ApprovalServiceDeps): ApprovalServiceHandlers {
  const { settings } = deps;
  return {
    RequestApproval: (call, callback) => {
      (async () => {
        const node = await authenticateNode(deps.db, call.metadata);
        const r = call.request;
        for (const [field, value] of Object.entries({
          session_id: r.sessionId,
          agent_id: r.agentId,
          operator_sub: r.operatorSub,
          tool: r.tool,
          args_digest: r.argsDigest,
          policy_id: r.policyId,
        })) {
          if (value === "" || value.length > 512)
            throw new RpcError(grpc.status.INVALID_ARGUMENT, `${field} is required`);
        }
        const args = parseJson(r.argsJson, "args_json", isObject);
        if (digestArgs(args as JsonValue) !== r.argsDigest) {
          throw new RpcError(grpc.status.INVALID_ARGUMENT, "args_json does not match args_digest");
        }
        const chain = r.delegationJson === "" ? [] : parseJson(r.delegationJson, "delegation_json", Array.isArray);
        const outcome = await requestApproval(deps.db, settings, {
          sessionId: r.sessionId,
          agentId: r.agentId,
          agentName: r.agentName || r.agentId,
          operatorSub: r.operatorSub,
          operatorEmail: r.operatorEmail || null,
          tool: r.tool,
          argsSha256: r.argsDigest,
          args,
          policyId: r.policyId,
          approvers: r.approvers.filter((a) => a !== "").slice(0, 50),
          reason: r.reason,
          requestEventId: r.requestEventId,
          delegationChain: chain,
          nodeId: node.id,
        });
        if (outcome.kind === "pending" && outcome.created) {
          deps.log("info", "approval requested", { approval: outcome.row.id, tool: r.tool, node: node.id });
        }
        const status: ApprovalStatus =
          outcome.kind === "consumed"
            ? "APPROVAL_STATUS_APPROVED"
            : outcome.kind === "pending"
              ? "APPROVAL_STATUS_PENDING"
              : outcome.kind === "rejected"
                ? "APPROVAL_STATUS_REJECTED"
                : "APPROVAL_STATUS_EXPIRED";
        return answer(settings, outcome.row, status);
      })().then(
        (a) => callback(null, a),
        (err) => callback(toServiceError(err)),
      );
    },
    GetApproval: (call, callback) => {
      (async () => {
        await authenticateNode(deps.db, call.metadata);
        const row = await readApprovalForNode(deps.db, call.request.approvalId, call.request.sessionId);
        if (!row) throw new RpcError(grpc.status.NOT_FOUND, "no such approval in this session");
        const state = stateOf(row, new Date());
        const status: ApprovalStatus = {
          pending: "APPROVAL_STATUS_PENDING",
          approved: "APPROVAL_STATUS_DECIDED_APPROVED",
          rejected: "APPROVAL_STATUS_REJECTED",
          expired: "APPROVAL_STATUS_EXPIRED",
          consumed: "APPROVAL_STATUS_CONSUMED",
        }[state] as ApprovalStatus;
        return answer(settings, row, status);
      })().then(
        (a) => callback(null, a),
        (err) => callback(toServiceError(err)),
      );
    },
  };
}
