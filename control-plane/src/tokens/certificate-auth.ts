// mTLS client authentication at the token endpoint (RFC 8705 §2.1 `tls_client_auth`, adapted): on the control
// plane's mTLS token listener the client certificate, verified by the TLS layer against
// PORTCULLIS_CP_TOKEN_TLS_CLIENT_CA, names the agent through its registered `mtlsSubjects` (SAN URIs such as SPIFFE
// IDs, or DNS names). Every token issued over that listener is bound to the certificate (`cnf.x5t#S256`, §3), so
// only a connection presenting the same certificate may use it at a node. Fail closed: a certificate that names
// no agent, several agents, a disabled agent, or another agent than the request's other credentials is refused.
import { type ClientCertificateIdentity, certificateMatches, describeCertificate } from "@portcullis/proto";
import { sql } from "drizzle-orm";
import { agents } from "../db/schema.ts";
import type { Deps } from "../services/context.ts";
import type { VerifiedActor } from "./actor-token.ts";
import { OAuthError } from "./oauth-error.ts";

/** The `cnf` claim binding a token to `certificate` (RFC 8705 §3.1). */
export function certificateConfirmation(certificate: ClientCertificateIdentity): { cnf: { "x5t#S256": string } } {
  return { cnf: { "x5t#S256": certificate.thumbprint } };
}

/** The one enabled agent the certificate identifies; OAuthError `invalid_client` otherwise. */
export async function certificateActor(
  deps: Pick<Deps, "db">,
  certificate: ClientCertificateIdentity,
  formClientId: string | undefined,
): Promise<VerifiedActor> {
  const identities = [...certificate.uris, ...certificate.dnsNames];
  const who = describeCertificate(certificate);
  if (identities.length === 0) throw new OAuthError("invalid_client", `${who} identifies no agent`);
  const rows = await deps.db
    .select()
    .from(agents)
    .where(
      sql`${agents.mtlsSubjects} ?| array[${sql.join(
        identities.map((s) => sql`${s}`),
        sql`, `,
      )}]::text[]`,
    );
  const matching = rows.filter((row) => certificateMatches(row.mtlsSubjects, certificate));
  if (matching.length === 0) throw new OAuthError("invalid_client", `${who} identifies no agent`);
  if (matching.length > 1) throw new OAuthError("invalid_client", `${who} identifies more than one agent`);
  const agent = matching[0] as (typeof matching)[number];
  if (agent.disabled) throw new OAuthError("invalid_client", `${who} identifies a disabled agent`);
  if (formClientId !== undefined && formClientId !== agent.id) {
    throw new OAuthError("invalid_client", `client_id is not the agent ${who} identifies`);
  }
  // Certificate-authenticated tokens name the agent itself as their client.
  return { agent, credential: { clientId: agent.id } };
}
