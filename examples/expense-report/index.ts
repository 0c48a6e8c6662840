// The expense-report demo: tool servers that verify the gateway's assertions, their fixture data and tool
// definitions, and the walkthrough client (shared by `npm run demo` and the acceptance test).
export * from "./directory-data.ts";
export * from "./servers.ts";
export * from "./tool-definitions.ts";
export * from "./verify-assertion.ts";
export * from "./walkthrough.ts";
