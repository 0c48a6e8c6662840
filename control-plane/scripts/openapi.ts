// Prints the control plane's OpenAPI document: `node control-plane/scripts/openapi.ts > openapi.json`.
import { openApiDocument } from "../src/http/openapi.ts";

process.stdout.write(`${JSON.stringify(await openApiDocument(), null, 2)}\n`);
