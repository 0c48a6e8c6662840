#!/usr/bin/env node
import { runAuditCommand } from "./audit/cli.ts";
// `portcullis`: the command line. `cp` runs the control plane, `start` runs everything for local use (the
// control plane now; the data plane and the demo join it as they land), `migrate` applies migrations.
import { ConfigError, parseConfig } from "./config.ts";
import { buildConsole, consoleNeedsBuild } from "./console-build.ts";
import { openDatabase } from "./db/client.ts";
import type { DemoSeedResult } from "./demo/seed.ts";
import { startLocalNode } from "./local-node.ts";
import { startControlPlane } from "./main.ts";

const help = `portcullis: an agentic gateway

Usage:
  portcullis cp          Run the control plane (REST API, console) on PORTCULLIS_CP_HTTP (127.0.0.1:7070)
  portcullis dp          Run a data-plane node (PORTCULLIS_CP_GRPC, PORTCULLIS_BOOTSTRAP_TOKEN on first start)
  portcullis start       Run everything for local use (what \`npm start\` runs): control plane, one node and
                         the expense-report demo (seeded on a new database; PORTCULLIS_DEMO=0 turns it off)
  portcullis migrate     Apply database migrations and exit
  portcullis audit …     Verify the audit trail, sign and export checkpoints (portcullis audit help)
  portcullis help        Show this help

Configuration comes from the environment; see docs/configuration.md.
Without DATABASE_URL the data lives in an embedded PostgreSQL (PGlite) under ./.portcullis/.
`;

async function main(argv: string[]): Promise<number> {
  const [command = "help"] = argv;
  switch (command) {
    case "cp":
    case "start":
      return runControlPlane(command);
    case "dp":
      return runNode();
    case "migrate": {
      const config = parseConfig();
      const db = await openDatabase({ databaseUrl: config.DATABASE_URL, dataDir: config.PORTCULLIS_DATA_DIR });
      await db.close();
      process.stdout.write(`migrations applied (${db.kind})\n`);
      return 0;
    }
    case "audit":
      return runAuditCommand(argv.slice(1));
    case "help":
    case "--help":
    case "-h":
      process.stdout.write(help);
      return 0;
    default:
      process.stderr.write(`unknown command: ${command}\n\n${help}`);
      return 2;
  }
}

