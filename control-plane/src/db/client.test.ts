import { execFileSync } from "node:child_process";
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

  it("has no schema change without its migration (drizzle-kit check)", () => {
    const cwd = fileURLToPath(new URL("../..", import.meta.url));
    const bin = fileURLToPath(new URL("../../../node_modules/.bin/drizzle-kit", import.meta.url));
    const out = execFileSync(bin, ["check"], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    expect(out).toMatch(/Everything's fine/);
  });
});
