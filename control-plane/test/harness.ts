// Test harness: each test file gets its own database, so files run in parallel without sharing state.
// PORTCULLIS_TEST_DB=pglite → a fresh in-memory PGlite; =postgres → a fresh database on the PostgreSQL server
// named by DATABASE_URL, dropped when the file is done.
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { type Database, openDatabase } from "../src/db/client.ts";

export function testDbKind(): "pglite" | "postgres" {
  const kind = process.env.PORTCULLIS_TEST_DB ?? "pglite";
  if (kind !== "pglite" && kind !== "postgres") throw new Error(`PORTCULLIS_TEST_DB must be pglite or postgres`);
  if (kind === "postgres" && !process.env.DATABASE_URL) {
    throw new Error("PORTCULLIS_TEST_DB=postgres needs DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/test)");
  }
  return kind;
}

/** Creates an empty database on the server and returns its URL and a function that drops it. */
export async function createServerDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const base = new URL(process.env.DATABASE_URL as string);
  const name = `pc_test_${randomBytes(6).toString("hex")}`;
  const admin = postgres(base.toString(), { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const a = postgres(base.toString(), { max: 1, onnotice: () => {} });
      try {
        await a.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await a.end();
      }
    },
  };
}

/** Opens a fresh, migrated database for one test file (call once at file level). */
export async function openTestDatabase(): Promise<Database> {
  if (testDbKind() === "pglite") return openDatabase({ dataDir: "memory://" });
  const server = await createServerDatabase();
  const database = await openDatabase({ databaseUrl: server.url });
  return {
    ...database,
    close: async () => {
      await database.close();
      await server.drop();
    },
  };
}
