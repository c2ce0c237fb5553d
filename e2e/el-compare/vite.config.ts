import { fileURLToPath } from 'node:url'
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'vite'

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url))

// The side-by-side page: Element Plus and @shuttle/vue (from source) in one bundle, with Vue's
// full build so the page compiles the example templates itself. Built by the e2e test into a temp dir.
export default defineConfig({
  root: here('.'),
  base: '/',
  logLevel: 'warn',
  plugins: [vue()],
  resolve: {
    alias: [
      { find: /^vue$/, replacement: 'vue/dist/vue.esm-bundler.js' },
      { find: /^@shuttle\/vue\/style\.css$/, replacement: here('../../packages/vue/src/styles.css') },
      { find: /^@shuttle\/vue$/, replacement: here('../../packages/vue/src/index.ts') },
    ],
  },
  build: { emptyOutDir: true, chunkSizeWarningLimit: 4096 },
})
