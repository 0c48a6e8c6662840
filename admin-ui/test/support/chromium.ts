// Finds the Chromium the browser tests drive. `npx playwright install` cannot run here, so the tests use
// Debian's chromium: installed on the spot when missing and we may install packages, otherwise the suite stops
// at once naming what to install (it never skips silently).
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

const candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

export function ensureChromium(): string {
  const configured = process.env.PORTCULLIS_CHROMIUM;
  if (configured) {
    if (!existsSync(configured)) throw new Error(`PORTCULLIS_CHROMIUM=${configured} does not exist`);
    return configured;
  }
  const found = candidates.find((p) => existsSync(p));
  if (found) return found;
  if (process.getuid?.() === 0 && existsSync("/usr/bin/apt-get")) {
    execFileSync("apt-get", ["update", "-qq"], { stdio: "ignore" });
    execFileSync("apt-get", ["install", "-y", "-qq", "chromium"], {
      stdio: "ignore",
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
    });
    if (existsSync("/usr/bin/chromium")) return "/usr/bin/chromium";
  }
  throw new Error(
    "the console's browser tests need Chromium: install it with `apt-get install -y chromium` " +
      "(or set PORTCULLIS_CHROMIUM to a Chromium or Chrome binary)",
  );
}

export const chromiumArgs = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
