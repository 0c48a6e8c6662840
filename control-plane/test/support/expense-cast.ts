// The expense-report scenario's cast, registered through the REST API: the company's identity provider as a
// trusted issuer, Alice as operator, the expense agent with a client credential, an HTTP upstream with the
// given tools, and the scenario's policies. Shared by the tests that drive real calls through a node.
import { expenseReportPolicies } from "@portcullis/policy/scenarios/expense-report";
import type { LocalIssuer } from "../local-issuer.ts";

// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON bodies
export type Api = (method: string, path: string, body?: unknown) => Promise<Record<string, any>>;

export interface ExpenseTool {
  name: string;
  path: string;
  sensitive?: boolean;
}

export async function registerExpenseCast(
  api: Api,
  options: { issuer: LocalIssuer; upstream: { name: string; url: string }; tools: ExpenseTool[] },
) {
  await api("POST", "/api/v1/trusted-issuers", {
    name: "company-idp",
    issuer: options.issuer.issuer,
    staticJwks: options.issuer.jwks(),
  });
  await api("POST", "/api/v1/operators", {
    subject: "alice@company.com",
    email: "alice@company.com",
    department: "engineering",
    manager: "bob@company.com",
    costCenter: "eng-team-001",
    attributes: { delegation_limit: 500 },
  });
  const agent = await api("POST", "/api/v1/agents", {
    name: "expense-report-v1",
    owner: "finance-platform",
    trust: "first_party",
  });
  const credential = await api("POST", `/api/v1/agents/${agent.id}/credentials`, {});
  const upstream = await api("POST", "/api/v1/upstreams", { ...options.upstream, kind: "http" });
  for (const tool of options.tools) {
    await api("POST", "/api/v1/tools", {
      upstreamId: upstream.id,
      name: tool.name,
      http: { method: "POST", path: tool.path },
      ...(tool.sensitive ? { sensitive: true } : {}),
    });
  }
  for (const { id: _id, ...policy } of expenseReportPolicies) await api("POST", "/api/v1/policies", policy);
  return { agent, credential, upstream };
}

/** RFC 8693 token exchange at the control plane: the operator's IdP token for a session token of the agent. */
export async function exchangeForSession(
  cpUrl: string,
  issuer: LocalIssuer,
  /** The agent's client credential, as the API returned it. */
  credential: Awaited<ReturnType<Api>>,
  operator = "alice@company.com",
): Promise<string> {
  const form = new URLSearchParams({
    grant_type: "urn:ietf:params:oauth:grant-type:token-exchange",
    subject_token: await issuer.token(operator, { email: operator }),
    subject_token_type: "urn:ietf:params:oauth:token-type:jwt",
    client_id: String(credential.clientId),
    client_secret: String(credential.clientSecret),
  });
  const res = await fetch(`${cpUrl}/oauth/token`, { method: "POST", body: form });
  const body = (await res.json()) as { access_token: string };
  if (res.status !== 200) throw new Error(`token exchange: ${res.status} ${JSON.stringify(body)}`);
  return body.access_token;
}
