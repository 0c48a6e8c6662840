// The data plane's public surface (grows as the proxy lands).
export { type Backoff, type BackoffOptions, createBackoff, sleep } from "./config/backoff.ts";
