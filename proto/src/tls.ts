// TLS for the gRPC link between the planes. Node RPCs are authenticated by node-signed tokens whatever the transport;
// TLS adds confidentiality (snapshots carry upstream credentials) and server authentication, and with a client CA
// the control plane also requires each node to present a certificate (mTLS).
import { readFileSync } from "node:fs";
import * as grpc from "@grpc/grpc-js";

/** Reads a PEM file; throws a message fit for a configuration error when it is missing or not PEM. */
export function readPemFile(file: string): Buffer {
  let pem: Buffer;
  try {
    pem = readFileSync(file);
  } catch (error) {
    throw new Error(`cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? "error"})`);
  }
  if (!pem.includes("-----BEGIN ")) throw new Error(`${file} is not a PEM file`);
  return pem;
}

/** readPemFile for a configuration schema: undefined after reporting the problem through `ctx` (zod's refinement context). */
export function readPemSetting(
  file: string,
  ctx: { addIssue(issue: { code: "custom"; message: string }): void },
): Buffer | undefined {
  try {
    return readPemFile(file);
  } catch (error) {
    ctx.addIssue({ code: "custom", message: (error as Error).message });
    return undefined;
  }
}

export interface ServerTls {
  /** Certificate chain (PEM) and its private key (PEM). */
  cert: Buffer;
  key: Buffer;
  /** When set, clients must present a certificate issued by this CA (PEM). */
  clientCa?: Buffer | undefined;
}

export function grpcServerCredentials(tls: ServerTls | undefined): grpc.ServerCredentials {
  if (!tls) return grpc.ServerCredentials.createInsecure();
  return grpc.ServerCredentials.createSsl(
    tls.clientCa ?? null,
    [{ cert_chain: tls.cert, private_key: tls.key }],
    tls.clientCa !== undefined,
  );
}

export interface ChannelTls {
  /** CA certificates to trust (PEM); undefined: the system's roots. */
  ca?: Buffer | undefined;
  /** The node's own certificate and key, for control planes that require mTLS. */
  cert?: Buffer | undefined;
  key?: Buffer | undefined;
}

export function grpcChannelCredentials(tls: ChannelTls | undefined): grpc.ChannelCredentials {
  if (!tls) return grpc.credentials.createInsecure();
  return grpc.credentials.createSsl(tls.ca ?? null, tls.key ?? null, tls.cert ?? null);
}
