// `portcullis audit …`: integrity checks an auditor can run without the console.
//   verify [--stream ID] [--json]      re-check the stored trail (directly in the database, or through the API
//                                       with --api URL and PORTCULLIS_API_TOKEN)
//   verify --export FILE               check a checkpoint export offline (signature and Merkle root)
//   checkpoint [--out FILE]            sign a checkpoint now and write its export
// Exit codes: 0 intact; 1 tampering found (modified event or batch, bad signature, broken chain, checkpoint
// mismatch); 2 only gaps (missing batches); 3 the check could not run.
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { trustedKeysFromJwks, verifyCheckpoint } from "@portcullis/proto";
import pino from "pino";
import { parseConfig } from "../config.ts";
import { openDatabase } from "../db/client.ts";
import { loadKeyRing } from "../keys/control-plane-keys.ts";
import { loadSecretKey } from "../main.ts";
import { type CheckpointExport, createCheckpoint, exportCheckpoint } from "./checkpoints.ts";
import { type AuditVerification, verifyAuditTrail } from "./verify.ts";

export const auditHelp = `portcullis audit: check the integrity of the audit trail

  portcullis audit verify [--stream ID] [--json] [--api URL]
  portcullis audit verify --export FILE
  portcullis audit checkpoint [--out FILE]

Without --api, it opens the database itself (DATABASE_URL, or the embedded one in PORTCULLIS_DATA_DIR when the
control plane is stopped). With --api it asks a running control plane, authenticated by PORTCULLIS_API_TOKEN.
Exit codes: 0 intact, 1 tampering found, 2 only missing batches, 3 the check could not run.
`;

export async function runAuditCommand(
  argv: string[],
  out: NodeJS.WritableStream = process.stdout,
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  const [sub, ...rest] = argv;
  let args: ReturnType<typeof parse>;
  try {
    args = parse(rest);
  } catch (e) {
    err.write(`${(e as Error).message}\n\n${auditHelp}`);
    return 3;
  }
  if (sub === "verify" && args.export) return verifyExportFile(args.export, out, err);
  if (sub === "verify") {
    let result: AuditVerification;
    try {
      result = args.api ? await verifyThroughApi(args.api, args.stream) : await verifyInDatabase(args.stream);
    } catch (e) {
      err.write(`audit verify could not run: ${(e as Error).message}\n`);
      return 3;
    }
    if (args.json) out.write(`${JSON.stringify(result, null, 2)}\n`);
    else out.write(describe(result));
    if (result.ok) return 0;
    return result.problems.every((p) => p.kind === "missing_batch") ? 2 : 1;
  }
  if (sub === "checkpoint") {
    const config = parseConfig();
    const database = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.PORTCULLIS_DATA_DIR });
    try {
      const keys = await loadKeyRing(database.db, loadSecretKey(config, pino({ level: "silent" })));
      const created = await createCheckpoint(database.db, keys);
      const exported = await exportCheckpoint(database.db, keys);
      if (!exported) {
        err.write("no audit batches yet: nothing to checkpoint\n");
        return 3;
      }
      const file = args.out ?? `portcullis-checkpoint-${exported.checkpoint.treeSize}.json`;
      writeFileSync(file, `${JSON.stringify(exported, null, 2)}\n`);
      out.write(
        `${created ? "signed a new checkpoint" : "no new batches; exported the latest checkpoint"}: ${exported.checkpoint.treeSize} batches, root ${exported.checkpoint.root}\nwritten to ${file}\n`,
      );
      return 0;
    } finally {
      await database.close();
    }
  }
  err.write(auditHelp);
  return sub === undefined || sub === "help" ? 0 : 3;
}

function parse(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      stream: { type: "string" },
      json: { type: "boolean" },
      api: { type: "string" },
      export: { type: "string" },
      out: { type: "string" },
    },
    strict: true,
  });
  return values;
}

async function verifyInDatabase(streamId: string | undefined): Promise<AuditVerification> {
  const config = parseConfig();
  const database = await openDatabase({
    databaseUrl: config.DATABASE_URL,
    dataDir: config.PORTCULLIS_DATA_DIR,
    migrate: false,
  });
  try {
    const keys = await loadKeyRing(database.db, loadSecretKey(config, pino({ level: "silent" })));
    return await verifyAuditTrail(database.db, { ...(streamId ? { streamId } : {}), keys });
  } finally {
    await database.close();
  }
}

async function verifyThroughApi(base: string, streamId: string | undefined): Promise<AuditVerification> {
  const token = process.env.PORTCULLIS_API_TOKEN;
  if (!token) throw new Error("set PORTCULLIS_API_TOKEN to an API token with the auditor (or admin) role");
  const url = new URL("/api/v1/audit/verify", base);
  if (streamId) url.searchParams.set("streamId", streamId);
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  const body = (await res.json()) as AuditVerification & { error?: { message: string } };
  if (!res.ok) throw new Error(`${res.status}: ${body.error?.message ?? "request failed"}`);
  return body;
}

function describe(r: AuditVerification): string {
  const lines = [`checked ${r.streams} streams, ${r.batches} batches, ${r.events} events at ${r.checkedAt}`];
  if (r.ok) lines.push("audit trail intact: every batch signature, chain link and event verified");
  for (const p of r.problems) {
    lines.push(`PROBLEM ${p.kind}: node ${p.nodeId || "-"} stream ${p.streamId || "-"} batch ${p.seq}: ${p.detail}`);
  }
  if (r.alarms > 0) lines.push(`${r.alarms} refused batches are kept as evidence (see the alarms in the console)`);
  return `${lines.join("\n")}\n`;
}

function verifyExportFile(file: string, out: NodeJS.WritableStream, err: NodeJS.WritableStream): number {
  let data: CheckpointExport;
  try {
    data = JSON.parse(readFileSync(file, "utf8")) as CheckpointExport;
  } catch (e) {
    err.write(`cannot read ${file}: ${(e as Error).message}\n`);
    return 3;
  }
  if (data.format !== "portcullis-audit-checkpoint/v1") {
    err.write(`${file} is not a Portcullis checkpoint export\n`);
    return 3;
  }
  const r = verifyCheckpoint(data.checkpoint.jws, trustedKeysFromJwks(data.jwks), data.batchHashes);
  if (!r.ok) {
    out.write(`checkpoint INVALID: ${r.code}: ${r.message}\n`);
    return 1;
  }
  out.write(`checkpoint valid: ${r.value.treeSize} batches, root ${r.value.root}, signed by ${r.value.kid}\n`);
  return 0;
}
