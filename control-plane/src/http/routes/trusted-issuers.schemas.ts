// Wire shapes of trusted issuers: the identity providers whose operator tokens the token exchange accepts.
import { z } from "@hono/zod-openapi";
import type { TrustedIssuerRow } from "../../services/trusted-issuers.ts";
import { MAPPABLE_CLAIMS } from "../../tokens/operator-claims.ts";
import { pageOf, ResourceName, SearchQuery, Timestamps, timestampsOf } from "../common.ts";

const url = (description: string, example: string) =>
  z
    .string({ error: "expected a URL" })
    .min(1, "expected a URL")
    .max(2048, "expected at most 2048 characters")
    .openapi({ description, example });

const Jwk = z.record(z.string(), z.unknown(), { error: "expected a JWK object" }).openapi({
  description: "A public key (RSA ≥ 2048 bits, EC P-256 or Ed25519); private members are refused",
  example: { kty: "EC", crv: "P-256", x: "…", y: "…", kid: "2024-01", alg: "ES256", use: "sig" },
});

const StaticJwks = z
  .object({ keys: z.array(Jwk, { error: "expected a list of JWKs" }) })
  .strict()
  .openapi("StaticJwks", { description: "A JWK Set of the issuer's public signing keys" });

const ClaimMapping = z
  .record(
    z.string(),
    z
      .string({ error: "expected the issuer's claim name" })
      .min(1, "expected the issuer's claim name")
      .max(200, "expected at most 200 characters"),
    { error: "expected an object from attribute to claim name" },
  )
  .openapi({
    description:
      `Which of the issuer's claims carries each operator attribute (${Object.keys(MAPPABLE_CLAIMS).join(", ")}). ` +
      "A claim is looked up by its full name, then as a dotted path into nested objects. Unmapped attributes " +
      "use the claim of the same name; what the token lacks comes from the operators directory.",
    example: { email: "email", department: "dept", manager: "manager", cost_center: "cc", groups: "groups" },
  });

export const TrustedIssuerInput = z
  .object({
    name: ResourceName.openapi({ example: "corporate-sso" }),
    issuer: url("The issuer exactly as its tokens carry it in `iss`", "https://login.example.com/"),
    jwksUrl: url(
      "Where the issuer publishes its keys (https; http only in development). Give this or staticJwks",
      "https://login.example.com/.well-known/jwks.json",
    )
      .nullable()
      .optional(),
    staticJwks: StaticJwks.nullable().optional(),
    audience: z
      .string({ error: "expected text or null" })
      .min(1, "expected a non-empty audience")
      .max(500, "expected at most 500 characters")
      .nullable()
      .optional()
      .openapi({ description: "When set, operator tokens must list it in `aud`", example: "api://portcullis" }),
    claimMapping: ClaimMapping.optional(),
    revokedKids: z
      .array(z.string().min(1, "expected a key id").max(256, "expected at most 256 characters"), {
        error: "expected a list of key ids",
      })
      .max(100, "expected at most 100 key ids")
      .optional()
      .openapi({
        description:
          "Key ids (`kid`) refused at once for this issuer, whatever its JWKS still publishes: for a compromised key " +
          "the issuer has not withdrawn yet. Takes effect on the next token exchange on every control-plane replica.",
        example: ["kid1"],
      }),
    enabled: z.boolean({ error: "expected true or false" }).optional(),
  })
  .strict()
  .openapi("TrustedIssuerInput");

export const TrustedIssuerPatch = TrustedIssuerInput.partial().strict().openapi("TrustedIssuerPatch");

export const TrustedIssuerQuery = {
  q: SearchQuery("Name or issuer contains"),
  enabled: z
    .enum(["true", "false"], { error: "expected true or false" })
    .optional()
    .transform((v) => (v === undefined ? undefined : v === "true")),
};

export const TrustedIssuer = z
  .object({
    id: z.string(),
    name: z.string(),
    issuer: z.string(),
    jwksUrl: z.string().nullable(),
    staticJwks: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }).nullable(),
    audience: z.string().nullable(),
    claimMapping: z.record(z.string(), z.string()),
    revokedKids: z.array(z.string()),
    enabled: z.boolean(),
    ...Timestamps,
  })
  .openapi("TrustedIssuer");

export const TrustedIssuerPage = pageOf(TrustedIssuer, "TrustedIssuerPage");

export function trustedIssuerOut(row: TrustedIssuerRow): z.infer<typeof TrustedIssuer> {
  return {
    id: row.id,
    name: row.name,
    issuer: row.issuer,
    jwksUrl: row.jwksUrl,
    staticJwks: row.staticJwks,
    audience: row.audience,
    claimMapping: row.claimMapping,
    revokedKids: row.revokedKids,
    enabled: row.enabled,
    ...timestampsOf(row),
  };
}
