// What the demo's control-plane seed needs without loading the servers or the MCP SDK: the people and the tool
// definitions (the seed pins exactly what the servers list).
export * from "./directory-data.ts";
export * from "./tool-definitions.ts";
