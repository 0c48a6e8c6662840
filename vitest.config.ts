// One test run for the whole monorepo: every workspace is a vitest project.
// The control plane's suite runs on embedded PGlite always, and a second time on the PostgreSQL server when
// DATABASE_URL is set, so both storage backends are proven by the same tests.
import { defineConfig } from "vitest/config";

const controlPlaneOnPostgres = process.env.DATABASE_URL
  ? [
      {
        extends: true as const,
        test: {
          name: "control-plane:postgres",
          root: "control-plane",
          include: ["src/**/*.test.ts", "test/**/*.test.ts"],
          // audit-faults and db-outage run their own private PostgreSQL cluster whatever the backend, and grpc-tls (the transport) and
          // server-everything (the MCP protocol) do not test storage: once (in "control-plane") is enough.
          exclude: [
            "test/audit-faults.e2e.test.ts",
            "test/db-outage.e2e.test.ts",
            "test/grpc-tls.e2e.test.ts",
            "test/server-everything.e2e.test.ts",
          ],
          env: { PORTCULLIS_TEST_DB: "postgres" },
        },
      },
    ]
  : [];

export default defineConfig({
  test: {
    reporters: ["default", ["json", { outputFile: ".test-results/vitest.json" }]],
    // Generous: many tests start real processes, and CI machines are shared (2 cores). No test asserts timing.
    testTimeout: 90_000,
    hookTimeout: 120_000,
    pool: "forks",
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: "repo", root: ".", include: ["scripts/**/*.test.ts"] } },
      { extends: true, test: { name: "proto", root: "proto", include: ["src/**/*.test.ts", "test/**/*.test.ts"] } },
      { extends: true, test: { name: "policy", root: "policy", include: ["src/**/*.test.ts", "test/**/*.test.ts"] } },
      {
        extends: true,
        test: {
          name: "control-plane",
          root: "control-plane",
          include: ["src/**/*.test.ts", "test/**/*.test.ts"],
          env: { PORTCULLIS_TEST_DB: "pglite" },
        },
      },
      ...controlPlaneOnPostgres,
      {
        extends: true,
        test: { name: "data-plane", root: "data-plane", include: ["src/**/*.test.ts", "test/**/*.test.ts"] },
      },
      {
        extends: true,
        test: {
          name: "admin-ui",
          root: "admin-ui",
          include: ["src/**/*.test.ts", "src/**/*.test.tsx", "test/**/*.test.ts"],
        },
      },
    ],
  },
});
