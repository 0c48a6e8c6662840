// The two checks a client certificate adds to a call (RFC 8705, adapted; docs/adr/0020-mtls-agent-identity.md):
//  - binding: a token that carries `cnf.x5t#S256` is accepted only over a connection whose verified client
//    certificate has that thumbprint, on any listener (a bound token over the plain listener is refused too);
//  - identity: on the mTLS listener the certificate identifies the agent, so the token's acting agent must list one
//    of the certificate's SAN URIs or DNS names in its `mtlsSubjects` (from the snapshot, never from the token).
import {
  type ClientCertificateIdentity,
  certificateMatches,
  describeCertificate,
  type SnapshotAgent,
} from "@portcullis/proto";
import type { VerifiedToken } from "./verify-token.ts";

/** Why a (possibly certificate-bound) token may not be used over this connection, or undefined when it may. */
export function certificateBindingProblem(
  token: VerifiedToken,
  certificate: ClientCertificateIdentity | undefined,
): string | undefined {
  const bound = token.certificateThumbprint;
  if (bound === undefined) return undefined;
  if (!certificate) {
    return "the token is bound to a client certificate: call over the gateway's mTLS listener with that certificate";
  }
  if (certificate.thumbprint !== bound) return "the token is bound to a different client certificate";
  return undefined;
}

/** Why the certificate does not identify `agent`, or undefined when one of its identities is the agent's. */
export function certificateAgentProblem(
  agent: SnapshotAgent,
  certificate: ClientCertificateIdentity,
): string | undefined {
  const registered = agent.mtlsSubjects ?? [];
  if (registered.length === 0) {
    return `agent ${agent.name} has no certificate identities (mtlsSubjects), so no client certificate identifies it`;
  }
  if (!certificateMatches(registered, certificate)) {
    return `${describeCertificate(certificate)} is not one of agent ${agent.name}'s certificate identities`;
  }
  return undefined;
}
