// Opens the control plane's database: PostgreSQL through postgres.js when DATABASE_URL is set, otherwise an
// embedded PGlite database under the data directory. Both are driven by the same drizzle schema and the same
// committed migrations, which are applied on open.
import { mkdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import * as schema from "./schema.ts";

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
/** A drizzle handle inside a transaction: the same query surface as Db. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

export const migrationsFolder = fileURLToPath(new URL("../../../migrations", import.meta.url));

export interface Database {
  db: Db;
  kind: "postgres" | "pglite";
  /** Runs `select 1`; throws when the database cannot answer. */
  ping(): Promise<void>;
  /** LISTEN on a channel; resolves to a function that stops listening. */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  databaseUrl?: string | undefined;
  /** Directory for the embedded database (PGlite) when no URL is given; `memory://` keeps it in memory. */
  dataDir?: string | undefined;
  migrate?: boolean;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const migrate = options.migrate ?? true;
  if (options.databaseUrl) {
    const sql = postgres(options.databaseUrl, {
      max: 10,
      onnotice: () => {},
      connection: { application_name: "portcullis-cp" },
    });
    const db = drizzlePostgres(sql, { schema }) as unknown as Db;
    if (migrate) await migratePostgres(drizzlePostgres(sql), { migrationsFolder });
    return {
      db,
      kind: "postgres",
      ping: async () => {
        await sql`select 1`;
      },
      listen: async (channel, onNotify) => {
        const sub = await sql.listen(channel, (payload) => onNotify(payload));
        return () => sub.unlisten();
      },
      close: () => sql.end({ timeout: 5 }),
    };
  }
  const dir = options.dataDir ?? ".portcullis";
  let dataDir: string | undefined;
  if (dir !== "memory://") {
    dataDir = path.resolve(dir, "pgdata");
    mkdirSync(dataDir, { recursive: true });
  }
  const client = new PGlite(dataDir);
  await client.waitReady;
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  if (migrate) await migratePglite(drizzlePglite(client), { migrationsFolder });
  return {
    db,
    kind: "pglite",
    ping: async () => {
      await client.query("select 1");
    },
    listen: async (channel, onNotify) => client.listen(channel, onNotify),
    close: () => client.close(),
  };
}

/** Rows of a raw `db.execute(sql…)` result: postgres.js returns an array, PGlite an object with `rows`. */
export function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}
