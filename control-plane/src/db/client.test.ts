import { execFileSync } from "node:child_process";
import { cpSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { openTestDatabase } from "../../test/harness.ts";

describe("database", () => {
  const opened = openTestDatabase();
  afterAll(() => opened.then((d) => d.close()));

  it("applies every committed migration and answers queries", async () => {
    const database = await opened;
    await database.ping();
    const rows = await database.db.execute(sql`select count(*)::int as n from console_users`);
    expect(rows).toBeDefined();
  });

  it("notifies portcullis_config when configuration tables change, once per transaction", async () => {
    const database = await opened;
    const seen: string[] = [];
    const stop = await database.listen("portcullis_config", (p) => seen.push(p));
    await database.db.transaction(async (tx) => {
      await tx.execute(
        sql`insert into gateway_groups (id, name) values ('01900000-0000-7000-8000-000000000001', 'g1')`,
      );
      await tx.execute(sql`update gateway_groups set description = 'x'`);
    });
    await database.db.execute(
      sql`insert into console_users (id, email, display_name, role, password_hash) values ('01900000-0000-7000-8000-000000000002', 'n@x', 'n', 'auditor', 'h')`,
    );
    for (let i = 0; i < 50 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100));
    await stop();
    expect(seen).toEqual(["gateway_groups"]);
  });

  it("has no schema change without its migration (drizzle-kit check)", () => {
    const cwd = fileURLToPath(new URL("../..", import.meta.url));
    const bin = fileURLToPath(new URL("../../../node_modules/.bin/drizzle-kit", import.meta.url));
    const out = execFileSync(bin, ["check"], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    expect(out).toMatch(/Everything's fine/);
  });

  it("has every schema change in a committed migration (generate finds nothing to do)", () => {
    const cwd = fileURLToPath(new URL("../..", import.meta.url));
    const bin = fileURLToPath(new URL("../../../node_modules/.bin/drizzle-kit", import.meta.url));
    // drizzle-kit wants a relative --out; work on a private copy so the committed folder is never touched.
    const scratch = `.migrations-check-${process.pid}-${Date.now()}`;
    cpSync(fileURLToPath(new URL("../../../migrations", import.meta.url)), path.join(cwd, scratch), {
      recursive: true,
    });
    try {
      const out = execFileSync(
        bin,
        ["generate", "--dialect", "postgresql", "--schema", "./src/db/schema.ts", "--out", `./${scratch}`],
        { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
      );
      expect(out, "run `npm run db:generate` and commit the migration").toMatch(/No schema changes/);
    } finally {
      rmSync(path.join(cwd, scratch), { recursive: true, force: true });
    }
  });
});
