// drizzle-kit: `npm run db:generate` writes SQL migrations into ../migrations (committed); the tests run
// `drizzle-kit check` so a schema change without its migration fails CI.
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "postgresql",
  schema: "./src/db/schema.ts",
  out: "../migrations",
});
