// Wire shapes of upstreams. A credential goes in and never comes out: outputs say only its kind and that it is set.
import { z } from "@hono/zod-openapi";
import { CREDENTIAL_HEADER_SETTING, type UpstreamRow, userSettingsOf } from "../../services/upstreams.ts";
import {
  Description,
  JsonObject,
  LabelQuery,
  Labels,
  pageOf,
  ResourceName,
  SearchQuery,
  Timestamps,
  timestampsOf,
} from "../common.ts";

const kinds = ["mcp", "http", "a2a"] as const;
const UpstreamKind = z
  .enum(kinds, { error: "expected mcp, http or a2a" })
  .openapi({ description: "mcp: an MCP server; http: an HTTP API; a2a: an agent spoken to over A2A" });

const UpstreamUrl = z
  .url({ protocol: /^https?$/, message: "expected an absolute http:// or https:// URL" })
  .max(2000, "expected at most 2000 characters")
  .refine((u) => !URL.canParse(u) || (!new URL(u).username && !new URL(u).password), {
    message: "must not contain a user name or password; send secrets in `credential`",
  })
  .openapi({ example: "https://expenses.internal.example/mcp" });

const secretValue = z
  .string({ error: "expected the secret as a string" })
  .min(1, "expected the secret")
  .max(8192, "expected at most 8192 characters")
  .regex(/^[^\r\n]*$/, "must not contain line breaks")
  .openapi({ description: "Write-only: stored encrypted and never returned" });

const UpstreamCredentialInput = z
  .discriminatedUnion(
    "kind",
    [
      z.object({ kind: z.literal("bearer"), value: secretValue }).strict(),
      z
        .object({
          kind: z.literal("header"),
          value: secretValue,
          headerName: z
            .string({ error: "expected the header to send the secret in, e.g. X-Api-Key" })
            .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/, "expected an HTTP header name, e.g. X-Api-Key"),
        })
        .strict(),
    ],
    { error: "expected kind bearer or header" },
  )
  .openapi("UpstreamCredentialInput", {
    description: "bearer: sent as `Authorization: Bearer …`; header: sent as `headerName: value`",
  });

const Settings = JsonObject.refine((s) => !(CREDENTIAL_HEADER_SETTING in s), {
  message: `${CREDENTIAL_HEADER_SETTING} is managed by the service; set credential.headerName instead`,
}).openapi({ description: "Kind-specific settings, e.g. timeouts", example: { timeoutMs: 10000 } });

export const UpstreamInput = z
  .object({
    name: ResourceName.openapi({ example: "expenses" }),
    kind: UpstreamKind,
    url: UpstreamUrl,
    description: Description.optional(),
    labels: Labels.optional(),
    settings: Settings.optional(),
    credential: UpstreamCredentialInput.nullable()
      .optional()
      .openapi({ description: "Write-only; on update an object replaces it and null removes it" }),
    disabled: z.boolean({ error: "expected true or false" }).optional(),
  })
  .strict()
  .openapi("UpstreamInput");

export const UpstreamPatch = UpstreamInput.partial().strict().openapi("UpstreamPatch");

export const UpstreamQuery = {
  q: SearchQuery("Name or URL contains"),
  kind: z.enum(kinds).optional(),
  label: LabelQuery,
};

export const Upstream = z
  .object({
    id: z.string(),
    name: z.string(),
    kind: z.enum(kinds),
    url: z.string(),
    description: z.string(),
    labels: z.record(z.string(), z.string()),
    settings: z.record(z.string(), z.unknown()),
    credential: z
      .object({
        kind: z.string(),
        set: z.literal(true),
        headerName: z.string().optional(),
      })
      .nullable()
      .openapi({ description: "Whether a credential is stored; its value is never returned" }),
    disabled: z.boolean(),
    ...Timestamps,
  })
  .openapi("Upstream");

export const UpstreamPage = pageOf(Upstream, "UpstreamPage");

export function upstreamOut(u: UpstreamRow): z.infer<typeof Upstream> {
  const headerName = u.settings[CREDENTIAL_HEADER_SETTING];
  return {
    id: u.id,
    name: u.name,
    kind: u.kind,
    url: u.url,
    description: u.description,
    labels: u.labels,
    settings: userSettingsOf(u),
    credential: u.credentialKind
      ? { kind: u.credentialKind, set: true, ...(typeof headerName === "string" ? { headerName } : {}) }
      : null,
    disabled: u.disabled,
    ...timestampsOf(u),
  };
}
