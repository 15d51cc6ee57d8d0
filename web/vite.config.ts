import { defineConfig } from 'vitest/config'
import react from '@vitejs/plugin-react'

// The dev server proxies the API (HTTP and WebSocket) and the sandbox payment pages to a
// running `marquee serve` (MARQUEE_URL, default http://127.0.0.1:8080).
const backend = process.env.MARQUEE_URL ?? 'http://127.0.0.1:8080'

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: {
      '/graphql': { target: backend, ws: true, changeOrigin: true },
      '/sandbox': { target: backend, changeOrigin: true },
    },
  },
  build: {
    // Embedded in the binary by internal/gateway/web (go:embed); ignored by git.
    outDir: '../internal/gateway/web/dist/app',
    emptyOutDir: true,
    target: 'es2022',
    assetsInlineLimit: 0,
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
})
