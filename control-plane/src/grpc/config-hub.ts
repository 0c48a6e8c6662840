// ConfigService.Stream: one bidirectional stream per node. The hub remembers, per stream, what the node
// serves, which snapshot is in flight (by nonce) and which versions it refused. It sends the current snapshot
// only when the node does not serve it, never resends a version NACKed on that stream, ignores stale nonces,
// and records every node's status (connected, serving version, last NACK, spool depth, audit lag) in the
// database for the console.
import { randomBytes } from "node:crypto";
import * as grpc from "@grpc/grpc-js";
import { type ConfigServiceHandlers, type CpMessage, type DpMessage__Output, toSafeUint } from "@portcullis/proto";
import { eq } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { dpNodes } from "../db/schema.ts";
import type { PublishedSnapshot } from "../snapshots/publish.ts";
import { authenticateNode, RpcError, toServiceError } from "./authenticate.ts";

type Call = grpc.ServerDuplexStream<DpMessage__Output, CpMessage>;

interface Connection {
  nodeId: string;
  groupId: string;
  call: Call;
  hello: boolean;
  servingVersion: number;
  servingSha256: string;
  inFlight: { nonce: string; version: number; sentAt: number } | undefined;
  nacked: Set<number>;
}

export interface ConfigHubDeps {
  db: Db;
  /** The current snapshot of a group (publishing one first if the group has none). */
  currentSnapshot: (groupId: string) => Promise<PublishedSnapshot | undefined>;
  replicaId: string;
  log: (level: "info" | "warn", msg: string, fields?: Record<string, unknown>) => void;
}

export interface ConfigHub {
  handlers: ConfigServiceHandlers;
  /** Offers the group's current snapshot to its connected nodes (after a publish). */
  offerGroup(groupId: string): Promise<void>;
  /** Ends a revoked node's streams on this replica. */
  revoke(nodeId: string, reason: string): void;
  connectedNodes(): string[];
  close(): void;
}