async function runControlPlane(command: string): Promise<number> {
  const config = parseConfig();
  // `start` is for a person at a terminal: warnings only unless asked, so the banner is what they read.
  if (command === "start" && !process.env.PORTCULLIS_LOG_LEVEL) config.PORTCULLIS_LOG_LEVEL = "warn";
  // With PORTCULLIS_CONSOLE_DIR the console was built elsewhere; otherwise `start` builds admin-ui/dist when stale.
  if (command === "start" && !config.PORTCULLIS_CONSOLE_DIR && consoleNeedsBuild()) {
    await buildConsole((line) => process.stdout.write(`${line}\n`)).catch((err: unknown) => {
      process.stderr.write(`  The console could not be built (${(err as Error).message}); the API still works.\n`);
    });
  }
  const cp = await startControlPlane(config);
  const dpHttp = process.env.PORTCULLIS_DP_HTTP ?? "127.0.0.1:8080";
  // The demo is seeded before the node starts, so the node's first snapshot already has it.
  const { seedDemo } = await import("./demo/seed.ts");
  const demo = await seedDemo({
    deps: cp.deps,
    mode: config.PORTCULLIS_DEMO ?? (command === "start" ? "1" : "0"),
    databaseUrl: config.DATABASE_URL,
    dataDir: config.PORTCULLIS_DATA_DIR,
    controlPlaneUrl: cp.url,
    gatewayAddress: dpHttp,
    toolsAddress: `${config.PORTCULLIS_DEMO_TOOLS_HTTP.host}:${config.PORTCULLIS_DEMO_TOOLS_HTTP.port}`,
  });
  const dp =
    command === "start"
      ? await startLocalNode(cp, {
          dataDir: config.PORTCULLIS_DATA_DIR,
          httpAddress: dpHttp,
          logLevel: config.PORTCULLIS_LOG_LEVEL,
        })
      : undefined;
  // `start` runs the demo's tool servers too; with `cp` they run on their own (examples/expense-report/serve.ts).
  const demoServers = command === "start" ? demo.servers : undefined;
  const toolServers = demoServers
    ? await import("@portcullis/examples/expense-report").then((m) => m.startDemoServers(demoServers))
    : undefined;
  const lines = [
    "",
    "  Portcullis is running.",
    "",
    `  Console and API   ${cp.url}/`,
    `  OpenAPI           ${cp.url}/openapi.json`,
    ...(dp ? [`  Data plane        http://${dp.httpAddress}/ (node enrolled in the default group; /readyz)`] : []),
    ...(toolServers
      ? [`  Demo tools        ${toolServers.url}/ (ocr, directory, notify, accounting-admin, accounting)`]
      : []),
    `  Database          ${cp.database.kind === "pglite" ? `embedded PGlite in ${config.PORTCULLIS_DATA_DIR}/` : "PostgreSQL (DATABASE_URL)"}`,
  ];
  if (cp.firstAdmin.generatedPassword) {
    lines.push(
      "",
      `  Admin login       ${cp.firstAdmin.email}`,
      `  Admin password    ${cp.firstAdmin.generatedPassword}   (shown once; change it after signing in)`,
    );
  } else if (cp.firstAdmin.created) {
    lines.push("", `  Admin login       ${cp.firstAdmin.email} (password from PORTCULLIS_ADMIN_PASSWORD)`);
  } else {
    lines.push("", "  Admin login       the admin created on first start (its password was printed then)");
  }
  lines.push(...demoLines(demo, cp.url, toolServers !== undefined, performance.now()));
  if (command === "start") lines.push("", "  Stop with Ctrl-C.");
  process.stdout.write(`${lines.join("\n")}\n\n`);
  const stop = async (signal: string) => {
    cp.deps.logger.info({ signal }, "shutting down");
    await toolServers?.close();
    await dp?.close();
    await cp.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
  return new Promise<number>(() => {});
}

/** What the demo added and what to try next. */
function demoLines(demo: DemoSeedResult, cpUrl: string, running: boolean, readyMs: number): string[] {
  if (demo.status === "skipped") {
    return demo.reason === "PORTCULLIS_DEMO=0" ? [] : ["", `  Demo              not seeded: ${demo.reason}`];
  }
  const lines = [
    "",
    `  Demo              the expense-report walkthrough ${demo.status === "seeded" ? "was seeded" : "is seeded"} (docs/demo.md)`,
  ];
  const bob = demo.credentials?.console.users[0];
  if (bob) lines.push(`  Approver login    ${bob.email} / ${bob.password}   (${bob.role}: ${bob.note})`);
  if (demo.credentialsFile) lines.push(`  Credentials       ${demo.credentialsFile}`);
  else lines.push("  Credentials       missing: reseed with PORTCULLIS_DEMO=force npm start");
  if (!running) return lines;
  lines.push(
    "",
    "  Try it: in a second terminal run",
    "",
    "      npm run demo",
    "",
    `  then open ${cpUrl}/ to see the sessions, decisions and audit trail it leaves.`,
    `  (ready ${(readyMs / 1000).toFixed(1)} s after start)`,
  );
  return lines;
}

async function runNode(): Promise<number> {
  const { DataPlaneConfigError, runDataPlane } = await import("@portcullis/data-plane");
  try {
    const dp = await runDataPlane([], { handleSignals: true });
    process.stdout.write(`\n  Portcullis data plane on http://${dp.httpAddress}/ (readiness at /readyz)\n\n`);
  } catch (err) {
    if (err instanceof DataPlaneConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
  return new Promise<number>(() => {});
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`portcullis: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
