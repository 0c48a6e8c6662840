// Agent identity from a TLS client certificate (mTLS, modelled on RFC 8705), shared by both planes: the identities
// an agent may register (`mtlsSubjects`: SAN URIs such as SPIFFE IDs, or SAN DNS names), the identities a verified
// peer certificate carries, and its SHA-256 thumbprint (`x5t#S256`, the value a certificate-bound token's `cnf`
// names). Only sockets whose certificate chain the TLS layer verified (`authorized`) yield an identity.
import { createHash, X509Certificate } from "node:crypto";
import type { TLSSocket } from "node:tls";

/** Registered identities per agent, at most. */
export const MAX_MTLS_SUBJECTS = 20;
const MAX_SUBJECT_LENGTH = 2048;
const DNS_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
const URI_SCHEME = /^[a-z][a-z0-9+.-]*:\/\/\S+$/;

/**
 * Why `subject` cannot be registered as a certificate identity, or undefined when it can. An entry with a scheme
 * (`spiffe://trust-domain/path`, `https://…`) is a SAN URI, compared exactly; anything else is a SAN DNS name
 * (lowercase, no wildcards), compared case-insensitively.
 */
export function mtlsSubjectProblem(subject: string): string | undefined {
  if (subject.length === 0 || subject.length > MAX_SUBJECT_LENGTH) return "expected 1–2048 characters";
  if (subject.includes("://")) {
    if (!URI_SCHEME.test(subject)) return "expected a URI such as spiffe://example.org/agent/name";
    if (subject.startsWith("spiffe://")) {
      const rest = subject.slice("spiffe://".length);
      const slash = rest.indexOf("/");
      if (slash <= 0 || rest.endsWith("/") || /[?#]/.test(rest)) {
        return "expected a SPIFFE ID: spiffe://<trust domain>/<path>, without query or fragment";
      }
    }
    return undefined;
  }
  if (!DNS_NAME.test(subject)) return "expected a SAN URI (scheme://…) or a lowercase DNS name without wildcards";
  return undefined;
}

/** The identity a verified client certificate proves. */
export interface ClientCertificateIdentity {
  /** Base64url SHA-256 of the certificate's DER: RFC 8705's `x5t#S256`. */
  thumbprint: string;
  /** SAN URIs, exactly as written (SPIFFE IDs among them). */
  uris: readonly string[];
  /** SAN DNS names, lowercased. */
  dnsNames: readonly string[];
}

/** RFC 8705 §3.1: base64url(SHA-256(DER)). */
export function certificateThumbprint(der: Buffer): string {
  return createHash("sha256").update(der).digest("base64url");
}

/**
 * The SAN URI and DNS entries of Node's `subjectAltName` text (`URI:spiffe://…, DNS:a.example`); entries with
 * characters that need escaping are quoted JSON strings there, and are decoded.
 */
export function parseSubjectAltName(text: string | undefined): { uris: string[]; dnsNames: string[] } {
  const out = { uris: [] as string[], dnsNames: [] as string[] };
  if (!text) return out;
  const entry = /(URI|DNS|IP Address|email|DirName|othername|Registered ID):("(?:[^"\\]|\\.)*"|[^,]*)(?:, |$)/g;
  for (let m = entry.exec(text); m; m = entry.exec(text)) {
    const [, kind, raw = ""] = m;
    let value = raw;
    if (raw.startsWith('"')) {
      try {
        value = JSON.parse(raw) as string;
      } catch {
        continue;
      }
    }
    if (kind === "URI" && value.length > 0) out.uris.push(value);
    if (kind === "DNS" && value.length > 0) out.dnsNames.push(value.toLowerCase());
    if (m[0].length === 0) break;
  }
  return out;
}

/** The identity of a DER-encoded certificate. */
export function certificateIdentity(der: Buffer): ClientCertificateIdentity {
  const { uris, dnsNames } = parseSubjectAltName(new X509Certificate(der).subjectAltName);
  return Object.freeze({
    thumbprint: certificateThumbprint(der),
    uris: Object.freeze(uris),
    dnsNames: Object.freeze(dnsNames),
  });
}

const bySocket = new WeakMap<TLSSocket, ClientCertificateIdentity | null>();

/**
 * The verified client certificate of a connection, computed once per socket: undefined for a plain (non-TLS)
 * socket, a TLS socket whose peer sent no certificate, or one the TLS layer did not verify.
 */
export function peerCertificateIdentity(socket: unknown): ClientCertificateIdentity | undefined {
  const tls = socket as Partial<TLSSocket> | null;
  if (tls?.encrypted !== true || typeof tls.getPeerCertificate !== "function") return undefined;
  const known = bySocket.get(tls as TLSSocket);
  if (known !== undefined) return known ?? undefined;
  let identity: ClientCertificateIdentity | null = null;
  if (tls.authorized === true) {
    const peer = tls.getPeerCertificate();
    if (peer?.raw && peer.raw.length > 0) identity = certificateIdentity(peer.raw);
  }
  bySocket.set(tls as TLSSocket, identity);
  return identity ?? undefined;
}

/** Whether an agent's registered identities (`mtlsSubjects`) include one the certificate proves. */
export function certificateMatches(registered: readonly string[], certificate: ClientCertificateIdentity): boolean {
  for (const subject of registered) {
    if (
      subject.includes("://")
        ? certificate.uris.includes(subject)
        : certificate.dnsNames.includes(subject.toLowerCase())
    ) {
      return true;
    }
  }
  return false;
}

/** The certificate's identities for a message: its first SAN URI or DNS name. */
export function describeCertificate(certificate: ClientCertificateIdentity): string {
  const first = certificate.uris[0] ?? certificate.dnsNames[0];
  return first ? `the client certificate (${first.slice(0, 200)})` : "the client certificate (no SAN URI or DNS name)";
}
