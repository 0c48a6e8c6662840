import { execFileSync } from "node:child_process";
import { createHash, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  certificateIdentity,
  certificateMatches,
  mtlsSubjectProblem,
  parseSubjectAltName,
  peerCertificateIdentity,
} from "./client-cert.ts";

describe("client-certificate identities", () => {
  it("accepts SAN URIs (SPIFFE IDs) and lowercase DNS names as registered identities, nothing vaguer", () => {
    for (const ok of [
      "spiffe://example.org/agent/a",
      "https://agents.example.org/a",
      "agent-a.example.org",
      "localhost",
    ]) {
      expect(mtlsSubjectProblem(ok)).toBeUndefined();
    }
    for (const bad of [
      "",
      "*.example.org",
      "Agent.Example.org",
      "spiffe://example.org",
      "spiffe://example.org/",
      "spiffe://example.org/a?x=1",
      "spiffe:// example.org/a",
      "agent a",
      "x".repeat(2049),
    ]) {
      expect(mtlsSubjectProblem(bad), bad).toBeTypeOf("string");
    }
  });

  it("reads SAN URIs and DNS names from Node's subjectAltName text, quoted entries included", () => {
    expect(
      parseSubjectAltName(
        'DNS:Agent.Example.org, URI:spiffe://example.org/agent/a, IP Address:127.0.0.1, URI:"https://x.example/a,b", email:a@b.c',
      ),
    ).toEqual({ uris: ["spiffe://example.org/agent/a", "https://x.example/a,b"], dnsNames: ["agent.example.org"] });
    expect(parseSubjectAltName(undefined)).toEqual({ uris: [], dnsNames: [] });
  });

  it("matches URIs exactly and DNS names case-insensitively, never one kind for the other", () => {
    const cert = { thumbprint: "t", uris: ["spiffe://example.org/agent/a"], dnsNames: ["agent.example.org"] };
    expect(certificateMatches(["spiffe://example.org/agent/a"], cert)).toBe(true);
    expect(certificateMatches(["agent.example.org"], cert)).toBe(true);
    expect(certificateMatches(["spiffe://example.org/agent/b", "other.example.org"], cert)).toBe(false);
    expect(certificateMatches([], cert)).toBe(false);
  });

  it("identifies an openssl-made certificate by its SANs and its SHA-256 thumbprint (x5t#S256)", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "pc-client-cert-"));
    try {
      execFileSync(
        "openssl",
        [
          "req",
          "-x509",
          "-newkey",
          "ec",
          "-pkeyopt",
          "ec_paramgen_curve:P-256",
          "-nodes",
          "-days",
          "1",
          "-subj",
          "/CN=a",
          "-addext",
          "subjectAltName=URI:spiffe://example.org/agent/a,DNS:A.example.org",
          "-keyout",
          path.join(dir, "key.pem"),
          "-out",
          path.join(dir, "cert.pem"),
        ],
        { stdio: "pipe" },
      );
      const der = new X509Certificate(readFileSync(path.join(dir, "cert.pem"))).raw;
      expect(certificateIdentity(der)).toEqual({
        thumbprint: createHash("sha256").update(der).digest("base64url"),
        uris: ["spiffe://example.org/agent/a"],
        dnsNames: ["a.example.org"],
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("only a TLS socket whose peer certificate was verified yields an identity", () => {
    expect(peerCertificateIdentity(undefined)).toBeUndefined();
    expect(peerCertificateIdentity({ encrypted: undefined })).toBeUndefined();
    const unverified = { encrypted: true, authorized: false, getPeerCertificate: () => ({ raw: Buffer.from("x") }) };
    expect(peerCertificateIdentity(unverified)).toBeUndefined();
    const noCert = { encrypted: true, authorized: true, getPeerCertificate: () => ({}) };
    expect(peerCertificateIdentity(noCert)).toBeUndefined();
  });
});
