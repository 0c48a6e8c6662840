// The last-known-good snapshot on disk (<dataDir>/snapshot.json): the Snapshot message fields exactly as the
// control plane signed them, replaced atomically (temp file, fsync, rename, fsync dir). Loading only parses the
// file; the caller re-verifies signature and hash and recompiles before serving it.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { isSha256Hex, parseSafeUint, type SnapshotMessage } from "@portcullis/proto";
import { writeFileDurably } from "../lib/durable-file.ts";

export const SNAPSHOT_FILE = "snapshot.json";

/** The file's format. resourcesJson is the canonical JSON text (verified UTF-8, so the round trip is exact). */
interface SnapshotFile {
  v: 1;
  version: number;
  sha256: string;
  signature: string;
  resourcesJson: string;
  savedAt: string;
}

export interface StoredSnapshot extends SnapshotMessage {
  version: number;
  resourcesJson: Buffer;
  savedAt: string;
}

export type LoadedSnapshot =
  | { status: "found"; snapshot: StoredSnapshot }
  | { status: "missing" }
  | { status: "unreadable"; reason: string };

/** Persists a validated snapshot; resolves once it is durable. */
export async function saveSnapshot(dataDir: string, message: SnapshotMessage): Promise<void> {
  const version = parseSafeUint(message.version);
  if (version === undefined) throw new RangeError("snapshot version is not a safe uint64");
  const file: SnapshotFile = {
    v: 1,
    version,
    sha256: message.sha256,
    signature: message.signature,
    resourcesJson: Buffer.from(message.resourcesJson).toString("utf8"),
    savedAt: new Date().toISOString(),
  };
  await writeFileDurably(path.join(dataDir, SNAPSHOT_FILE), JSON.stringify(file), 0o600);
}

/** Reads the persisted snapshot. Never throws: a damaged file comes back as `unreadable` with the reason. */
export async function loadSnapshot(dataDir: string): Promise<LoadedSnapshot> {
  const file = path.join(dataDir, SNAPSHOT_FILE);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { status: "missing" };
    return { status: "unreadable", reason: `cannot read ${file}: ${(error as Error).message}` };
  }
  let parsed: Partial<SnapshotFile>;
  try {
    parsed = JSON.parse(text) as Partial<SnapshotFile>;
  } catch {
    return { status: "unreadable", reason: `${file} is not valid JSON` };
  }
  const version = parseSafeUint(parsed?.version);
  if (
    parsed?.v !== 1 ||
    version === undefined ||
    !isSha256Hex(parsed.sha256) ||
    typeof parsed.signature !== "string" ||
    typeof parsed.resourcesJson !== "string"
  ) {
    return { status: "unreadable", reason: `${file} does not have the expected fields` };
  }
  return {
    status: "found",
    snapshot: {
      version,
      sha256: parsed.sha256,
      signature: parsed.signature,
      resourcesJson: Buffer.from(parsed.resourcesJson, "utf8"),
      savedAt: typeof parsed.savedAt === "string" ? parsed.savedAt : "",
    },
  };
}
