// `portcullis start` serves the console from admin-ui/dist. On a fresh clone (or after the console's sources
// changed) it builds it first with Vite, so `npm install && npm start` shows the console without a build step.
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const adminUi = fileURLToPath(new URL("../../admin-ui", import.meta.url));

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/** True when dist is missing or older than any source file of the console. */
export function consoleNeedsBuild(root = adminUi): boolean {
  const built = path.join(root, "dist", "index.html");
  if (!existsSync(path.join(root, "src"))) return false;
  if (!existsSync(built)) return true;
  const sources = Math.max(newestMtime(path.join(root, "src")), statSync(path.join(root, "index.html")).mtimeMs);
  return sources > statSync(built).mtimeMs;
}

export async function buildConsole(log: (line: string) => void, root = adminUi): Promise<void> {
  log("  Building the console (admin-ui) …");
  const started = Date.now();
  // Vite is the console's own dev dependency; it is only needed here, so load it lazily.
  const vite = (await import("vite")) as typeof import("vite");
  await vite.build({ root, configFile: path.join(root, "vite.config.ts"), logLevel: "warn" });
  log(`  Console built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
