// The expense-report demo (shared/scenarios/expense-report.md), seeded into the control plane on the first
// `npm start`: a local identity provider the demo signs operator tokens with, the operators, bob as a security
// console user (alice's manager, who approves her large expenses), the agents and their credentials, the demo
// tool servers as upstreams with their pinned tools, and the scenario's policies in CEL. Everything a client
// needs is written to <data dir>/demo/credentials.json (secrets, mode 0600) and servers.json (what the demo's
// tool servers need: listen address, issuer, JWKS URL, their upstream ids).
//
// Idempotent: every entity is looked up by its unique name first, so running it again creates only what is
// missing. `PORTCULLIS_DEMO`: 0 never seeds; 1 (the default of `portcullis start`) seeds a new database only;
// force seeds whatever is missing now. A non-local DATABASE_URL is never seeded unless PORTCULLIS_DEMO=force.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { DemoCredentials, DemoServersConfig } from "@portcullis/examples/expense-report";
import {
  type DemoServerName,
  demoServerNames,
  demoServerPath,
  demoTools,
  people,
} from "@portcullis/examples/expense-report/catalog";
import { expenseReportPolicies } from "@portcullis/policy/scenarios/expense-report";
import { and, count, eq } from "drizzle-orm";
import { exportJWK, generateKeyPair } from "jose";
import { agents, consoleUsers, operators, policies, tools, trustedIssuers, upstreams } from "../db/schema.ts";
import { createAgent, createAgentCredential } from "../services/agents.ts";
import type { Deps, ServiceContext } from "../services/context.ts";
import { createOperator } from "../services/operators.ts";
import { createPolicy } from "../services/policies.ts";
import { createTool } from "../services/tools.ts";
import { createTrustedIssuer, updateTrustedIssuer } from "../services/trusted-issuers.ts";
import { createUpstream } from "../services/upstreams.ts";
import { createUser } from "../services/users.ts";

export type DemoMode = "0" | "1" | "force";

/** The demo identity provider's issuer: tokens it signs name it in `iss` (it serves nothing; keys are static). */
export const DEMO_ISSUER = "https://idp.demo.portcullis.local";
export const DEMO_ISSUER_NAME = "demo-idp";
export const DEMO_TOOLS_HTTP_DEFAULT = "127.0.0.1:7090";
export const DEMO_APPROVER = "bob@company.com";

export interface DemoSeedResult {
  /** What happened: seeded now, already there, or not seeded (and why). */
  status: "seeded" | "present" | "skipped";
  reason?: string;
  /** Created in this run (entity kind: names). */
  created: Record<string, string[]>;
  servers?: DemoServersConfig;
  credentialsFile?: string;
  credentials?: DemoCredentials;
}

/** True for no DATABASE_URL (embedded PGlite) or one whose host is this machine. */
export function isLocalDatabase(databaseUrl: string | undefined): boolean {
  if (!databaseUrl) return true;
  try {
    const host = new URL(databaseUrl).hostname.replace(/^\[|\]$/g, "");
    return host === "" || host === "localhost" || host === "::1" || /^127\./.test(host);
  } catch {
    return false;
  }
}

export function demoDir(dataDir: string): string {
  return path.resolve(dataDir, "demo");
}

function readJson<T>(file: string): T | undefined {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as T;
  } catch {
    return undefined;
  }
}

export interface SeedOptions {
  deps: Deps;
  mode: DemoMode;
  databaseUrl: string | undefined;
  dataDir: string;
  /** The control plane's URL (issuer of tokens and assertions). */
  controlPlaneUrl: string;
  /** HOST:PORT of the data-plane node, for the credentials file. */
  gatewayAddress: string;
  /** HOST:PORT the demo tool servers listen on. */
  toolsAddress: string;
}

