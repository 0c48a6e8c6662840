// Wire shapes of console users. A password goes in and never comes out, not even as a hash.
import { z } from "@hono/zod-openapi";
import { roles } from "../../services/rbac.ts";
import type { UserRow } from "../../services/users.ts";
import { pageOf, RoleName, SearchQuery, Timestamp, Timestamps, timestampsOf } from "../common.ts";

export const UserInput = z
  .object({
    email: z.email({ message: "expected an email address" }).max(254).openapi({ example: "dana@example.com" }),
    displayName: z.string({ error: "expected text" }).max(200, "expected at most 200 characters").optional(),
    role: RoleName,
    password: z
      .string({ error: "expected a password" })
      .min(12, "expected at least 12 characters")
      .max(1024, "expected at most 1024 characters")
      .openapi({ description: "Write-only; stored as a salted scrypt hash", format: "password" }),
    disabled: z.boolean({ error: "expected true or false" }).optional(),
  })
  .strict()
  .openapi("UserInput");

export const UserPatch = UserInput.partial()
  .strict()
  .openapi("UserPatch", { description: "Changing the password, role or disabled flag signs the user out everywhere" });

export const UserQuery = {
  q: SearchQuery("Email or display name contains"),
  role: z.enum(roles).optional(),
};

export const User = z
  .object({
    id: z.string(),
    email: z.string(),
    displayName: z.string(),
    role: z.enum(roles),
    disabled: z.boolean(),
    mustChangePassword: z.boolean(),
    lastLoginAt: Timestamp.nullable(),
    ...Timestamps,
  })
  .openapi("User");

export const UserPage = pageOf(User, "UserPage");

export function userOut(u: UserRow): z.infer<typeof User> {
  return {
    id: u.id,
    email: u.email,
    displayName: u.displayName,
    role: u.role,
    disabled: u.disabled,
    mustChangePassword: u.mustChangePassword,
    lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
    ...timestampsOf(u),
  };
}
