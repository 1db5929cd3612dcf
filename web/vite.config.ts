import { defineConfig } from "vitest/config";

// The Python backend listens on 127.0.0.1:8000 during development. Everything
// under /api (REST and the /api/events/ws WebSocket) is proxied to it so the
// session cookie stays same-origin.
const BACKEND = "http://127.0.0.1:8000";

export default defineConfig({
  base: "/",
  server: {
    host: "127.0.0.1",
    port: 5173,
    strictPort: false,
    proxy: {
      "/api": {
        target: BACKEND,
        ws: true,
        changeOrigin: false,
      },
    },
  },
  preview: {
    proxy: {
      "/api": {
        target: BACKEND,
        ws: true,
        changeOrigin: false,
      },
    },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1024,
    rolldownOptions: {
      onwarn(warning, defaultHandler) {
        // Mantine marks its modules "use client" for React Server Components; meaningless in an SPA bundle.
        if (warning.code === "MODULE_LEVEL_DIRECTIVE") return;
        defaultHandler(warning);
      },
    },
  },
  test: {
    environment: "node",
    include: ["src/**/*.test.ts"],
  },
});
