import type { Role } from "../api/client.ts";

export const roleLabels: Record<Role, string> = {
  admin: "Administrator",
  security: "Security",
  platform: "Platform",
  auditor: "Auditor",
};

export const roleDescriptions: Record<Role, string> = {
  admin: "As an administrator you can manage everything in this gateway.",
  security: "Your role writes and reviews policies, decides approvals and watches sessions.",
  platform: "Your role registers agents and tools, runs data-plane nodes, and can read policies.",
  auditor: "Your role has read-only access to sessions, policies, agents and tools.",
};
