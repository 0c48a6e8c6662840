import type { ClientCertificateIdentity, SnapshotAgent } from "@portcullis/proto";
import { describe, expect, it } from "vitest";
import { certificateAgentProblem, certificateBindingProblem } from "./client-certificate.ts";
import type { VerifiedToken } from "./verify-token.ts";

const certificate: ClientCertificateIdentity = {
  thumbprint: Buffer.alloc(32, 1).toString("base64url"),
  uris: ["spiffe://example.org/agent/a"],
  dnsNames: ["agent-a.example.org"],
};
const token = (certificateThumbprint?: string): VerifiedToken => ({
  subject: "alice",
  operator: {},
  issuedAt: 0,
  expiresAt: 1,
  ...(certificateThumbprint ? { certificateThumbprint } : {}),
});
const agent = (mtlsSubjects?: string[]): SnapshotAgent => ({
  id: "a",
  name: "agent-a",
  owner: "team",
  trust: "first_party",
  labels: {},
  allowedDelegates: [],
  ...(mtlsSubjects ? { mtlsSubjects } : {}),
  disabled: false,
});

describe("client certificates at the node (J12)", () => {
  it("J12: a bound token needs a connection with its certificate; an unbound one needs none", () => {
    expect(certificateBindingProblem(token(), undefined)).toBeUndefined();
    expect(certificateBindingProblem(token(), certificate)).toBeUndefined();
    expect(certificateBindingProblem(token(certificate.thumbprint), certificate)).toBeUndefined();
    expect(certificateBindingProblem(token(certificate.thumbprint), undefined)).toBe(
      "the token is bound to a client certificate: call over the gateway's mTLS listener with that certificate",
    );
    expect(certificateBindingProblem(token(Buffer.alloc(32, 2).toString("base64url")), certificate)).toBe(
      "the token is bound to a different client certificate",
    );
  });

  it("J12: the certificate must carry one of the agent's SAN URIs or DNS names", () => {
    expect(certificateAgentProblem(agent(["spiffe://example.org/agent/a"]), certificate)).toBeUndefined();
    expect(certificateAgentProblem(agent(["Agent-A.example.org"]), certificate)).toBeUndefined();
    // A URI is compared exactly; a DNS name never matches a URI and the reverse.
    expect(certificateAgentProblem(agent(["spiffe://example.org/agent/A"]), certificate)).toBe(
      "the client certificate (spiffe://example.org/agent/a) is not one of agent agent-a's certificate identities",
    );
    expect(certificateAgentProblem(agent(["example.org"]), certificate)).toMatch(/is not one of/);
    expect(certificateAgentProblem(agent([]), certificate)).toBe(
      "agent agent-a has no certificate identities (mtlsSubjects), so no client certificate identifies it",
    );
    expect(certificateAgentProblem(agent(), certificate)).toMatch(/has no certificate identities/);
  });
});
