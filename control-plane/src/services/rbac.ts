// The role matrix. Every service verb calls `authorize` on its first line, and every route declares the same
// permission so the shared security suite can prove route × role. Nobody may delete audit evidence.
import { ApiError } from "./errors.ts";

export const roles = ["admin", "security", "platform", "auditor"] as const;
export type Role = (typeof roles)[number];

export const permissions = [
  "agents:read",
  "agents:write",
  "upstreams:read",
  "upstreams:write",
  "tools:read",
  "tools:write",
  "tools:approve",
  "policies:read",
  "policies:write",
  "approvals:read",
  "approvals:decide",
  "gateways:read",
  "gateways:write",
  "operators:read",
  "operators:write",
  "sessions:read",
  "audit:read",
  "admin-audit:read",
  "users:read",
  "users:write",
  "tokens:read",
  "tokens:write",
  "issuers:read",
  "issuers:write",
  "keys:read",
  "keys:write",
] as const;
export type Permission = (typeof permissions)[number];

const read = permissions.filter((p) => p.endsWith(":read"));

export const roleMatrix: Record<Role, ReadonlySet<Permission>> = {
  admin: new Set(permissions),
  security: new Set<Permission>([
    "policies:read",
    "policies:write",
    "approvals:read",
    "approvals:decide",
    "agents:read",
    "tools:read",
    "tools:approve",
    "upstreams:read",
    "gateways:read",
    "operators:read",
    "sessions:read",
    "audit:read",
    "issuers:read",
  ]),
  platform: new Set<Permission>([
    "agents:read",
    "agents:write",
    "upstreams:read",
    "upstreams:write",
    "tools:read",
    "tools:write",
    "tools:approve",
    "gateways:read",
    "gateways:write",
    "operators:read",
    "operators:write",
    "policies:read",
  ]),
  // Read-only across sessions, audit and configuration; never people or credentials.
  auditor: new Set<Permission>(read.filter((p) => p !== "users:read" && p !== "tokens:read")),
};

export function can(role: Role, permission: Permission): boolean {
  return roleMatrix[role].has(permission);
}

export interface Actor {
  type: "user" | "api_token" | "system";
  id: string;
  name: string;
  role: Role;
}

export function authorize(actor: Actor, permission: Permission): void {
  if (!can(actor.role, permission)) {
    throw new ApiError("forbidden", `role ${actor.role} may not ${permission.replace(":", " ")}`);
  }
}
