// Helpers for tests that run Portcullis as real processes: free ports, spawning the CLI (or a script) with its
// output captured, waiting for a condition, and killing whatever a test file started when it ends.
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";

export const cliPath = fileURLToPath(new URL("../src/cli.ts", import.meta.url));

export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

export interface Spawned {
  child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

/** Tracks the processes a test file started so `killAll` can clean up after failures too. */
export function processGroup() {
  const children = new Set<ChildProcess>();
  return {
    /** Runs `script` (the CLI by default) on this Node with `args`; DATABASE_URL is cleared unless given. */
    spawn(args: string[], env: Record<string, string>, script = cliPath): Spawned {
      const child = spawn(process.execPath, [script, ...args], {
        env: { ...process.env, DATABASE_URL: "", PORTCULLIS_LOG_LEVEL: "warn", ...env },
        stdio: ["pipe", "pipe", "pipe"],
      });
      children.add(child);
      let out = "";
      child.stdout?.on("data", (d) => {
        out += d;
      });
      child.stderr?.on("data", (d) => {
        out += d;
      });
      const exited = new Promise<number | null>((resolve) =>
        child.on("exit", (code) => {
          children.delete(child);
          resolve(code);
        }),
      );
      return { child, output: () => out, exited };
    },
    killAll() {
      for (const c of children) c.kill("SIGKILL");
    },
  };
}

/** Polls `probe` until it returns something other than undefined; fails naming `what` after `timeoutMs`. */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** GET a JSON document; undefined when nothing answers (yet). */
export async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> } | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  } catch {
    return undefined;
  }
}

// biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON bodies
export type ApiCall = (method: string, path: string, body?: unknown) => Promise<Record<string, any>>;

/** Signs in to the console API (cookie + CSRF token); each call throws unless it answers 2xx. */
export async function signIn(cpUrl: string, email: string, password: string): Promise<ApiCall> {
  const login = await fetch(`${cpUrl}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  if (login.status !== 200) throw new Error(`sign-in of ${email} answered ${login.status}`);
  const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] as string;
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  return async (method, p, body) => {
    const res = await fetch(`${cpUrl}${p}`, {
      method,
      headers: { cookie, "x-csrf-token": csrfToken, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (res.status >= 300) throw new Error(`${method} ${p} answered ${res.status}: ${JSON.stringify(json)}`);
    return json;
  };
}

/** Signs in to a running control plane as the bootstrap admin; returns a JSON API caller that asserts success. */
export function adminApi(cpUrl: string, password: string): Promise<ApiCall> {
  return signIn(cpUrl, "admin@portcullis.local", password);
}
