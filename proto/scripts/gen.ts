// Generates the TypeScript types of the .proto contracts into src/generated/ (committed; src/generated.test.ts
// fails when they are stale). The flags must match the runtime options in src/loader.ts.
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { PROTO_FILES, PROTO_ROOT } from "../src/loader.ts";

export const generatedDir = join(PROTO_ROOT, "src", "generated");

const generatorBin = createRequire(import.meta.url).resolve("@grpc/proto-loader/build/bin/proto-loader-gen-types.js");

/** Runs proto-loader-gen-types into `outDir` (which must be empty or absent). */
export function generateTypes(outDir: string): void {
  const args = [
    generatorBin,
    "--longs=String",
    "--enums=String",
    "--defaults",
    "--oneofs",
    "--includeComments",
    "--grpcLib=@grpc/grpc-js",
    "--importFileExtension=.ts",
    // Relative include dir: the generated "Original file:" comments must not depend on the checkout's location.
    "-I",
    ".",
    "-O",
    outDir,
    ...PROTO_FILES,
  ];
  const result = spawnSync(process.execPath, args, { cwd: PROTO_ROOT, encoding: "utf8" });
  if (result.status !== 0) {
    throw new Error(`proto-loader-gen-types failed (${result.status}): ${result.stderr || result.stdout}`);
  }
}

/** Regenerates src/generated/ from scratch, so files of removed messages disappear too. */
export function regenerate(): void {
  const tmp = mkdtempSync(join(tmpdir(), "portcullis-proto-gen-"));
  try {
    const out = join(tmp, "generated");
    generateTypes(out);
    rmSync(generatedDir, { recursive: true, force: true });
    cpSync(out, generatedDir, { recursive: true });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  regenerate();
  console.log(`generated ${generatedDir}`);
}
