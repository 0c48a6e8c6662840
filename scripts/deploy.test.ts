// deploy/ is part of the product: the image must run with production dependencies only, every setting the
// deployment files use must be a documented one, and the files must parse. (The images themselves are built by
// `docker build -f deploy/Dockerfile .`; there is no Docker engine on the CI machine, see docs/deployment.md.)
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { maxShutdownSeconds } from "../data-plane/src/server/shutdown.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const read = (p: string) => readFileSync(path.join(root, p), "utf8");
/** The workspaces whose sources run in the image (admin-ui ships as static files built by Vite). */
const runtime = ["proto", "policy", "control-plane", "data-plane"];
/** Imported only on development paths, loaded lazily (`await import`) and never in the image. */
const devOnlyDynamic = new Set(["vite"]);

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "node_modules" && entry.name !== "generated") out.push(...sources(p));
    } else if (/\.ts$/.test(entry.name) && !/\.test\.ts$/.test(entry.name)) out.push(p);
  }
  return out;
}

function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith(".") || specifier.startsWith("node:") || specifier.startsWith("/")) return undefined;
  const parts = specifier.split("/");
  return specifier.startsWith("@") ? `${parts[0]}/${parts[1]}` : parts[0];
}

function documentedVariables(): Set<string> {
  const doc = read("docs/configuration.md");
  return new Set([...doc.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1] as string));
}

describe("deploy/", () => {
  for (const ws of runtime) {
    it(`${ws}: every package its running code imports is a production dependency`, () => {
      const pkg = JSON.parse(read(`${ws}/package.json`)) as { dependencies?: Record<string, string> };
      const deps = new Set(Object.keys(pkg.dependencies ?? {}));
      const missing = new Set<string>();
      for (const file of sources(path.join(root, ws, "src"))) {
        const text = readFileSync(file, "utf8");
        const staticImports = [...text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+["']([^"']+)["']/gms)];
        const bare = [...text.matchAll(/^\s*import\s+["']([^"']+)["']/gm)];
        const dynamic = [...text.matchAll(/import\(\s*["']([^"']+)["']\s*\)/g)];
        for (const [, spec] of [...staticImports, ...bare]) {
          const name = packageOf(spec as string);
          if (name && name !== ws && !deps.has(name)) missing.add(`${name} (${path.relative(root, file)})`);
        }
        for (const [, spec] of dynamic) {
          const name = packageOf(spec as string);
          if (name && !deps.has(name) && !devOnlyDynamic.has(name)) {
            missing.add(`${name} (dynamic, ${path.relative(root, file)})`);
          }
        }
      }
      expect([...missing]).toEqual([]);
    });
  }

  it("the image is built on Node 24 and runs the portcullis CLI", () => {
    const dockerfile = read("deploy/Dockerfile");
    const bases = [...dockerfile.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]);
    expect(bases.length).toBeGreaterThan(0);
    for (const base of bases) expect(base).toMatch(/^node:24[-.]/);
    const entry = /^ENTRYPOINT\s+(\[.*\])$/m.exec(dockerfile)?.[1];
    expect(JSON.parse(entry ?? "[]")).toEqual(["node", "control-plane/src/cli.ts"]);
    expect(statSync(path.join(root, "control-plane/src/cli.ts")).isFile()).toBe(true);
    const cli = read("control-plane/src/cli.ts");
    for (const command of ["cp", "dp"]) expect(cli).toContain(`case "${command}":`);
    expect(read(".dockerignore")).toMatch(/node_modules/);
  });

  it("compose, Kubernetes and systemd files parse and use only documented settings", () => {
    const documented = documentedVariables();
    const used = new Set<string>();
    const yamlFiles = [
      "deploy/compose.yaml",
      ...readdirSync(path.join(root, "deploy/kubernetes")).map((f) => `deploy/kubernetes/${f}`),
    ];
    for (const file of yamlFiles) {
      const docs = parseAllDocuments(read(file));
      for (const doc of docs) expect(doc.errors, file).toEqual([]);
      for (const doc of docs) {
        JSON.stringify(doc.toJS(), (key, value) => {
          if (key === "environment" && value && typeof value === "object")
            for (const k of Object.keys(value)) used.add(k);
          if (key === "env" && Array.isArray(value)) for (const e of value) used.add(e.name);
          return value;
        });
      }
    }
    for (const file of readdirSync(path.join(root, "deploy/systemd"))) {
      for (const m of read(`deploy/systemd/${file}`).matchAll(/(?:^Environment=|^#\s+)([A-Z][A-Z0-9_]+)=/gm)) {
        used.add(m[1] as string);
      }
    }
    for (const m of read("deploy/Dockerfile").matchAll(/\b(PORTCULLIS_[A-Z0-9_]+)=/g)) used.add(m[1] as string);
    // Read by the image's HEALTHCHECK only, documented in docs/deployment.md.
    used.delete("HEALTHCHECK_PORT");
    // Postgres' own image settings.
    for (const k of ["POSTGRES_USER", "POSTGRES_PASSWORD", "POSTGRES_DB"]) used.delete(k);
    expect(used.size).toBeGreaterThan(8);
    expect([...used].filter((k) => !documented.has(k))).toEqual([]);
  });

  it("R14: every example gives a data-plane node longer to stop than its drain takes", () => {
    const drainOf = (env: Record<string, string> | undefined) => Number(env?.PORTCULLIS_DP_DRAIN_SECONDS ?? 5);
    const kube = parseAllDocuments(read("deploy/kubernetes/data-plane.yaml")).map((d) => d.toJS());
    const spec = kube.find((d) => d?.kind === "StatefulSet")?.spec.template.spec;
    const env = Object.fromEntries(
      (spec.containers[0].env as { name: string; value?: string }[]).map((e) => [e.name, e.value ?? ""]),
    );
    expect(spec.terminationGracePeriodSeconds).toBeGreaterThan(maxShutdownSeconds(drainOf(env)));
    const compose = parseAllDocuments(read("deploy/compose.yaml"))[0]?.toJS();
    const nodes = Object.values(compose.services as Record<string, Record<string, unknown>>).filter((s) =>
      String(s.command).includes("dp"),
    );
    expect(nodes.length).toBeGreaterThan(0);
    for (const node of nodes) {
      const grace = /^(\d+)s$/.exec(String(node.stop_grace_period));
      expect(Number(grace?.[1] ?? 10)).toBeGreaterThan(
        maxShutdownSeconds(drainOf(node.environment as Record<string, string>)),
      );
    }
    const unit = read("deploy/systemd/portcullis-dp.service");
    expect(Number(/^TimeoutStopSec=(\d+)$/m.exec(unit)?.[1])).toBeGreaterThan(maxShutdownSeconds(5));
  });
});
