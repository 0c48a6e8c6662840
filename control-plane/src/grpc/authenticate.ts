// Every RPC after enrollment is authenticated per node: the `authorization` metadata carries a short-lived
// token signed by the node's own key. The key must be registered, unrevoked, and belong to an unrevoked node.
import * as grpc from "@grpc/grpc-js";
import { nodeTokenKid, verifyNodeToken } from "@portcullis/proto";
import { findNode, type NodeRecord, nodeForSigningKid } from "../audit/node-keys.ts";
import type { Db } from "../db/client.ts";
import { ApiError } from "../services/errors.ts";
import { translateDbError } from "../services/store.ts";

export class RpcError extends Error {
  readonly code: grpc.status;
  constructor(code: grpc.status, message: string) {
    super(message);
    this.code = code;
  }
}

export async function authenticateNode(db: Db, metadata: grpc.Metadata): Promise<NodeRecord> {
  const header = metadata.get("authorization")[0];
  const token = typeof header === "string" && header.startsWith("Bearer ") ? header.slice(7) : undefined;
  if (!token || token.length > 4096) throw new RpcError(grpc.status.UNAUTHENTICATED, "missing node token");
  const kid = nodeTokenKid(token);
  const owner = kid ? await nodeForSigningKid(db, kid) : undefined;
  if (!owner) throw new RpcError(grpc.status.UNAUTHENTICATED, "unknown or revoked node key");
  const verified = verifyNodeToken(token, owner.key, { expectedNodeId: owner.nodeId });
  if (!verified.ok) throw new RpcError(grpc.status.UNAUTHENTICATED, `node token refused: ${verified.code}`);
  const node = await findNode(db, owner.nodeId);
  if (!node) throw new RpcError(grpc.status.UNAUTHENTICATED, "unknown node");
  if (node.revokedAt) throw new RpcError(grpc.status.PERMISSION_DENIED, "node is revoked");
  return node;
}

/** Maps any error to a gRPC status without leaking internals. */
export function toServiceError(err: unknown): grpc.ServiceError {
  const translated = translateDbError(err, "already registered");
  if (translated instanceof ApiError && translated.code === "conflict") {
    err = new RpcError(grpc.status.ALREADY_EXISTS, translated.message);
  }
  if (err instanceof RpcError)
    return Object.assign(new Error(err.message), {
      code: err.code,
      details: err.message,
      metadata: new grpc.Metadata(),
    });
  return Object.assign(new Error("internal error"), {
    code: grpc.status.UNAVAILABLE,
    details: "control plane unavailable; retry later",
    metadata: new grpc.Metadata(),
  });
}
