// The OpenAPI document of the REST API, produced from the same route definitions the server registers.
// Used by `npm run gen` (the console's generated client) and by the staleness test.
import pino from "pino";
import type { Db } from "../db/client.ts";
import { createApp } from "./app.ts";

export async function openApiDocument(): Promise<Record<string, unknown>> {
  const app = createApp({
    // Serving /openapi.json touches no storage; a database is never opened here.
    deps: {
      db: undefined as unknown as Db,
      logger: pino({ level: "silent" }),
      secretKey: Buffer.alloc(32),
      clock: () => new Date(),
    },
    sessions: { idleMinutes: 30, absoluteHours: 12 },
    secureCookies: false,
    allowedOrigins: [],
    ready: async () => ({ ok: true }),
  });
  const res = await app.request("/openapi.json");
  return (await res.json()) as Record<string, unknown>;
}
