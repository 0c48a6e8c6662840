// The operator as the session token carries them: attributes read from the subject token through the issuer's
// claim mapping (our name → the issuer's claim, dotted paths for nested claims), and, for whatever the token
// lacks, the operator's directory row (matched by subject, then by email).
import { eq, or } from "drizzle-orm";
import type { JWTPayload } from "jose";
import type { Db } from "../db/client.ts";
import { operators } from "../db/schema.ts";

/** Names a claim mapping may set, and the issuer claim each reads when the mapping does not name one. */
export const MAPPABLE_CLAIMS = {
  email: "email",
  department: "department",
  manager: "manager",
  cost_center: "cost_center",
  groups: "groups",
  delegation_limit: "delegation_limit",
} as const;

export type MappableClaim = keyof typeof MAPPABLE_CLAIMS;

export interface OperatorClaims {
  email?: string;
  department?: string;
  manager?: string;
  cost_center?: string;
  groups?: string[];
  delegation_limit?: number;
}

const MAX_TEXT = 256;
const MAX_GROUPS = 100;

/** A claim by name (URL-like names included), else by dotted path into nested objects (`realm_access.roles`). */
function claimAt(claims: JWTPayload, path: string): unknown {
  if (Object.hasOwn(claims, path)) return claims[path];
  let value: unknown = claims;
  for (const part of path.split(".")) {
    if (!value || typeof value !== "object" || Array.isArray(value)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

const text = (v: unknown) => (typeof v === "string" && v.length > 0 && v.length <= MAX_TEXT ? v : undefined);

function groupsOf(v: unknown): string[] | undefined {
  const list = typeof v === "string" ? [v] : Array.isArray(v) ? v : undefined;
  if (!list) return undefined;
  return list
    .filter((g): g is string => typeof g === "string" && g.length > 0 && g.length <= MAX_TEXT)
    .slice(0, MAX_GROUPS);
}

function amountOf(v: unknown): number | undefined {
  const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
  return typeof n === "number" && Number.isFinite(n) ? n : undefined;
}

/** Attributes the token itself states, read through the mapping. */
export function claimsFromToken(claims: JWTPayload, mapping: Record<string, string>): OperatorClaims {
  const read = (name: MappableClaim) => claimAt(claims, mapping[name] ?? MAPPABLE_CLAIMS[name]);
  const out: OperatorClaims = {};
  const email = text(read("email"));
  if (email) out.email = email;
  const department = text(read("department"));
  if (department) out.department = department;
  const manager = text(read("manager"));
  if (manager) out.manager = manager;
  const costCenter = text(read("cost_center"));
  if (costCenter) out.cost_center = costCenter;
  const groups = groupsOf(read("groups"));
  if (groups) out.groups = groups;
  const limit = amountOf(read("delegation_limit"));
  if (limit !== undefined) out.delegation_limit = limit;
  return out;
}

/** The token's attributes completed from the directory row of this subject (or, failing that, this email). */
export async function resolveOperatorClaims(
  db: Db,
  subject: string,
  claims: JWTPayload,
  mapping: Record<string, string>,
): Promise<OperatorClaims> {
  const fromToken = claimsFromToken(claims, mapping);
  const rows = await db
    .select()
    .from(operators)
    .where(
      fromToken.email
        ? or(eq(operators.subject, subject), eq(operators.email, fromToken.email))
        : eq(operators.subject, subject),
    )
    .limit(10);
  const row = rows.find((r) => r.subject === subject) ?? rows.find((r) => r.email === fromToken.email);
  if (!row) return fromToken;
  const directoryLimit = amountOf(row.attributes.delegation_limit);
  const fromDirectory: OperatorClaims = {
    email: row.email,
    ...(row.department ? { department: row.department } : {}),
    ...(row.manager ? { manager: row.manager } : {}),
    ...(row.costCenter ? { cost_center: row.costCenter } : {}),
    ...(row.groups.length > 0 ? { groups: row.groups } : {}),
    ...(directoryLimit !== undefined ? { delegation_limit: directoryLimit } : {}),
  };
  return { ...fromDirectory, ...fromToken };
}
