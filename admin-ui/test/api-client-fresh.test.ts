// The committed API types must match what `npm run gen -w admin-ui` produces from the control plane's current
// OpenAPI document; when a route changes, regenerate and commit.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { generateApiSchema, schemaFile } from "../scripts/gen-api.ts";

const tmp = mkdtempSync(join(tmpdir(), "portcullis-admin-ui-gen-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

it("src/generated/api-schema.d.ts is up to date with the control plane's OpenAPI document", async () => {
  const fresh = readFileSync(await generateApiSchema(join(tmp, "api-schema.d.ts")), "utf8");
  const committed = readFileSync(schemaFile, "utf8");
  expect(
    committed === fresh,
    `admin-ui/src/generated/api-schema.d.ts is stale (${firstDifference(committed, fresh)}): ` +
      "run `npm run gen -w admin-ui` and commit the result",
  ).toBe(true);
});

function firstDifference(a: string, b: string): string {
  const left = a.split("\n");
  const right = b.split("\n");
  const i = left.findIndex((line, n) => line !== right[n]);
  const at = i === -1 ? left.length : i;
  return `first difference at line ${at + 1}: committed ${JSON.stringify(left[at] ?? "<end>")}, fresh ${JSON.stringify(right[at] ?? "<end>")}`;
}
