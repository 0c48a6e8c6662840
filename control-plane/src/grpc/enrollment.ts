// EnrollmentService: a node presents a one-time, expiring bootstrap token and its two public keys; it gets a
// node id and the control plane's public keys. The token is consumed in the same transaction that creates
// the node, so it can enroll exactly one node.
import * as grpc from "@grpc/grpc-js";
import { type EnrollmentServiceHandlers, exportJwks, importPublicJwk } from "@portcullis/proto";
import { and, eq, gt, isNull } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { bootstrapTokens, dpNodes, nodeKeys } from "../db/schema.ts";
import type { KeyRing } from "../keys/control-plane-keys.ts";
import { uuidv7 } from "../lib/ids.ts";
import { sha256Hex } from "../lib/secrets.ts";
import { RpcError, toServiceError } from "./authenticate.ts";

export interface EnrollmentDeps {
  db: Db;
  keys: () => KeyRing;
  issuer: string;
  audience: string;
  log: (msg: string, fields?: Record<string, unknown>) => void;
}

export function enrollmentHandlers(deps: EnrollmentDeps): EnrollmentServiceHandlers {
  return {
    Enroll: (call, callback) => {
      enroll(deps, call.request).then(
        (res) => callback(null, res),
        (err) => callback(toServiceError(err)),
      );
    },
    RotateNodeKey: (_call, callback) => {
      callback(
        toServiceError(
          new RpcError(grpc.status.UNIMPLEMENTED, "key rotation is not available yet; re-enroll the node"),
        ),
      );
    },
  };
}

async function enroll(
  deps: EnrollmentDeps,
  req: {
    bootstrapToken: string;
    nodeName: string;
    dpVersion: string;
    signingPublicJwk: string;
    assertionPublicJwk: string;
    labels: Record<string, string>;
  },
) {
  if (!req.bootstrapToken || req.bootstrapToken.length > 200)
    throw new RpcError(grpc.status.UNAUTHENTICATED, "a bootstrap token is required");
  let signing: ReturnType<typeof importPublicJwk>;
  let assertion: ReturnType<typeof importPublicJwk>;
  try {
    signing = importPublicJwk(req.signingPublicJwk);
    assertion = importPublicJwk(req.assertionPublicJwk);
  } catch (err) {
    throw new RpcError(grpc.status.INVALID_ARGUMENT, `public keys: ${(err as Error).message}`);
  }
  if (signing.kid === assertion.kid)
    throw new RpcError(grpc.status.INVALID_ARGUMENT, "signing and assertion keys must differ");
  const name = (req.nodeName || "").trim().slice(0, 100);
  const now = new Date();
  const nodeId = uuidv7();
  const groupId = await deps.db.transaction(async (tx) => {
    const [token] = await tx
      .update(bootstrapTokens)
      .set({ usedAt: now, usedByNode: nodeId })
      .where(
        and(
          eq(bootstrapTokens.tokenHash, sha256Hex(req.bootstrapToken)),
          isNull(bootstrapTokens.usedAt),
          gt(bootstrapTokens.expiresAt, now),
        ),
      )
      .returning();
    if (!token)
      throw new RpcError(grpc.status.UNAUTHENTICATED, "the bootstrap token is unknown, expired or already used");
    await tx.insert(dpNodes).values({
      id: nodeId,
      groupId: token.groupId,
      name: name || `node-${nodeId.slice(-8)}`,
      labels: req.labels ?? {},
      dpVersion: req.dpVersion || null,
      enrolledAt: now,
    });
    await tx.insert(nodeKeys).values([
      { kid: signing.kid, nodeId, use: "signing", publicJwk: JSON.parse(req.signingPublicJwk), createdAt: now },
      { kid: assertion.kid, nodeId, use: "assertion", publicJwk: JSON.parse(req.assertionPublicJwk), createdAt: now },
    ]);
    return token.groupId;
  });
  deps.log("node enrolled", { nodeId, groupId, name });
  const keys = deps.keys();
  return {
    nodeId,
    groupId,
    cpPublicJwks: JSON.stringify(exportJwks([...keys.trusted.values()])),
    issuer: deps.issuer,
    audience: deps.audience,
  };
}
