#!/usr/bin/env node
import { runAuditCommand } from "./audit/cli.ts";
// `portcullis`: the command line. `cp` runs the control plane, `start` runs everything for local use (the
// control plane now; the data plane and the demo join it as they land), `migrate` applies migrations.
import { ConfigError, parseConfig } from "./config.ts";
import { buildConsole, consoleNeedsBuild } from "./console-build.ts";
import { openDatabase } from "./db/client.ts";
import { startLocalNode } from "./local-node.ts";
import { startControlPlane } from "./main.ts";

const help = `portcullis: an agentic gateway

Usage:
  portcullis cp          Run the control plane (REST API, console) on PORTCULLIS_CP_HTTP (127.0.0.1:7070)
  portcullis dp          Run a data-plane node (PORTCULLIS_CP_GRPC, PORTCULLIS_BOOTSTRAP_TOKEN on first start)
  portcullis start       Run everything for local use (what \`npm start\` runs): control plane and one node
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
  if (command === "start" && consoleNeedsBuild()) {
    await buildConsole((line) => process.stdout.write(`${line}\n`)).catch((err: unknown) => {
      process.stderr.write(`  The console could not be built (${(err as Error).message}); the API still works.\n`);
    });
  }
  const cp = await startControlPlane(config);
  const dpHttp = process.env.PORTCULLIS_DP_HTTP ?? "127.0.0.1:8080";
  const dp =
    command === "start"
      ? await startLocalNode(cp, {
          dataDir: config.PORTCULLIS_DATA_DIR,
          httpAddress: dpHttp,
          logLevel: config.PORTCULLIS_LOG_LEVEL,
        })
      : undefined;
  const lines = [
    "",
    "  Portcullis is running.",
    "",
    `  Console and API   ${cp.url}/`,
    `  OpenAPI           ${cp.url}/openapi.json`,
    ...(dp ? [`  Data plane        http://${dp.httpAddress}/ (node enrolled in the default group; /readyz)`] : []),
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
  if (command === "start") lines.push("", "  Stop with Ctrl-C.");
  process.stdout.write(`${lines.join("\n")}\n\n`);
  const stop = async (signal: string) => {
    cp.deps.logger.info({ signal }, "shutting down");
    await dp?.close();
    await cp.close();
    process.exit(0);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
  return new Promise<number>(() => {});
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
