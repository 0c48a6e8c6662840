// Builds the console into dist/, which the control plane serves at its root. In development, Vite serves the
// console and proxies the API to a control plane on 127.0.0.1:7070 (override with PORTCULLIS_CP_URL).
import react from "@vitejs/plugin-react";
import { defineConfig, type ProxyOptions } from "vite";

const controlPlane = process.env.PORTCULLIS_CP_URL ?? "http://127.0.0.1:7070";

// The control plane accepts cookie-authenticated mutations only from its own origin. Behind the dev proxy the
// browser's origin is Vite's, so the proxy presents the request as coming from the control plane's origin.
const toControlPlane: ProxyOptions = {
  target: controlPlane,
  configure: (proxy) => {
    proxy.on("proxyReq", (proxyReq) => {
      if (proxyReq.getHeader("origin") !== undefined) proxyReq.setHeader("origin", new URL(controlPlane).origin);
    });
  },
};

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // The control plane's CSP allows only same-origin scripts and styles: never inline assets into the HTML.
    assetsInlineLimit: 0,
  },
  server: {
    host: "127.0.0.1",
    port: 5173,
    proxy: { "/api": toControlPlane, "/openapi.json": toControlPlane },
  },
});