export function createConfigHub(deps: ConfigHubDeps): ConfigHub {
  const connections = new Set<Connection>();

  async function updateNode(nodeId: string, values: Partial<typeof dpNodes.$inferInsert>) {
    await deps.db.update(dpNodes).set(values).where(eq(dpNodes.id, nodeId));
  }

  async function offer(conn: Connection): Promise<void> {
    if (!conn.hello || conn.inFlight) return;
    const snap = await deps.currentSnapshot(conn.groupId);
    if (!snap) return;
    if (snap.version === conn.servingVersion && snap.sha256 === conn.servingSha256) return;
    if (snap.version < conn.servingVersion) return;
    if (conn.nacked.has(snap.version)) return;
    const nonce = randomBytes(12).toString("base64url");
    conn.inFlight = { nonce, version: snap.version, sentAt: Date.now() };
    conn.call.write({
      snapshot: {
        version: String(snap.version),
        nonce,
        resourcesJson: snap.resourcesJson,
        sha256: snap.sha256,
        signature: snap.signature,
      },
    });
  }

  async function onMessage(conn: Connection, msg: DpMessage__Output): Promise<void> {
    const now = new Date();
    switch (msg.kind) {
      case "hello": {
        const h = msg.hello;
        if (!h) return;
        if (h.nodeId !== conn.nodeId) {
          conn.call.emit(
            "error",
            toServiceError(new RpcError(grpc.status.PERMISSION_DENIED, "hello names another node")),
          );
          return;
        }
        conn.hello = true;
        conn.servingVersion = toSafeUint(h.servingVersion || 0);
        conn.servingSha256 = h.servingSha256;
        await updateNode(conn.nodeId, {
          connected: true,
          connectedTo: deps.replicaId,
          lastSeenAt: now,
          dpVersion: h.dpVersion || null,
          servingVersion: conn.servingVersion || null,
          servingSha256: conn.servingSha256 || null,
        });
        await offer(conn);
        return;
      }
      case "ack": {
        const a = msg.ack;
        if (!a || !conn.inFlight || a.nonce !== conn.inFlight.nonce) return; // stale or unknown nonce
        const version = toSafeUint(a.version);
        const snap = await deps.currentSnapshot(conn.groupId);
        conn.servingVersion = version;
        conn.servingSha256 = snap && snap.version === version ? snap.sha256 : conn.servingSha256;
        conn.inFlight = undefined;
        await updateNode(conn.nodeId, { servingVersion: version, servingSha256: conn.servingSha256, lastSeenAt: now });
        await offer(conn);
        return;
      }
      case "nack": {
        const n = msg.nack;
        if (!n || !conn.inFlight || n.nonce !== conn.inFlight.nonce) return;
        const rejected = toSafeUint(n.rejectedVersion);
        conn.nacked.add(rejected);
        conn.inFlight = undefined;
        const reason = n.errors.join("; ").slice(0, 4000) || "no reason given";
        deps.log("warn", "node refused a snapshot", { nodeId: conn.nodeId, version: rejected, reason });
        await updateNode(conn.nodeId, {
          lastNackVersion: rejected,
          lastNackReason: reason,
          lastNackAt: now,
          lastSeenAt: now,
        });
        await offer(conn);
        return;
      }
      case "heartbeat": {
        const hb = msg.heartbeat;
        if (!hb) return;
        conn.call.write({ heartbeatAck: { serverTimeMs: String(Date.now()) } });
        await updateNode(conn.nodeId, {
          lastSeenAt: now,
          connected: true,
          connectedTo: deps.replicaId,
          spoolDepth: Math.min(toSafeUint(hb.spoolDepth || 0), 2_147_483_647),
          auditLagMs: Math.min(toSafeUint(hb.auditLagMs || 0), 2_147_483_647),
          lastApplyMs: hb.lastApplyMs || null,
        });
        return;
      }
      default:
        return;
    }
  }

  const handlers: ConfigServiceHandlers = {
    Stream: (call: Call) => {
      let conn: Connection | undefined;
      const queue: DpMessage__Output[] = [];
      let draining = false;
      // Messages are handled strictly in order, one at a time, so an ACK is never processed before its HELLO.
      const drain = async () => {
        if (draining || !conn) return;
        draining = true;
        try {
          while (queue.length > 0) await onMessage(conn, queue.shift() as DpMessage__Output);
        } catch (err) {
          deps.log("warn", "config stream error", { nodeId: conn.nodeId, err: String(err) });
          call.emit("error", toServiceError(err));
        } finally {
          draining = false;
        }
      };
      call.on("data", (msg: DpMessage__Output) => {
        queue.push(msg);
        void drain();
      });
      const finish = () => {
        if (!conn) return;
        const c = conn;
        connections.delete(c);
        if (![...connections].some((o) => o.nodeId === c.nodeId)) {
          updateNode(c.nodeId, { connected: false, lastSeenAt: new Date() }).catch(() => {});
        }
      };
      call.on("end", () => {
        finish();
        call.end();
      });
      call.on("error", finish);
      call.on("close", finish);
      authenticateNode(deps.db, call.metadata).then(
        (node) => {
          conn = {
            nodeId: node.id,
            groupId: node.groupId,
            call,
            hello: false,
            servingVersion: 0,
            servingSha256: "",
            inFlight: undefined,
            nacked: new Set(),
          };
          connections.add(conn);
          void drain();
        },
        (err) => call.emit("error", toServiceError(err)),
      );
    },
  };

  return {
    handlers,
    async offerGroup(groupId) {
      for (const conn of connections) {
        if (conn.groupId === groupId)
          await offer(conn).catch((err) => deps.log("warn", "offer failed", { err: String(err) }));
      }
    },
    revoke(nodeId, reason) {
      for (const conn of [...connections]) {
        if (conn.nodeId !== nodeId) continue;
        conn.call.write({ revoked: { reason } });
        conn.call.end();
        connections.delete(conn);
      }
    },
    connectedNodes: () => [...connections].map((c) => c.nodeId),
    close() {
      for (const conn of connections) conn.call.end();
      connections.clear();
    },
  };
}
