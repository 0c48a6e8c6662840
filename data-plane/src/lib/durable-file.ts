// Crash-safe file replacement: write a temp file beside the target, fsync it, rename it over the target, fsync
// the directory. Invariant: after a crash the target holds either the old or the new content, never a mix.
import { randomBytes } from "node:crypto";
import { mkdir, open, readdir, rename, rm } from "node:fs/promises";
import path from "node:path";

const TEMP_MARK = ".tmp-";

/** Replaces `file` with `data` durably. The file is created with `mode` (default 0600: it may hold secrets). */
export async function writeFileDurably(file: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  const temp = `${file}${TEMP_MARK}${process.pid}-${randomBytes(4).toString("hex")}`;
  const handle = await open(temp, "wx", mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => {});
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  await fsyncDirectory(path.dirname(file));
}

/** Makes a directory's entries (creations, renames, deletions) durable. */
export async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Creates a directory (and parents) readable only by this user, and makes its creation durable. */
export async function ensurePrivateDirectory(dir: string): Promise<void> {
  const created = await mkdir(dir, { recursive: true, mode: 0o700 });
  if (created !== undefined) await fsyncDirectory(path.dirname(dir));
}

/** Removes temp files a crash left behind in `dir` (they never replaced anything, so nothing is lost). */
export async function removeStaleTempFiles(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  await Promise.all(names.filter(isTempFile).map((name) => rm(path.join(dir, name), { force: true })));
}

/** True for the name of a temp file written by writeFileDurably. */
export function isTempFile(name: string): boolean {
  return name.includes(TEMP_MARK);
}
