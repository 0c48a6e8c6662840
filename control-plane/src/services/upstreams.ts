// Upstreams: the MCP servers, HTTP APIs and A2A agents that tools live on. An upstream's credential (a bearer
// token or an API-key header) is encrypted with AES-256-GCM bound to the upstream's id, read back only to build
// snapshots, and never returned by the API nor hashed into the admin-audit trail.
import { egressUrlProblem } from "@portcullis/proto";
import { count, eq, ilike, or } from "drizzle-orm";
import { tools, upstreams } from "../db/schema.ts";
import { uuidv7 } from "../lib/ids.ts";
import { decryptSecret, encryptSecret } from "../lib/secrets.ts";
import { tokenSettings } from "../tokens/settings.ts";
import { definedOnly } from "./agents.ts";
import type { Deps, ServiceContext } from "./context.ts";
import { invalidField } from "./errors.ts";
import { authorize } from "./rbac.ts";
import { keysetPage, labelFilter, likeContains, mutate, type Page, rowById } from "./store.ts";

export type UpstreamRow = typeof upstreams.$inferSelect;
export type UpstreamKind = UpstreamRow["kind"];

export type UpstreamCredential =
  | { kind: "bearer"; value: string }
  | { kind: "header"; value: string; headerName: string };

export interface UpstreamInput {
  name: string;
  kind: UpstreamKind;
  url: string;
  description?: string | undefined;
  labels?: Record<string, string> | undefined;
  settings?: Record<string, unknown> | undefined;
  /** PATCH: an object replaces the credential, `null` clears it, absent keeps it. */
  credential?: UpstreamCredential | null | undefined;
  disabled?: boolean | undefined;
}

