// A private PostgreSQL cluster a test creates (initdb) and owns, so stopping or killing it cannot disturb other
// tests: started on a free port under the test's directory, stopped hard (SIGKILL of the postmaster and every
// backend: a crash) or fast (SIGINT: the server ends its sessions and shuts down).
import { execFileSync, spawn } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { freePort, until } from "../processes.ts";

const PG_BIN = "/usr/lib/postgresql/15/bin";

function asPostgres(cmd: string, args: string[]) {
  // initdb and postgres refuse to run as root; run them as the postgres user when we are root.
  return process.getuid?.() === 0 ? { cmd: "runuser", args: ["-u", "postgres", "--", cmd, ...args] } : { cmd, args };
}

export class PrivatePostgres {
  #dir: string | undefined;
  #port = 0;
  readonly #root: string;

  /** `root`: the test's directory (made world-readable so the postgres user can reach the cluster). */
  constructor(root: string) {
    this.#root = root;
  }

  /** postgres://… of the cluster's `postgres` database (valid once started). */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.#port}/postgres`;
  }

  /** Creates the cluster on the first call; starts the server and waits until it answers. */
  async start(): Promise<void> {
    if (!this.#dir) {
      const dir = path.join(this.#root, "pg");
      mkdirSync(dir);
      chmodSync(this.#root, 0o755);
      if (process.getuid?.() === 0)
        chownSync(
          dir,
          Number(execFileSync("id", ["-u", "postgres"]).toString()),
          Number(execFileSync("id", ["-g", "postgres"]).toString()),
        );
      const init = asPostgres(`${PG_BIN}/initdb`, ["-D", dir, "-A", "trust", "-U", "postgres", "--no-sync"]);
      execFileSync(init.cmd, init.args, { stdio: "ignore" });
      this.#dir = dir;
      this.#port = await freePort();
    }
    const dir = this.#dir;
    const run = asPostgres(`${PG_BIN}/postgres`, [
      "-D",
      dir,
      "-p",
      String(this.#port),
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      `unix_socket_directories=${dir}`,
      "-c",
      "fsync=on",
    ]);
    const child = spawn(run.cmd, run.args, { stdio: "ignore", detached: true });
    child.unref();
    await until("PostgreSQL", async () => ((await this.answers()) ? true : undefined));
  }

  /** Whether the server answers a query now. */
  async answers(): Promise<boolean> {
    const sql = postgres(this.url, { max: 1, connect_timeout: 2, onnotice: () => {} });
    try {
      await sql`select 1`;
      return true;
    } catch {
      return false;
    } finally {
      await sql.end({ timeout: 1 }).catch(() => {});
    }
  }

  /**
   * SIGKILL: the postmaster and every backend die (a crash). SIGINT: a fast shutdown (sessions ended, clean
   * stop); resolves once the server is gone.
   */
  async stop(signal: "SIGKILL" | "SIGINT"): Promise<void> {
    const pidFile = this.#dir ? path.join(this.#dir, "postmaster.pid") : undefined;
    if (!pidFile || !existsSync(pidFile)) return;
    const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
    if (signal === "SIGKILL") {
      try {
        execFileSync("pkill", ["-9", "-P", String(pid)]);
      } catch {}
    }
    try {
      process.kill(pid, signal);
    } catch {}
    await until("PostgreSQL to stop", async () => {
      try {
        process.kill(pid, 0);
        return undefined;
      } catch {
        return true;
      }
    });
  }
}
