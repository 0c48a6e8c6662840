// Node identity: enrolls once with a bootstrap token (the node makes its own two Ed25519 key pairs; the control
// plane only ever sees the public halves) and keeps the result in <dataDir>/node.json (0600). Later starts load
// that file and never enroll again; every later RPC carries a short-lived token signed with the node's key.
import { readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as grpc from "@grpc/grpc-js";
import {
  createEnrollmentClient,
  DATA_PLANE_CHANNEL_OPTIONS,
  type EnrollResponse__Output,
  exportPrivateKeyPem,
  generateSigningKeyPair,
  importPrivateKeyPem,
  type SigningKeyPair,
  signNodeToken,
  type TrustedKeys,
  trustedKeysFromJwks,
} from "@portcullis/proto";
import { type BackoffOptions, createBackoff, sleep } from "../config/backoff.ts";
import { ensurePrivateDirectory, writeFileDurably } from "../lib/durable-file.ts";
import type { Logger } from "../log.ts";
import { DP_VERSION } from "../version.ts";

export const NODE_FILE = "node.json";

/** What <dataDir>/node.json holds. Private keys are PKCS#8 PEM; the file is readable only by the node's user. */
export interface NodeIdentityFile {
  v: 1;
  nodeId: string;
  groupId: string;
  cpAddress: string;
  /** The control plane's public keys as JWK Set JSON text, exactly as EnrollResponse gave them. */
  cpPublicJwks: string;
  issuer: string;
  audience: string;
  signing: { kid: string; pem: string };
  assertion: { kid: string; pem: string };
  enrolledAt: string;
}

/** A loaded identity, with keys ready to use. */
export interface NodeIdentity {
  readonly nodeId: string;
  readonly groupId: string;
  /** The control-plane address the node enrolled with. */
  readonly cpAddress: string;
  /** Verifies snapshots and ingest receipts. */
  readonly cpKeys: TrustedKeys;
  /** The `iss` of downstream assertions. */
  readonly issuer: string;
  readonly audience: string;
  /** Signs node tokens and audit batches. */
  readonly signing: SigningKeyPair;
  /** Signs downstream assertions. */
  readonly assertion: SigningKeyPair;
}

export class EnrollmentError extends Error {
  override readonly name = "EnrollmentError";
}

export interface LoadOrEnrollOptions {
  dataDir: string;
  cpAddress: string;
  /** Needed only on the first start. */
  bootstrapToken?: string | undefined;
  nodeName?: string;
  labels?: Record<string, string>;
  logger: Logger;
  channelCredentials?: grpc.ChannelCredentials;
  channelOptions?: grpc.ChannelOptions;
  /** Retries while the control plane is unreachable; a refused token is final. */
  backoff?: BackoffOptions;
  signal?: AbortSignal;
}

/** Loads <dataDir>/node.json, or enrolls with the bootstrap token and writes it. */
export async function loadOrEnrollNode(options: LoadOrEnrollOptions): Promise<NodeIdentity> {
  const existing = await loadNodeIdentity(options.dataDir);
  if (existing) {
    if (options.bootstrapToken) {
      options.logger.info({ nodeId: existing.nodeId }, "node already enrolled; the bootstrap token is not used");
    }
    if (existing.cpAddress !== options.cpAddress) {
      options.logger.warn(
        { enrolledWith: existing.cpAddress, using: options.cpAddress },
        "control-plane address differs from the one the node enrolled with; using the configured one",
      );
    }
    return existing;
  }
  if (!options.bootstrapToken) {
    throw new EnrollmentError(
      `this node is not enrolled (no ${path.join(options.dataDir, NODE_FILE)}): set PORTCULLIS_BOOTSTRAP_TOKEN to a bootstrap token from the console`,
    );
  }
  return enrollNode({ ...options, bootstrapToken: options.bootstrapToken });
}

/** Reads and checks <dataDir>/node.json; undefined when it does not exist. Throws when it is unreadable. */
export async function loadNodeIdentity(dataDir: string): Promise<NodeIdentity | undefined> {
  const file = path.join(dataDir, NODE_FILE);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  try {
    return identityFromFile(JSON.parse(text) as NodeIdentityFile);
  } catch (error) {
    // Never re-enroll silently over a damaged identity: that would make a second node with a new id.
    throw new EnrollmentError(
      `${file} is unreadable (${(error as Error).message}); move it away to enroll this node again`,
    );
  }
}

async function enrollNode(options: LoadOrEnrollOptions & { bootstrapToken: string }): Promise<NodeIdentity> {
  const signing = generateSigningKeyPair();
  const assertion = generateSigningKeyPair();
  const client = createEnrollmentClient(
    options.cpAddress,
    options.channelCredentials ?? grpc.credentials.createInsecure(),
    options.channelOptions ?? DATA_PLANE_CHANNEL_OPTIONS,
  );
  const backoff = createBackoff(options.backoff ?? { baseMs: 500, capMs: 30_000 });
  let response: EnrollResponse__Output;
  try {
    for (;;) {
      try {
        response = await new Promise<EnrollResponse__Output>((resolve, reject) => {
          client.Enroll(
            {
              bootstrapToken: options.bootstrapToken,
              nodeName: options.nodeName ?? os.hostname(),
              dpVersion: DP_VERSION,
              signingPublicJwk: JSON.stringify(signing.publicJwk),
              assertionPublicJwk: JSON.stringify(assertion.publicJwk),
              labels: options.labels ?? {},
            },
            { deadline: Date.now() + 15_000 },
            (error, value) => (error || !value ? reject(error ?? new Error("empty response")) : resolve(value)),
          );
        });
        break;
      } catch (error) {
        const code = (error as grpc.ServiceError).code;
        if (code !== grpc.status.UNAVAILABLE && code !== grpc.status.DEADLINE_EXCEEDED) {
          throw new EnrollmentError(`enrollment refused: ${(error as grpc.ServiceError).details ?? String(error)}`);
        }
        const delay = backoff.next();
        options.logger.warn(
          { cpAddress: options.cpAddress, retryInMs: delay },
          "control plane unreachable; enrollment will retry",
        );
        await sleep(delay, options.signal);
      }
    }
  } finally {
    client.close();
  }
  const file: NodeIdentityFile = {
    v: 1,
    nodeId: response.nodeId,
    groupId: response.groupId,
    cpAddress: options.cpAddress,
    cpPublicJwks: response.cpPublicJwks,
    issuer: response.issuer,
    audience: response.audience,
    signing: { kid: signing.kid, pem: exportPrivateKeyPem(signing.privateKey) },
    assertion: { kid: assertion.kid, pem: exportPrivateKeyPem(assertion.privateKey) },
    enrolledAt: new Date().toISOString(),
  };
  // Check the answer before persisting it, so a bad response never becomes a stored identity.
  const identity = identityFromFile(file);
  await ensurePrivateDirectory(options.dataDir);
  await writeFileDurably(path.join(options.dataDir, NODE_FILE), `${JSON.stringify(file, null, 2)}\n`, 0o600);
  options.logger.info({ nodeId: identity.nodeId, groupId: identity.groupId }, "node enrolled");
  return identity;
}

function identityFromFile(file: NodeIdentityFile): NodeIdentity {
  if (file?.v !== 1) throw new Error("unknown format version");
  for (const key of ["nodeId", "groupId", "cpAddress", "cpPublicJwks"] as const) {
    if (typeof file[key] !== "string" || file[key] === "") throw new Error(`${key} is missing`);
  }
  const signing = importPrivateKeyPem(file.signing?.pem);
  const assertion = importPrivateKeyPem(file.assertion?.pem);
  if (signing.kid !== file.signing.kid || assertion.kid !== file.assertion.kid) {
    throw new Error("a key's kid does not match its key");
  }
  const cpKeys = trustedKeysFromJwks(file.cpPublicJwks);
  if (cpKeys.size === 0) throw new Error("no control-plane keys");
  return Object.freeze({
    nodeId: file.nodeId,
    groupId: file.groupId,
    cpAddress: file.cpAddress,
    cpKeys,
    issuer: file.issuer ?? "",
    audience: file.audience ?? "",
    signing,
    assertion,
  });
}

/** A source of per-call metadata carrying `authorization: Bearer <node token>`. */
export type NodeCredentials = () => grpc.Metadata;

/**
 * Per-RPC credentials: a node token signed with the node's signing key, cached and reused until ~30 s before
 * it expires, so a burst of calls signs once.
 */
export function nodeCredentials(
  identity: Pick<NodeIdentity, "nodeId" | "signing">,
  options: { lifetimeSeconds?: number; refreshBeforeSeconds?: number; now?: () => number } = {},
): NodeCredentials {
  const lifetime = options.lifetimeSeconds ?? 120;
  const refreshBefore = options.refreshBeforeSeconds ?? 30;
  const now = options.now ?? Date.now;
  let cached: { token: string; refreshAtMs: number } | undefined;
  return () => {
    const nowMs = now();
    if (!cached || nowMs >= cached.refreshAtMs) {
      const token = signNodeToken({
        nodeId: identity.nodeId,
        signingKey: identity.signing.privateKey,
        kid: identity.signing.kid,
        lifetimeSeconds: lifetime,
        now: new Date(nowMs),
      });
      cached = { token, refreshAtMs: nowMs + Math.max(lifetime - refreshBefore, 1) * 1000 };
    }
    const metadata = new grpc.Metadata();
    metadata.set("authorization", `Bearer ${cached.token}`);
    return metadata;
  };
}
