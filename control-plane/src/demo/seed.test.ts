// The demo seed against a real database: a new database gets the whole scenario and the files the demo reads; a
// second run adds nothing and keeps the credentials; a database with other configuration, PORTCULLIS_DEMO=0 and a
// remote DATABASE_URL are left alone unless forced.
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { expenseReportPolicies } from "@portcullis/policy/scenarios/expense-report";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp } from "../../test/app-harness.ts";
import { isLocalDatabase, seedDemo } from "./seed.ts";

let t: TestApp;
const dataDir = mkdtempSync(path.join(tmpdir(), "pc-seed-"));
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const options = (mode: "0" | "1" | "force", databaseUrl?: string) => ({
  deps: t.deps,
  mode,
  databaseUrl,
  dataDir,
  controlPlaneUrl: "http://127.0.0.1:7070",
  gatewayAddress: "127.0.0.1:8080",
  toolsAddress: "127.0.0.1:7090",
});

describe("demo seed", () => {
  it("knows which databases are on this machine", () => {
    expect(isLocalDatabase(undefined)).toBe(true);
    expect(isLocalDatabase("postgres://postgres@127.0.0.1:5432/x")).toBe(true);
    expect(isLocalDatabase("postgres://u@localhost/x")).toBe(true);
    expect(isLocalDatabase("postgres://u@[::1]:5432/x")).toBe(true);
    expect(isLocalDatabase("postgres://u@db.internal:5432/x")).toBe(false);
    expect(isLocalDatabase("not a url")).toBe(false);
  });

  it("does nothing when turned off or pointed at another host", async () => {
    expect(await seedDemo(options("0"))).toMatchObject({ status: "skipped", reason: "PORTCULLIS_DEMO=0" });
    const remote = await seedDemo(options("1", "postgres://u@db.example.com/prod"));
    expect(remote.status).toBe("skipped");
    expect(remote.reason).toContain("PORTCULLIS_DEMO=force");
    expect((await t.call("GET", "/api/v1/agents")).body.items).toEqual([]);
  });

  it("seeds a new database with the scenario, once", async () => {
    const first = await seedDemo(options("1"));
    expect(first.status).toBe("seeded");
    expect(first.created.policies).toHaveLength(expenseReportPolicies.length);
    expect(first.created.agents).toEqual(["ocr-helper-v2", "expense-report-v1"]);
    expect(first.created.tools).toHaveLength(5);
    const agents = (await t.call("GET", "/api/v1/agents")).body.items as { name: string; allowedDelegates: string[] }[];
    const helper = agents.find((a) => a.name === "ocr-helper-v2") as unknown as { id: string };
    expect(agents.find((a) => a.name === "expense-report-v1")?.allowedDelegates).toEqual([helper.id]);
    const tools = (await t.call("GET", "/api/v1/tools?limit=50")).body.items as { name: string; status: string }[];
    expect(tools.map((x) => x.name).sort()).toEqual([
      "create_expense_report",
      "delete_expense_reports",
      "get_employee_cost_center",
      "receipt_ocr",
      "send_notification",
    ]);
    const users = (await t.call("GET", "/api/v1/users")).body.items as { email: string; role: string }[];
    expect(users.find((u) => u.email === "bob@company.com")?.role).toBe("security");

    const file = path.join(dataDir, "demo", "credentials.json");
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const credentials = JSON.parse(readFileSync(file, "utf8"));
    expect(Object.keys(credentials.agents).sort()).toEqual(["expense-report-v1", "ocr-helper-v2"]);
    expect(credentials.identityProvider.privateJwk.d).toBeTypeOf("string");
    const servers = JSON.parse(readFileSync(path.join(dataDir, "demo", "servers.json"), "utf8"));
    expect(servers).toMatchObject({ listen: "127.0.0.1:7090", jwksUrl: "http://127.0.0.1:7070/.well-known/jwks.json" });

    // Not new any more: the demo is reported as present and nothing is added.
    const second = await seedDemo(options("1"));
    expect(second).toMatchObject({ status: "present", created: {} });
    expect(second.servers?.audiences).toEqual(servers.audiences);
    // Forced: everything exists, so nothing is created and the credentials are kept.
    const forced = await seedDemo(options("force"));
    expect(forced).toMatchObject({ status: "seeded", created: {} });
    expect(JSON.parse(readFileSync(file, "utf8"))).toEqual(credentials);
  });
});
