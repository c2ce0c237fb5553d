import { fileURLToPath } from 'node:url'
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vite'

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url))

// The demo builds @shuttle/vue from source (one build step fewer) and @shuttle/core from its
// browser build in dist (run `tsc -b` first). Served at / by `shuttle serve --static apps/demo/dist`.
export default defineConfig({
  base: '/',
  plugins: [vue()],
  resolve: {
    alias: [
      { find: /^@shuttle\/vue\/style\.css$/, replacement: here('../../packages/vue/src/styles.css') },
      { find: /^@shuttle\/vue$/, replacement: here('../../packages/vue/src/index.ts') },
    ],
  },
  build: {
    outDir: here('./dist'),
    emptyOutDir: true,
    rollupOptions: { input: { main: here('./index.html'), engine: here('./engine.html') } },
  },
})