export async function seedDemo(options: SeedOptions): Promise<DemoSeedResult> {
  const { deps, mode } = options;
  const created: Record<string, string[]> = {};
  if (mode === "0") return { status: "skipped", reason: "PORTCULLIS_DEMO=0", created };
  if (mode !== "force" && !isLocalDatabase(options.databaseUrl)) {
    return {
      status: "skipped",
      reason: "DATABASE_URL is not on this machine (set PORTCULLIS_DEMO=force to seed it anyway)",
      created,
    };
  }
  const db = deps.db;
  const [agentCount] = await db.select({ n: count() }).from(agents);
  const [policyCount] = await db.select({ n: count() }).from(policies);
  const isNew = (agentCount?.n ?? 0) === 0 && (policyCount?.n ?? 0) === 0;
  const dir = demoDir(options.dataDir);
  const credentialsFile = path.join(dir, "credentials.json");
  const ctx: ServiceContext = {
    ...deps,
    actor: { type: "system", id: "demo-seed", name: "demo seed", role: "admin" },
    requestId: "demo-seed",
  };
  const note = (kind: string, name: string) => {
    created[kind] ??= [];
    created[kind].push(name);
  };

  if (!isNew && mode !== "force") {
    // Seeded before (or someone else's database): use the demo if it is there, never add to it.
    const servers = await serversConfig(ctx, options);
    if (!servers) return { status: "skipped", reason: "the database is not new and has no demo in it", created };
    const credentials = readJson<DemoCredentials>(credentialsFile);
    return {
      status: "present",
      created,
      servers,
      ...(credentials ? { credentials, credentialsFile } : {}),
    };
  }

  const previous = readJson<DemoCredentials>(credentialsFile);

  // The identity provider: a fresh key unless the credentials file still has the one the issuer trusts.
  let privateJwk = previous?.identityProvider.privateJwk;
  const [issuerRow] = await db.select().from(trustedIssuers).where(eq(trustedIssuers.name, DEMO_ISSUER_NAME));
  const publishedKid = (issuerRow?.staticJwks as { keys?: { kid?: unknown }[] } | null)?.keys?.[0]?.kid;
  if (!privateJwk || !issuerRow || publishedKid !== privateJwk.kid) {
    const { privateKey, publicKey } = await generateKeyPair("ES256", { extractable: true });
    const kid = `demo-${randomBytes(6).toString("hex")}`;
    privateJwk = { ...(await exportJWK(privateKey)), kid, alg: "ES256", use: "sig" };
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: "ES256", use: "sig" };
    if (issuerRow) {
      await updateTrustedIssuer({ ctx, id: issuerRow.id, input: { staticJwks: { keys: [publicJwk] } } });
    } else {
      await createTrustedIssuer({
        ctx,
        input: { name: DEMO_ISSUER_NAME, issuer: DEMO_ISSUER, staticJwks: { keys: [publicJwk] } },
      });
      note("trusted issuers", DEMO_ISSUER_NAME);
    }
  }

  // Operators: the people of the directory.
  for (const person of people) {
    const [row] = await db.select({ id: operators.id }).from(operators).where(eq(operators.subject, person.email));
    if (row) continue;
    await createOperator({
      ctx,
      input: {
        subject: person.email,
        email: person.email,
        displayName: person.name,
        department: person.department,
        manager: person.manager,
        costCenter: person.costCenter,
        groups: [person.department],
        attributes: person.delegationLimit !== undefined ? { delegation_limit: person.delegationLimit } : {},
      },
    });
    note("operators", person.email);
  }

  // Bob in the console: security role, so he reviews policies and approves his team's held calls.
  const consoleLogins = previous?.console.users.filter((u) => u.email === DEMO_APPROVER) ?? [];
  const [bob] = await db
    .select({ id: consoleUsers.id })
    .from(consoleUsers)
    .where(eq(consoleUsers.email, DEMO_APPROVER));
  if (!bob) {
    const password = `demo-${randomBytes(9).toString("base64url")}`;
    await createUser({ ctx, input: { email: DEMO_APPROVER, displayName: "Bob Chen", role: "security", password } });
    consoleLogins.splice(0, consoleLogins.length, {
      email: DEMO_APPROVER,
      password,
      role: "security",
      note: "alice's manager: approves her expense reports above $500",
    });
    note("console users", DEMO_APPROVER);
  }

  // Agents, each with a client secret (kept from the credentials file when the agent is still there).
  const agentCredentials: DemoCredentials["agents"] = {};
  const ensureAgent = async (
    name: string,
    input: { owner: string; trust: "first_party" | "third_party"; description: string; allowedDelegates?: string[] },
  ) => {
    let [row] = await db.select({ id: agents.id }).from(agents).where(eq(agents.name, name));
    if (!row) {
      row = await createAgent({ ctx, input: { name, ...input } });
      note("agents", name);
    }
    const kept = previous?.agents[name];
    if (kept && kept.id === row.id) {
      agentCredentials[name] = kept;
    } else {
      const issued = await createAgentCredential({ ctx, agentId: row.id });
      agentCredentials[name] = {
        id: row.id,
        clientId: issued.credential.clientId,
        clientSecret: issued.clientSecret as string,
      };
      note("agent credentials", name);
    }
    return row.id;
  };
  const helperId = await ensureAgent("ocr-helper-v2", {
    owner: "ocr-vendor",
    trust: "third_party",
    description: "Third-party OCR agent that expense-report-v1 may delegate receipt reading to",
  });
  await ensureAgent("expense-report-v1", {
    owner: "finance-platform",
    trust: "first_party",
    description: "Files expense reports from receipts for the person it works for",
    allowedDelegates: [helperId],
  });

  // The demo tool servers as upstreams, and their tools with the exact definitions the servers list.
  const toolsBase = `http://${options.toolsAddress}`;
  const upstreamIds = new Map<DemoServerName, string>();
  for (const server of demoServerNames) {
    const [row] = await db.select({ id: upstreams.id }).from(upstreams).where(eq(upstreams.name, server));
    if (row) {
      upstreamIds.set(server, row.id);
      continue;
    }
    const up = await createUpstream({
      ctx,
      input: {
        name: server,
        kind: server === "accounting" ? "http" : "mcp",
        url: `${toolsBase}${demoServerPath(server)}`,
        description: `Demo ${server} server (examples/expense-report)`,
        labels: { demo: "expense-report" },
      },
    });
    upstreamIds.set(server, up.id);
    note("upstreams", server);
  }
  for (const t of demoTools) {
    const upstreamId = upstreamIds.get(t.server) as string;
    const [row] = await db
      .select({ id: tools.id })
      .from(tools)
      .where(and(eq(tools.upstreamId, upstreamId), eq(tools.name, t.name)));
    if (row) continue;
    await createTool({
      ctx,
      input: {
        upstreamId,
        name: t.name,
        description: t.description,
        inputSchema: t.inputSchema,
        annotations: t.annotations,
        labels: { demo: "expense-report" },
        ...(t.http ? { http: t.http } : {}),
        sensitive: t.sensitive ?? false,
      },
    });
    note("tools", t.name);
  }

  // The scenario's policies.
  for (const { id: _id, ...policy } of expenseReportPolicies) {
    const [row] = await db.select({ id: policies.id }).from(policies).where(eq(policies.name, policy.name));
    if (row) continue;
    const target = { agents: [...policy.target.agents], tools: [...policy.target.tools] };
    await createPolicy({ ctx, input: { ...policy, target, approvers: policy.approvers ?? "" } });
    note("policies", policy.name);
  }

  const credentials: DemoCredentials = {
    controlPlane: options.controlPlaneUrl,
    gateway: `http://${options.gatewayAddress}`,
    toolServers: toolsBase,
    identityProvider: { issuer: DEMO_ISSUER, privateJwk },
    agents: agentCredentials,
    console: { url: `${options.controlPlaneUrl}/`, users: consoleLogins },
  };
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(credentialsFile, `${JSON.stringify(credentials, null, 2)}\n`, { mode: 0o600 });
  const servers = (await serversConfig(ctx, options)) as DemoServersConfig;
  writeFileSync(path.join(dir, "servers.json"), `${JSON.stringify(servers, null, 2)}\n`);
  return { status: "seeded", created, servers, credentials, credentialsFile };
}

/** What the demo tool servers need, from the upstreams in the database; undefined when one is missing. */
async function serversConfig(ctx: ServiceContext, options: SeedOptions): Promise<DemoServersConfig | undefined> {
  const audiences: Partial<Record<DemoServerName, string>> = {};
  for (const server of demoServerNames) {
    const [row] = await ctx.db.select({ id: upstreams.id }).from(upstreams).where(eq(upstreams.name, server));
    if (!row) return undefined;
    audiences[server] = row.id;
  }
  return {
    listen: options.toolsAddress,
    issuer: options.controlPlaneUrl,
    jwksUrl: `${options.controlPlaneUrl}/.well-known/jwks.json`,
    audiences: audiences as Record<DemoServerName, string>,
  };
}

/** The credentials file of an earlier seed, if any. */
export function readDemoCredentials(dataDir: string): DemoCredentials | undefined {
  const file = path.join(demoDir(dataDir), "credentials.json");
  return existsSync(file) ? readJson<DemoCredentials>(file) : undefined;
}