export interface UpstreamFilter {
  q?: string | undefined;
  kind?: UpstreamKind | undefined;
  label?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

/** The settings key the service keeps a header credential's name under (the name is not secret, the value is). */
export const CREDENTIAL_HEADER_SETTING = "credentialHeader";

/**
 * Refuses an upstream URL the nodes must never connect to (SECURITY-TESTS T11): cloud metadata names, link-local,
 * unspecified, multicast and reserved addresses in any spelling, and loopback in production. Private networks stay
 * allowed: internal tools are what a gateway fronts. Nodes check every resolved address again when connecting.
 */
function checkUpstreamUrl(ctx: ServiceContext, url: string | undefined): void {
  if (url === undefined) return;
  const { production } = ctx.tokens ?? tokenSettings();
  const problem = egressUrlProblem(url, { blockLoopback: production });
  if (problem) throw invalidField("body.url", problem);
}

const duplicateName = (name: string | undefined) => `an upstream named "${name}" already exists`;
const aad = (id: string) => `upstream:${id}`;

export async function listUpstreams({
  ctx,
  filter,
}: {
  ctx: ServiceContext;
  filter: UpstreamFilter;
}): Promise<Page<UpstreamRow>> {
  authorize(ctx.actor, "upstreams:read");
  const q = filter.q ? likeContains(filter.q) : undefined;
  return keysetPage<UpstreamRow>(
    ctx.db,
    upstreams,
    upstreams.id,
    [
      q ? or(ilike(upstreams.name, q), ilike(upstreams.url, q)) : undefined,
      filter.kind ? eq(upstreams.kind, filter.kind) : undefined,
      filter.label ? labelFilter(upstreams.labels, filter.label) : undefined,
    ],
    filter.limit,
    filter.cursor,
  );
}

export async function getUpstream({ ctx, id }: { ctx: ServiceContext; id: string }): Promise<UpstreamRow> {
  authorize(ctx.actor, "upstreams:read");
  return rowById(ctx.db, upstreams, "upstream", id);
}

export async function createUpstream({
  ctx,
  input,
}: {
  ctx: ServiceContext;
  input: UpstreamInput;
}): Promise<UpstreamRow> {
  checkUpstreamUrl(ctx, input.url);
  return mutate(
    ctx,
    "upstreams:write",
    async (tx) => {
      const id = uuidv7();
      const now = ctx.clock();
      const [row] = await tx
        .insert(upstreams)
        .values({
          id,
          name: input.name,
          kind: input.kind,
          url: input.url,
          description: input.description ?? "",
          labels: input.labels ?? {},
          disabled: input.disabled ?? false,
          ...sealCredential(ctx, id, input.settings ?? {}, input.credential ?? null),
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      const upstream = row as UpstreamRow;
      return {
        result: upstream,
        audit: {
          action: "upstream.create",
          targetType: "upstream",
          targetId: id,
          after: auditView(upstream),
          details: { credential: upstream.credentialKind ? "set" : "none" },
        },
      };
    },
    duplicateName(input.name),
  );
}

export async function updateUpstream({
  ctx,
  id,
  input,
}: {
  ctx: ServiceContext;
  id: string;
  input: Partial<UpstreamInput>;
}): Promise<UpstreamRow> {
  checkUpstreamUrl(ctx, input.url);
  return mutate(
    ctx,
    "upstreams:write",
    async (tx) => {
      const before = await rowById(tx, upstreams, "upstream", id);
      const { credential, settings, ...fields } = input;
      const userSettings = settings ?? userSettingsOf(before);
      const sealed =
        credential === undefined
          ? { settings: withHeaderName(userSettings, before.settings[CREDENTIAL_HEADER_SETTING]) }
          : sealCredential(ctx, id, userSettings, credential);
      const [row] = await tx
        .update(upstreams)
        .set({ ...definedOnly(fields), ...sealed, updatedAt: ctx.clock() })
        .where(eq(upstreams.id, id))
        .returning();
      const after = row as UpstreamRow;
      return {
        result: after,
        audit: {
          action: "upstream.update",
          targetType: "upstream",
          targetId: id,
          before: auditView(before),
          after: auditView(after),
          details: { credential: credential === undefined ? "unchanged" : credential ? "replaced" : "cleared" },
        },
      };
    },
    duplicateName(input.name),
  );
}

/** Deletes the upstream and, with it, its tools. */
export async function deleteUpstream({ ctx, id }: { ctx: ServiceContext; id: string }): Promise<void> {
  await mutate(ctx, "upstreams:write", async (tx) => {
    const before = await rowById(tx, upstreams, "upstream", id);
    const [toolCount] = await tx.select({ n: count() }).from(tools).where(eq(tools.upstreamId, id));
    await tx.delete(upstreams).where(eq(upstreams.id, id));
    return {
      result: undefined,
      audit: {
        action: "upstream.delete",
        targetType: "upstream",
        targetId: id,
        before: auditView(before),
        details: { toolsDeleted: toolCount?.n ?? 0 },
      },
    };
  });
}

/** Decrypts an upstream's credential for a snapshot; null when it has none. */
export function readUpstreamCredential(
  deps: Pick<Deps, "secretKey">,
  row: Pick<UpstreamRow, "id" | "credentialKind" | "credentialCiphertext" | "settings">,
): UpstreamCredential | null {
  if (!row.credentialKind || !row.credentialCiphertext) return null;
  const value = decryptSecret(deps.secretKey, row.credentialCiphertext, aad(row.id));
  if (row.credentialKind === "header") {
    return { kind: "header", value, headerName: String(row.settings[CREDENTIAL_HEADER_SETTING]) };
  }
  return { kind: "bearer", value };
}

/** The settings an administrator wrote, without the ones the service keeps for the credential. */
export function userSettingsOf(row: Pick<UpstreamRow, "settings">): Record<string, unknown> {
  const { [CREDENTIAL_HEADER_SETTING]: _header, ...rest } = row.settings;
  return rest;
}

function withHeaderName(settings: Record<string, unknown>, headerName: unknown): Record<string, unknown> {
  return typeof headerName === "string" ? { ...settings, [CREDENTIAL_HEADER_SETTING]: headerName } : settings;
}

/** The columns that store a credential: kind, ciphertext bound to the row id, and the header name in settings. */
function sealCredential(
  ctx: ServiceContext,
  id: string,
  settings: Record<string, unknown>,
  credential: UpstreamCredential | null,
) {
  if (!credential) return { settings, credentialKind: null, credentialCiphertext: null };
  return {
    settings: withHeaderName(settings, credential.kind === "header" ? credential.headerName : undefined),
    credentialKind: credential.kind,
    credentialCiphertext: encryptSecret(ctx.secretKey, credential.value, aad(id)),
  };
}

/** What the admin-audit trail hashes: the row with the ciphertext replaced by whether a credential is set. */
function auditView(row: UpstreamRow) {
  const { credentialCiphertext: _secret, ...rest } = row;
  return { ...rest, credential: row.credentialKind ? { kind: row.credentialKind, set: true } : null };
}
