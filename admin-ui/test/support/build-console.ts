// Builds the console for a browser test with Vite, as users get it (a production build of React: Vitest sets
// NODE_ENV=test, which would give a development build). `outDir` lets a test build into its own directory.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "vite";

const adminUiRoot = fileURLToPath(new URL("../..", import.meta.url));

export async function buildConsole(outDir?: string): Promise<void> {
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = "production";
  try {
    await build({
      root: adminUiRoot,
      configFile: join(adminUiRoot, "vite.config.ts"),
      mode: "production",
      logLevel: "warn",
      build: { sourcemap: false, ...(outDir ? { outDir, emptyOutDir: true } : {}) },
    });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
}
