// Control-plane configuration: parsed once at start from the environment with zod. A bad value stops the
// process with a message naming the variable and what it expects; every setting has a local default, and
// production-only settings refuse to start when missing.
import { readPemSetting } from "@portcullis/proto";
import { z } from "zod";
import { tokenMtlsProblems } from "./tokens/mtls-listener.ts";

const hostPort = z
  .string()
  .regex(/^[^\s:]+:\d{1,5}$/, "expected HOST:PORT, for example 127.0.0.1:7070")
  .transform((v) => {
    const i = v.lastIndexOf(":");
    return { host: v.slice(0, i), port: Number(v.slice(i + 1)) };
  });

const positiveInt = (def: number) => z.coerce.number().int().positive().default(def);

/** A path to a PEM file, read at start (the error names the variable and the file). */
const pemFile = z.string().transform((file, ctx) => readPemSetting(file, ctx) ?? z.NEVER);
/** A duration: a whole number with a unit (`500ms`, `90s`, `15m`, `2h`); a bare number is seconds. In ms. */
const duration = (def: string) =>
  z
    .string()
    .regex(/^\d{1,9}(ms|s|m|h)?$/, "expected a duration such as 90s, 15m or 2h (a bare number is seconds)")
    .default(def)
    .transform((v) => {
      const [, n, unit = "s"] = /^(\d+)(ms|s|m|h)?$/.exec(v) as RegExpExecArray;
      const ms = Number(n) * { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[unit as "ms" | "s" | "m" | "h"];
      return ms;
    })
    .refine((ms) => ms > 0, "expected a positive duration");

export const configSchema = z.object({
  PORTCULLIS_ENV: z.enum(["development", "production"]).default("development"),
  PORTCULLIS_CP_HTTP: hostPort.default({ host: "127.0.0.1", port: 7070 }),
  PORTCULLIS_CP_GRPC: hostPort.default({ host: "127.0.0.1", port: 7071 }),
  PORTCULLIS_CP_ADMIN_HTTP: hostPort.optional(),
  PORTCULLIS_CP_GRPC_TLS_CERT: pemFile.optional(),
  PORTCULLIS_CP_GRPC_TLS_KEY: pemFile.optional(),
  PORTCULLIS_CP_GRPC_TLS_CLIENT_CA: pemFile.optional(),
  PORTCULLIS_CP_TOKEN_MTLS: hostPort.optional(),
  PORTCULLIS_CP_TOKEN_TLS_CERT: pemFile.optional(),
  PORTCULLIS_CP_TOKEN_TLS_KEY: pemFile.optional(),
  PORTCULLIS_CP_TOKEN_TLS_CLIENT_CA: pemFile.optional(),
  PORTCULLIS_PUBLIC_URL: z
    .url({ message: "expected an absolute URL such as https://portcullis.example.com" })
    .optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "expected a postgres:// or postgresql:// connection URL")
    .optional(),
  PORTCULLIS_DATA_DIR: z.string().min(1).default(".portcullis"),
  PORTCULLIS_SECRET_KEY: z
    .string()
    .refine(
      (v) => Buffer.from(v, "base64").length === 32,
      "expected 32 bytes encoded as base64 (openssl rand -base64 32)",
    )
    .optional(),
  PORTCULLIS_ADMIN_EMAIL: z.email({ message: "expected an email address" }).default("admin@portcullis.local"),
  PORTCULLIS_ADMIN_PASSWORD: z.string().min(12, "expected at least 12 characters").optional(),
  PORTCULLIS_SESSION_IDLE_MINUTES: positiveInt(30),
  PORTCULLIS_SESSION_ABSOLUTE_HOURS: positiveInt(12),
  PORTCULLIS_LOGIN_MAX_FAILURES: positiveInt(5),
  PORTCULLIS_LOGIN_WINDOW_MINUTES: positiveInt(15),
  PORTCULLIS_AUDIT_CHECKPOINT_MINUTES: positiveInt(10),
  PORTCULLIS_TOKEN_TTL_MINUTES: z.coerce
    .number()
    .int()
    .min(1, "expected 1 to 15 (minutes)")
    .max(15, "expected 1 to 15 (minutes)")
    .default(15),
  PORTCULLIS_KEY_ACTIVATION_MINUTES: z.coerce.number().int().min(0, "expected 0 or more (minutes)").default(10),
  PORTCULLIS_JWKS_COOLDOWN_SECONDS: z.coerce.number().int().min(0, "expected 0 or more (seconds)").default(30),
  PORTCULLIS_JWKS_CACHE_MAX_AGE_SECONDS: z.coerce
    .number()
    .int()
    .min(1, "expected 1 to 86400 (seconds)")
    .max(86_400, "expected 1 to 86400 (seconds)")
    .default(600),
  PORTCULLIS_CONSOLE_DIR: z.string().min(1).optional(),
  PORTCULLIS_DEMO: z.enum(["0", "1", "force"], { error: "expected 0, 1 or force" }).optional(),
  PORTCULLIS_DEMO_TOOLS_HTTP: hostPort.default({ host: "127.0.0.1", port: 7090 }),
  PORTCULLIS_DELEGATION_MAX_DEPTH: z.coerce
    .number()
    .int()
    .min(0, "expected 0 to 16 (delegations)")
    .max(16, "expected 0 to 16 (delegations)")
    .default(5),
  PORTCULLIS_APPROVAL_TTL: duration("15m"),
  PORTCULLIS_APPROVAL_WEBHOOK_URL: z.url({ protocol: /^https?$/, message: "expected an http(s) URL" }).optional(),
  PORTCULLIS_APPROVAL_WEBHOOK_SECRET: z.string().min(16, "expected at least 16 characters").optional(),
  PORTCULLIS_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

export type ControlPlaneConfig = z.output<typeof configSchema>;

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Parses the environment; throws ConfigError naming each bad variable. */
export function parseConfig(env: Record<string, string | undefined> = process.env): ControlPlaneConfig {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(configSchema.shape)) {
    const value = env[key];
    if (value !== undefined && value !== "") picked[key] = value;
  }
  const result = configSchema.safeParse(picked);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${String(i.path[0])}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join("\n")}\nSee docs/configuration.md.`);
  }
  const config = result.data;
  const tlsProblems: string[] = [];
  if ((config.PORTCULLIS_CP_GRPC_TLS_CERT === undefined) !== (config.PORTCULLIS_CP_GRPC_TLS_KEY === undefined)) {
    tlsProblems.push("  PORTCULLIS_CP_GRPC_TLS_CERT and PORTCULLIS_CP_GRPC_TLS_KEY: set both, or neither");
  }
  if (config.PORTCULLIS_CP_GRPC_TLS_CLIENT_CA !== undefined && config.PORTCULLIS_CP_GRPC_TLS_CERT === undefined) {
    tlsProblems.push(
      "  PORTCULLIS_CP_GRPC_TLS_CLIENT_CA: needs PORTCULLIS_CP_GRPC_TLS_CERT and _KEY (mTLS is TLS first)",
    );
  }
  tlsProblems.push(...tokenMtlsProblems(config));
  if (tlsProblems.length > 0) {
    throw new ConfigError(`invalid configuration:\n${tlsProblems.join("\n")}\nSee docs/configuration.md.`);
  }
  if (config.PORTCULLIS_APPROVAL_WEBHOOK_URL && !config.PORTCULLIS_APPROVAL_WEBHOOK_SECRET) {
    throw new ConfigError(
      "invalid configuration:\n  PORTCULLIS_APPROVAL_WEBHOOK_SECRET: required when PORTCULLIS_APPROVAL_WEBHOOK_URL is set\nSee docs/configuration.md.",
    );
  }
  if (config.PORTCULLIS_ENV === "production") {
    const missing = (["DATABASE_URL", "PORTCULLIS_SECRET_KEY", "PORTCULLIS_PUBLIC_URL"] as const).filter(
      (k) => config[k] === undefined,
    );
    if (missing.length > 0) {
      throw new ConfigError(
        `invalid configuration:\n${missing.map((k) => `  ${k}: required when PORTCULLIS_ENV=production`).join("\n")}\nSee docs/configuration.md.`,
      );
    }
  }
  return config;
}
