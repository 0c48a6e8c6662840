// Serves the built console (admin-ui/dist) for every non-API path, with index.html as the SPA fallback.
// When the console has not been built, a short page says how to build it instead of a bare 404.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./common.ts";

const distDir = fileURLToPath(new URL("../../../admin-ui/dist", import.meta.url));

const types: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".woff2": "font/woff2",
};

export function consoleAssets(dir: string = distDir): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.req.method !== "GET" && c.req.method !== "HEAD") return next();
    if (c.req.path.startsWith("/api/")) return next();
    const index = path.join(dir, "index.html");
    if (!existsSync(index)) {
      return c.html(
        "<!doctype html><title>Portcullis</title><h1>Portcullis control plane</h1>" +
          "<p>The console has not been built. Run <code>npm run build -w admin-ui</code>; the API is at " +
          '<a href="/openapi.json">/openapi.json</a>.</p>',
      );
    }
    const requested = path.normalize(path.join(dir, decodeURIComponent(c.req.path)));
    const inside = requested.startsWith(dir + path.sep) && existsSync(requested) && !requested.endsWith(path.sep);
    const file = inside && path.extname(requested) ? requested : index;
    const type = types[path.extname(file)] ?? "application/octet-stream";
    const cache = file === index ? "no-cache" : "public, max-age=31536000, immutable";
    return c.body(readFileSync(file), 200, { "Content-Type": type, "Cache-Control": cache });
  };
}
